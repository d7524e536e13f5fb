import { StatefulValidationError } from '../errors';
import * as check from '../core/validators';

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
}

export const DEFAULT_REPORT_EVERY_MS = 5_000;

/** Checks the agent's options (naming `pod.<field>`) and resolves the pod id. */
export function resolvePodAgent(
  options: PodAgentOptions,
  hostname: string | undefined = process.env.HOSTNAME,
): { podId: number; reportEveryMs: number } {
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('pod', 'must be an object { namespace, service, load }');
  }
  check.assertNamespace(options.namespace, 'pod.namespace');
  check.assertServiceName(options.service, 'pod.service');
  if (typeof options.load !== 'function') {
    throw new StatefulValidationError('pod.load', 'must be a function returning the pod load');
  }
  const reportEveryMs = options.reportEveryMs ?? DEFAULT_REPORT_EVERY_MS;
  if (!Number.isInteger(reportEveryMs) || reportEveryMs < 100 || reportEveryMs > 3_600_000) {
    throw new StatefulValidationError(
      'pod.reportEveryMs',
      'must be an integer from 100 to 3600000',
    );
  }
  if (options.podId !== undefined) {
    check.assertPodId(options.podId, 'pod.podId');
    return { podId: options.podId, reportEveryMs };
  }
  const ordinal = /-(0|[1-9][0-9]{0,9})$/.exec(hostname ?? '');
  if (!ordinal || Number(ordinal[1]) > 2_147_483_647) {
    throw new StatefulValidationError(
      'pod.podId',
      `is not set and HOSTNAME (${JSON.stringify(hostname ?? '')}) does not end with a StatefulSet ordinal such as game-3`,
    );
  }
  return { podId: Number(ordinal[1]), reportEveryMs };
}
