import { StatefulValidationError } from '../errors';
import * as check from '../core/validators';
import type { NamespaceCheck } from '../core/validators';

/** `StatefulModule.forRoot({ ..., pod })`: the pod side of the store, for apps inside the StatefulSet. */
export interface PodAgentOptions {
  namespace: string;
  /** The service this pod serves. */
  service: string;
  /** Default: the ordinal at the end of `HOSTNAME` (`game-3` -> 3), as a StatefulSet names its pods. */
  podId?: number;
  /** The heartbeat's period (default 5000 ms; each beat is moved by up to 10% at random). */
  reportEveryMs?: number;
  /** The pod's load, reported at every beat (lower is less loaded). */
  load: () => number | Promise<number>;
  /**
   * Where gateways reach this pod, `host:port`, reported at every beat (docs/gateways.md). Default:
   * `POD_IP` from the environment (the downward API's `status.podIP`) and `port`, when both exist.
   */
  address?: string;
  /** The port gateways reach this pod on, with `POD_IP` (when `address` is not given). */
  port?: number;
}

/** What the agent works with: its options checked, its pod id and address resolved. */
export interface ResolvedPodAgent {
  podId: number;
  reportEveryMs: number;
  /** Undefined when neither `address` nor `POD_IP` and `port` give one. */
  address?: string;
}

export const DEFAULT_REPORT_EVERY_MS = 5_000;

/**
 * Checks the agent's options (naming `pod.<field>`; the namespace as the key layout takes it) and
 * resolves the pod id.
 */
export function resolvePodAgent(
  options: PodAgentOptions,
  assertNamespace: NamespaceCheck = check.assertNamespace,
  env: { HOSTNAME?: string; POD_IP?: string } = process.env,
): ResolvedPodAgent {
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('pod', 'must be an object { namespace, service, load }');
  }
  assertNamespace(options.namespace, 'pod.namespace');
  check.assertServiceName(options.service, 'pod.service');
  if (typeof options.load !== 'function') {
    throw new StatefulValidationError('pod.load', 'must be a function returning the pod load');
  }
  const reportEveryMs = options.reportEveryMs ?? DEFAULT_REPORT_EVERY_MS;
  check.assertPeriodMs(reportEveryMs, 'pod.reportEveryMs');
  const address = resolveAddress(options, env.POD_IP);
  return { podId: resolvePodId(options, env.HOSTNAME), reportEveryMs, address };
}

function resolvePodId(options: PodAgentOptions, hostname: string | undefined): number {
  if (options.podId !== undefined) {
    check.assertPodId(options.podId, 'pod.podId');
    return options.podId;
  }
  const ordinal = /-(0|[1-9][0-9]{0,9})$/.exec(hostname ?? '');
  if (!ordinal || Number(ordinal[1]) > 2_147_483_647) {
    throw new StatefulValidationError(
      'pod.podId',
      `is not set and HOSTNAME (${JSON.stringify(hostname ?? '')}) does not end with a StatefulSet ordinal such as game-3`,
    );
  }
  return Number(ordinal[1]);
}

function resolveAddress(options: PodAgentOptions, podIp: string | undefined): string | undefined {
  if (options.port !== undefined) check.assertIntegerIn(options.port, 'pod.port', 1, 65_535);
  if (options.address !== undefined) {
    check.assertAddress(options.address, 'pod.address');
    return options.address;
  }
  if (podIp === undefined || podIp === '' || options.port === undefined) return undefined;
  // POD_IP is an IPv4 or IPv6 address; IPv6 needs brackets before the port.
  const address = podIp.includes(':') ? `[${podIp}]:${options.port}` : `${podIp}:${options.port}`;
  check.assertAddress(address, 'POD_IP');
  return address;
}
