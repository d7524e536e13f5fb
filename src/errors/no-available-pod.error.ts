import { StatefulError } from './stateful.error';

/**
 * computeLinkedPod found no pod it may link a new user to (no fresh load report, all excluded, full
 * or draining); `reason` says which, e.g. `3 pods known, none with a load report newer than 30000 ms`.
 */
export class NoAvailablePodError extends StatefulError {
  readonly code = 'NO_AVAILABLE_POD';

  constructor(
    readonly namespace: string,
    readonly serviceName: string,
    readonly reason?: string,
  ) {
    super(
      `No available pod for service ${serviceName} in namespace ${namespace}${reason ? `: ${reason}` : ''}`,
    );
  }
}
