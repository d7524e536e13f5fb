import type { OperationShape } from '../tracing/traced-operations';

const SERVICE = { service: 1 };
const LINK = { uid: 1, service: 2 };

/**
 * The operations of StatefulExecutorService traced in OpenTelemetry spans, and where each names the
 * service and the user. scanLinkedUsers, a generator, is traced page by page through
 * scanLinkedUsersPage.
 */
export const EXECUTOR_OPERATIONS: Readonly<Record<string, OperationShape>> = {
  setServiceState: SERVICE,
  getServiceState: SERVICE,
  getServicePodState: SERVICE,
  removeServicePod: SERVICE,
  reportPodLoad: SERVICE,
  reportPodStatus: SERVICE,
  getPodLoads: SERVICE,
  getPodAddresses: SERVICE,
  getPodAddress: SERVICE,
  setWorkloadState: SERVICE,
  getWorkloadState: SERVICE,
  getWorkloadStates: {},
  setLinkedPod: LINK,
  setLinkedPodIfAbsent: LINK,
  trySetLinkedPod: LINK,
  getLinkedPod: LINK,
  getLink: LINK,
  isLinkOwner: LINK,
  getLinkedPodIfPersist: LINK,
  getLinkedPods: { service: 2 },
  removeLinkedPod: LINK,
  removeLinkedPodWithId: LINK,
  getLinkService: { uid: 1 },
  computeLinkedPod: LINK,
  scanLinkedUsersPage: SERVICE,
  releasePodUsers: SERVICE,
};
