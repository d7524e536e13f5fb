/** What a token holder may do (docs/http-api.md, "Roles"). `admin` is also what API_TOKEN is. */
export type Role = 'pod' | 'gateway' | 'read' | 'admin';

export const ROLES: readonly Role[] = ['pod', 'gateway', 'read', 'admin'];

/** The kinds of `/v1` operation the roles are granted. */
export type Action = 'report' | 'operate' | 'route' | 'read' | 'workload';

/**
 * Every `/v1` operation (the handler's name, as `V1Routes` records it) and its kind. A route whose
 * operation is missing here is refused to every token but an admin one, and a test fails.
 */
export const OPERATION_ACTIONS: Readonly<Record<string, Action>> = {
  // A pod's own reports.
  reportPodStatus: 'report',
  reportPodLoad: 'report',
  // What only operators do: a pod's state, forgetting it, releasing its users.
  setServiceState: 'operate',
  removeServicePod: 'operate',
  releasePodUsers: 'operate',
  // What gateways do: place and route users, write links.
  routeUser: 'route',
  computeLinkedPod: 'route',
  setLinkedPod: 'route',
  removeLinkedPod: 'route',
  getLinkedPods: 'route',
  // A service's workload state.
  setWorkloadState: 'workload',
  // Reads.
  getServicePodState: 'read',
  getServiceState: 'read',
  getPodLoads: 'read',
  getPodAddresses: 'read',
  scanLinkedUsers: 'read',
  getWorkloadState: 'read',
  getWorkloadStates: 'read',
  getLinkedPod: 'read',
  isLinkOwner: 'read',
  getLinkService: 'read',
  listServices: 'read',
  getServiceOverview: 'read',
  getUserOverview: 'read',
};

/** The kinds of operation each role may do. */
export const ROLE_ACTIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  pod: new Set(['report']),
  gateway: new Set(['route', 'read']),
  read: new Set(['read']),
  admin: new Set(['report', 'operate', 'route', 'read', 'workload']),
};
