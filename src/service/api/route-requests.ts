import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { ComputeLinkOptions } from '../../core/stateful.types';
import { StatefulValidationError } from '../../errors';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import type { RouteConfig, ServiceConfig } from '../config/environment';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import { toHttpError } from './http-error';
import { strictQuery } from './request-parsing';

/** The path parameters of `/v1/namespaces/:ns/services/:svc/route`. */
export interface RouteParams {
  ns: string;
  svc: string;
}

/** Where a routed request goes: the answer's `x-stateful-pod` and `x-stateful-upstream`. */
export interface RouteAnswer {
  podId: number;
  upstream: string;
}

/**
 * The gateway route's work (SPEC §9), framework-free as LinkRequests: the uid from its header or
 * `?uid=` (the header wins), computeLinkedPod with the service's route defaults (healing, the link
 * cache and shared calls apply), then the pod's address: the one it reported, from the pod table
 * placement has just read, else ROUTE_UPSTREAM_TEMPLATE's. No address is a 503, as no pod is.
 */
@Injectable()
export class RouteRequests {
  private readonly config: RouteConfig;
  private readonly options: ComputeLinkOptions;
  private readonly uidFrom: string;

  constructor(
    private readonly store: StatefulExecutorService,
    @Inject(SERVICE_CONFIG) service: ServiceConfig,
  ) {
    this.config = service.route;
    const { maxLoad, maxAgeMs, loadTolerance, goneAfterMs } = service.route;
    this.options = Object.freeze({ maxLoad, maxAgeMs, loadTolerance, goneAfterMs });
    this.uidFrom = `the ${service.route.uidHeader} header or ?uid=`;
  }

  async route(
    { ns, svc }: RouteParams,
    headers: Record<string, string | string[] | undefined>,
    query: unknown,
  ): Promise<RouteAnswer> {
    const { uid: queryUid } = strictQuery(query, ['uid']);
    const uid = headers[this.config.uidHeader] ?? queryUid;
    if (uid === undefined) throw new StatefulValidationError('uid', `is required: ${this.uidFrom}`);
    if (typeof uid !== 'string') throw new StatefulValidationError('uid', 'must be given once');
    const { podId } = await this.store.computeLinkedPod(ns, uid, svc, -1, this.options);
    const upstream =
      (await this.store.getPodAddress(ns, svc, podId)) ??
      this.config.upstreamTemplate?.address(ns, svc, podId);
    if (upstream === undefined) {
      throw new ServiceUnavailableException(
        `pod ${podId} of service ${svc} has no address: it reported none${this.config.upstreamTemplate ? ' and ROUTE_UPSTREAM_TEMPLATE gives no host name for it' : ' and ROUTE_UPSTREAM_TEMPLATE is not set'}`,
      );
    }
    return { podId, upstream };
  }
}

/** A 503 (no pod, no address, Redis unavailable): the answer carries Retry-After. */
export function isRetryable(error: unknown): boolean {
  return toHttpError(error).statusCode === 503;
}
