import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { ComputeLinkOptions } from '../../core/stateful.types';
import * as check from '../../core/validators';
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

/** Where a routed request goes: the answer's `x-stateful-pod`, `-upstream` and `-epoch`. */
export interface RouteAnswer {
  podId: number;
  upstream: string;
  /** The link's fencing epoch, for the pod to check the request against (docs/operations.md). */
  epoch: number;
}

/**
 * The gateway route's work (docs/gateways.md), framework-free as LinkRequests: the uid from its header or
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
    const { maxLoad, maxAgeMs, loadTolerance, goneAfterMs, missedBeats, loadPerUser } =
      service.route;
    this.options = Object.freeze({
      maxLoad,
      maxAgeMs,
      loadTolerance,
      goneAfterMs,
      missedBeats,
      loadPerUser,
    });
    this.uidFrom = `the ${service.route.uidHeader} header or ?uid=`;
  }

  /** Not `async`: the hot path of every routed request, one promise per step. */
  route(
    { ns, svc }: RouteParams,
    headers: Record<string, string | string[] | undefined>,
    query: unknown,
  ): Promise<RouteAnswer> {
    let uid: string;
    try {
      uid = this.uidOf(headers, query);
    } catch (error) {
      return check.rejected(error);
    }
    return this.store
      .computeLinkedPod(ns, uid, svc, -1, this.options)
      .then(({ podId, epoch }) =>
        this.store
          .getPodAddress(ns, svc, podId)
          .then((address) => this.answer(ns, svc, podId, epoch, address)),
      );
  }

  /** The uid from its header, else `?uid=` (the route's only query parameter). */
  private uidOf(headers: Record<string, string | string[] | undefined>, query: unknown): string {
    const fromHeader = headers[this.config.uidHeader];
    if (fromHeader !== undefined && isEmptyQuery(query)) return stringUid(fromHeader);
    const { uid } = strictQuery(query, ['uid']);
    if (fromHeader !== undefined) return stringUid(fromHeader);
    if (uid === undefined) throw new StatefulValidationError('uid', `is required: ${this.uidFrom}`);
    return uid;
  }

  private answer(
    ns: string,
    svc: string,
    podId: number,
    epoch: number,
    address: string | null,
  ): RouteAnswer {
    const upstream = address ?? this.config.upstreamTemplate?.address(ns, svc, podId);
    if (upstream === undefined) {
      throw new ServiceUnavailableException(
        `pod ${podId} of service ${svc} has no address: it reported none and ${
          this.config.upstreamTemplate
            ? 'ROUTE_UPSTREAM_TEMPLATE gives no host name for it'
            : 'ROUTE_UPSTREAM_TEMPLATE is not set'
        }`,
      );
    }
    return { podId, upstream, epoch };
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header's uid. Node reads header bytes as latin1, one character per byte: a uid a gateway sends
 * in UTF-8 is decoded as such, so that it names the same link as in a path or `?uid=`.
 */
function stringUid(value: string | string[]): string {
  if (typeof value !== 'string') throw new StatefulValidationError('uid', 'must be given once');
  if (!/[\x80-\xff]/.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    throw new StatefulValidationError('uid', 'must be UTF-8 in the header');
  }
}

/** No query string at all: the common case of a gateway's request, checked without allocating. */
function isEmptyQuery(query: unknown): boolean {
  if (query === undefined || query === null) return true;
  for (const _name in query) return false;
  return true;
}

/** A 503 (no pod, no address, Redis unavailable): the answer carries Retry-After. */
export function isRetryable(error: unknown): boolean {
  return toHttpError(error).statusCode === 503;
}
