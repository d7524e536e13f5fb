import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import * as check from '../core/validators';
import { READY_STATE, SHUTDOWN_STATE } from '../core/stateful.constants';
import { StatefulValidationError } from '../errors';
import { withTimeout } from '../redis/with-timeout';
import { resolvePodAgent, type PodAgentOptions, type ResolvedPodAgent } from './pod-agent-options';
import type { PodStatusStore } from './pod-status-store';

/** How long application shutdown waits for the Shutdown report. */
const SHUTDOWN_REPORT_TIMEOUT_MS = 3_000;

/** isLinkOwner: whether `podId` holds the user's link to the service at `epoch`. */
export type LinkOwnerCheck = (
  namespace: string,
  uid: string,
  serviceName: string,
  podId: number,
  epoch: number,
) => Promise<boolean>;

/**
 * The pod side of the store (docs/operations.md), active when `StatefulModule.forRoot({ pod })` is given: at
 * bootstrap it reports `Ready` and the load, then the load every `reportEveryMs` (with jitter, so a
 * fleet started together does not beat in step); `setState('Draining')` lets the app drain itself;
 * on application shutdown it reports `Shutdown` once, before the Redis connections close. A Redis
 * outage is logged once and retried at the next beat, never thrown into the app. `owns` is the
 * fencing check of docs/operations.md.
 */

export class StatefulPodAgent implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatefulPodAgent.name);
  private readonly options?: PodAgentOptions;
  private readonly resolved?: ResolvedPodAgent;
  private timer?: NodeJS.Timeout;
  private failing = false;
  private stopped = false;
  /** A state not yet written (a failed Ready at start, say): sent with every beat until it is. */
  private pendingState?: string;
  /** The report under way, awaited before Shutdown so that no beat lands after it. */
  private inFlight: Promise<void> = Promise.resolve();

  /**
   * Made by StatefulModule, from its `pod` option (absent: the agent does nothing). `ownerCheck` is
   * the store's isLinkOwner, handed in from above (links live on a higher floor than pods).
   */
  constructor(
    private readonly store: PodStatusStore,
    options: PodAgentOptions | undefined,
    private readonly ownerCheck?: LinkOwnerCheck,
  ) {
    this.options = options;
    if (options)
      this.resolved = resolvePodAgent(options, (value, field) =>
        store.keys.assertNamespace(value, field),
      );
  }

  /** Whether the module was given `pod` options. */
  get enabled(): boolean {
    return this.options !== undefined;
  }

  /** This pod's id (the HOSTNAME ordinal unless given); undefined when the agent is not enabled. */
  get podId(): number | undefined {
    return this.resolved?.podId;
  }

  /**
   * Whether this pod still holds the user at `epoch` (docs/operations.md), read from Redis: check it before
   * writing the user's state, and refuse a request whose epoch is older than one already seen. A
   * pod that was paused or cut off, and taken for gone meanwhile, finds out here that it lost the user.
   */
  owns(uid: string, epoch: number): Promise<boolean> {
    if (!this.enabled || this.ownerCheck === undefined) {
      return Promise.reject(
        new StatefulValidationError('pod', 'is not configured: give StatefulModule the pod option'),
      );
    }
    try {
      this.store.keys.assertUid(uid);
      check.assertEpoch(epoch);
    } catch (error) {
      return check.rejected(error);
    }
    const { namespace, service } = this.options!;
    return this.ownerCheck(namespace, uid, service, this.resolved!.podId, epoch);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    // Sent with every beat until it is written: a pod whose previous life ended with Shutdown must
    // not stay Shutdown because Redis was away when it started.
    this.pendingState = READY_STATE;
    await this.beat();
    this.schedule();
  }

  /** Reports a state now (`Draining` to take no new users, `Ready` to take them again). */
  async setState(state: string): Promise<void> {
    if (!this.enabled) {
      throw new StatefulValidationError(
        'pod',
        'is not configured: give StatefulModule the pod option',
      );
    }
    if (this.stopped) {
      throw new StatefulValidationError('state', 'cannot change after Shutdown was reported');
    }
    await this.inFlight;
    const report = this.report(state);
    this.inFlight = report.catch(() => undefined);
    await report;
    // Written: a Ready still pending from the start must not overwrite it at the next beat.
    this.pendingState = undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.enabled || this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    // Bounded: a Redis that does not answer must not hold the application's shutdown. A beat under
    // way is waited for first, so that it cannot land after Shutdown.
    const shutdown = this.inFlight.then(() => this.report(SHUTDOWN_STATE));
    await withTimeout(shutdown, SHUTDOWN_REPORT_TIMEOUT_MS).catch(() =>
      this.logger.warn(
        `Pod ${this.resolved!.podId} of ${this.options!.service}: Shutdown not reported in time`,
      ),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    const period = this.resolved!.reportEveryMs;
    this.timer = setTimeout(
      () => void this.beat().finally(() => this.schedule()),
      period * (0.9 + Math.random() * 0.2),
    );
    this.timer.unref();
  }

  /** One heartbeat: the load, and a state still waiting to be written; never throws. */
  private beat(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const state = this.pendingState;
    this.inFlight = this.report(state).then(
      () => {
        if (this.pendingState === state) this.pendingState = undefined;
        if (this.failing)
          this.logger.log(
            `Pod ${this.resolved!.podId} of ${this.options!.service}: reporting again`,
          );
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) {
          this.logger.warn(
            `Pod ${this.resolved!.podId} of ${this.options!.service}: status not reported (${(error as Error).message}); retrying at every beat`,
          );
        }
        this.failing = true;
      },
    );
    return this.inFlight;
  }

  private async report(state?: string): Promise<void> {
    const load = await this.options!.load();
    await this.store.reportStatus(
      this.options!.namespace,
      this.options!.service,
      this.resolved!.podId,
      // The period lets gateways take this pod for gone after missedBeats of them (docs/operations.md).
      { load, state, address: this.resolved!.address, everyMs: this.resolved!.reportEveryMs },
    );
  }
}
