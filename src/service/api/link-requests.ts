import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { StatefulValidationError } from '../../errors';
import type { ServiceConfig } from '../config/environment';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import type {
  ComputeLinkOptions,
  ComputeLinkResult,
  LinkWithEpoch,
} from '../../core/stateful.types';
import {
  booleanParam,
  integerParam,
  namedAsRequest,
  oneOf,
  optionalIntegerParam,
  requiredField,
  strictBody,
  strictQuery,
} from './request-parsing';

/** The path parameters of `/v1/namespaces/:ns/users/:uid/links/:svc`. */
export interface LinkParams {
  ns: string;
  uid: string;
  svc: string;
}

/** What the link PUT answers: 200, or 409 when mode `try` met a persistent link to another pod. */
export interface SetLinkAnswer {
  status: 200 | 409;
  body: object;
}

const LINK_MODES = ['set', 'ifAbsent', 'try'] as const;
const SET_LINK_FIELDS = ['podId', 'persistSeconds', 'mode'];
const COMPUTE_LINK_FIELDS = [
  'persistSeconds',
  'maxLoad',
  'maxAgeMs',
  'excludePods',
  'heal',
  'goneAfterMs',
  'missedBeats',
  'loadTolerance',
  'loadPerUser',
];

/**
 * The link routes' work without any framework: read the request as docs/http-api.md defines it (strictly,
 * see request-parsing.ts), call the executor, and say what to answer. Both the Nest controller
 * (Express, and the OpenAPI document) and the plain Fastify handlers (fastify-link-routes.ts) call
 * it, so the two cannot answer differently.
 */
@Injectable()
export class LinkRequests {
  constructor(
    private readonly store: StatefulExecutorService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** One route, three operations: `mode` picks setLinkedPod, setLinkedPodIfAbsent or trySetLinkedPod. */
  async set({ ns, uid, svc }: LinkParams, body: unknown, query: unknown): Promise<SetLinkAnswer> {
    strictQuery(query, []);
    const fields = strictBody(body, SET_LINK_FIELDS);
    const podId = requiredField<number>(fields, 'podId');
    const persistSeconds = persistSecondsField(fields);
    const mode = oneOf(fields.mode, 'mode', LINK_MODES, 'set');
    if (mode === 'ifAbsent') {
      const linked = await this.store.setLinkedPodIfAbsent(ns, uid, svc, podId, persistSeconds);
      return { status: 200, body: { podId: linked } };
    }
    if (mode === 'try') {
      const result = await this.store.trySetLinkedPod(ns, uid, svc, podId, persistSeconds);
      return { status: result.success ? 200 : 409, body: result };
    }
    const previousPodId = await this.store.setLinkedPod(ns, uid, svc, podId, persistSeconds);
    return { status: 200, body: { podId, previousPodId } };
  }

  /** The link with its epoch; `persistentOnly`: 404 for a temporary link too. */
  async get({ ns, uid, svc }: LinkParams, query: unknown): Promise<LinkWithEpoch> {
    const { persistentOnly } = strictQuery(query, ['persistentOnly']);
    const onlyPersistent = booleanParam(persistentOnly, 'persistentOnly');
    const link = await this.store.getLink(ns, uid, svc);
    if (link === null || (onlyPersistent && !link.persistent)) {
      throw new NotFoundException(
        `user ${uid} has no ${onlyPersistent ? 'persistent ' : ''}link to service ${svc}`,
      );
    }
    return link;
  }

  /** Whether `podId` holds the user at `epoch`: the owner check for pods that speak HTTP. */
  async owner({ ns, uid, svc }: LinkParams, query: unknown): Promise<{ owner: boolean }> {
    const { podId, epoch } = strictQuery(query, ['podId', 'epoch']);
    const owner = await this.store.isLinkOwner(
      ns,
      uid,
      svc,
      integerParam(podId, 'podId'),
      integerParam(epoch, 'epoch'),
    );
    return { owner };
  }

  /** Without persistSeconds the link is deleted at once; with podId it is compare-and-remove. */
  async remove({ ns, uid, svc }: LinkParams, query: unknown): Promise<{ removed: boolean }> {
    const { persistSeconds, podId } = strictQuery(query, ['persistSeconds', 'podId']);
    const seconds = optionalIntegerParam(persistSeconds, 'persistSeconds') ?? -1;
    const expected = optionalIntegerParam(podId, 'podId');
    const removed =
      expected === undefined
        ? await this.store.removeLinkedPod(ns, uid, svc, seconds)
        : await this.store.removeLinkedPodWithId(ns, uid, svc, expected, seconds);
    return { removed };
  }

  async compute(
    { ns, uid, svc }: LinkParams,
    body: unknown,
    query: unknown,
  ): Promise<ComputeLinkResult> {
    strictQuery(query, []);
    const fields = strictBody(body, COMPUTE_LINK_FIELDS, { optional: true });
    const { maxLoad, maxAgeMs, excludePods, heal, goneAfterMs, missedBeats, loadTolerance } =
      fields;
    // As long as a batch may be (MAX_BATCH): each entry costs CPU on the request path.
    if (Array.isArray(excludePods) && excludePods.length > this.config.maxBatch) {
      throw new StatefulValidationError(
        'excludePods',
        `must list at most ${this.config.maxBatch} pods (MAX_BATCH)`,
      );
    }
    const options = {
      loadPerUser: fields.loadPerUser,
      maxLoad,
      maxAgeMs,
      excludePods,
      heal,
      goneAfterMs,
      missedBeats,
      loadTolerance,
    } as ComputeLinkOptions;
    const persistSeconds = persistSecondsField(fields);
    return namedAsRequest('options.', '', () =>
      this.store.computeLinkedPod(ns, uid, svc, persistSeconds, options),
    );
  }
}

/** `persistSeconds` may be left out (persistent); null is refused by strictBody, a bad value by the library. */
function persistSecondsField(fields: Record<string, unknown>): number {
  return (fields.persistSeconds ?? -1) as number;
}
