import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { StatefulValidationError } from '../../errors';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import type { ComputeLinkOptions } from '../../stateful/stateful.types';
import type { ServiceConfig } from '../config/environment';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import {
  ApiErrors,
  JsonBody,
  NamespaceParam,
  ServiceParam,
  UidParam,
  V1Docs,
} from './api-docs.decorators';
import {
  booleanParam,
  mapToObject,
  namedAsRequest,
  oneOf,
  optionalIntegerParam,
  requiredField,
  strictBody,
  strictQuery,
} from './request-parsing';
import {
  BatchGetBody,
  BatchGetResponse,
  ComputeLinkBody,
  ComputeLinkResponse,
  LinkResponse,
  LinksResponse,
  RemovedResponse,
  SetLinkBody,
  SetLinkResponse,
  TryLinkConflictResponse,
} from './schemas';
import { V1Routes } from './v1-routes.decorator';

const LINK_MODES = ['set', 'ifAbsent', 'try'] as const;

/** Users' links to pods (SPEC §5). */
@ApiTags('links')
@V1Docs()
@V1Routes()
@NamespaceParam()
@Controller('v1/namespaces/:ns')
export class LinksController {
  constructor(
    private readonly store: StatefulExecutorService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** One route, three operations: `mode` picks setLinkedPod, setLinkedPodIfAbsent or trySetLinkedPod. */
  @Put('users/:uid/links/:svc')
  @UidParam()
  @ServiceParam()
  @JsonBody(SetLinkBody)
  @ApiOkResponse({
    type: SetLinkResponse,
    description:
      'set: { podId, previousPodId }; ifAbsent: { podId } (the pod linked now); try: { success: true, podId }',
  })
  @ApiResponse({
    status: 409,
    type: TryLinkConflictResponse,
    description: 'mode try: a persistent link to another pod exists',
  })
  async setLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    strictQuery(query, []);
    const fields = strictBody(body, ['podId', 'persistSeconds', 'mode']);
    const podId = requiredField<number>(fields, 'podId');
    const persistSeconds = persistSecondsField(fields);
    const mode = oneOf(fields.mode, 'mode', LINK_MODES, 'set');
    if (mode === 'ifAbsent') {
      return { podId: await this.store.setLinkedPodIfAbsent(ns, uid, svc, podId, persistSeconds) };
    }
    if (mode === 'try') {
      const result = await this.store.trySetLinkedPod(ns, uid, svc, podId, persistSeconds);
      if (!result.success) reply.status(409);
      return result;
    }
    const previousPodId = await this.store.setLinkedPod(ns, uid, svc, podId, persistSeconds);
    return { podId, previousPodId };
  }

  @Post('users/:uid/links/:svc/compute')
  @HttpCode(200)
  @UidParam()
  @ServiceParam()
  @JsonBody(ComputeLinkBody, false)
  @ApiOkResponse({ type: ComputeLinkResponse })
  async computeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    const fields = strictBody(
      body,
      [
        'persistSeconds',
        'maxLoad',
        'maxAgeMs',
        'excludePods',
        'heal',
        'goneAfterMs',
        'loadTolerance',
      ],
      { optional: true },
    );
    const { maxLoad, maxAgeMs, excludePods, heal, goneAfterMs, loadTolerance } = fields;
    const options = {
      maxLoad,
      maxAgeMs,
      excludePods,
      heal,
      goneAfterMs,
      loadTolerance,
    } as ComputeLinkOptions;
    const persistSeconds = persistSecondsField(fields);
    return namedAsRequest('options.', '', () =>
      this.store.computeLinkedPod(ns, uid, svc, persistSeconds, options),
    );
  }

  @Get('users/:uid/links/:svc')
  @UidParam()
  @ServiceParam()
  @ApiQuery({
    name: 'persistentOnly',
    required: false,
    schema: { type: 'boolean', default: false },
    description: 'true: only a persistent link',
  })
  @ApiOkResponse({ type: LinkResponse })
  @ApiErrors(404)
  async getLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    const { persistentOnly } = strictQuery(query, ['persistentOnly']);
    const podId = booleanParam(persistentOnly, 'persistentOnly')
      ? await this.store.getLinkedPodIfPersist(ns, uid, svc)
      : await this.store.getLinkedPod(ns, uid, svc);
    if (podId === null) throw new NotFoundException(`user ${uid} has no link to service ${svc}`);
    return { podId };
  }

  /** Without persistSeconds the link is deleted at once; with podId it is compare-and-remove. */
  @Delete('users/:uid/links/:svc')
  @UidParam()
  @ServiceParam()
  @ApiQuery({
    name: 'persistSeconds',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    description: 'keep as a temporary link this many seconds; omitted: delete now',
  })
  @ApiQuery({
    name: 'podId',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    description: 'compare-and-remove: only if linked to this pod',
  })
  @ApiOkResponse({ type: RemovedResponse })
  async removeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    const { persistSeconds, podId } = strictQuery(query, ['persistSeconds', 'podId']);
    const seconds = optionalIntegerParam(persistSeconds, 'persistSeconds') ?? -1;
    const expected = optionalIntegerParam(podId, 'podId');
    const removed =
      expected === undefined
        ? await this.store.removeLinkedPod(ns, uid, svc, seconds)
        : await this.store.removeLinkedPodWithId(ns, uid, svc, expected, seconds);
    return { removed };
  }

  @Get('users/:uid/links')
  @UidParam()
  @ApiOkResponse({ type: LinksResponse })
  async getLinkService(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    return { links: mapToObject(await this.store.getLinkService(ns, uid)) };
  }

  @Post('services/:svc/links/batch-get')
  @HttpCode(200)
  @ServiceParam()
  @JsonBody(BatchGetBody)
  @ApiOkResponse({ type: BatchGetResponse })
  async getLinkedPods(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    const uids = requiredField<unknown>(strictBody(body, ['uids']), 'uids');
    if (Array.isArray(uids) && uids.length > this.config.maxBatch) {
      throw new StatefulValidationError('uids', `must list at most ${this.config.maxBatch}`);
    }
    return { pods: mapToObject(await this.store.getLinkedPods(ns, uids as string[], svc)) };
  }
}

/** `persistSeconds` may be left out (persistent); null is refused by strictBody, a bad value by the library. */
function persistSecondsField(fields: Record<string, unknown>): number {
  return (fields.persistSeconds ?? -1) as number;
}
