import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
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
import { LinkRequests } from './link-requests';
import { mapToObject, requiredField, strictBody, strictQuery } from './request-parsing';
import {
  BatchGetBody,
  BatchGetResponse,
  ComputeLinkBody,
  ComputeLinkResponse,
  LinkOwnerResponse,
  LinkResponse,
  LinksResponse,
  RemovedResponse,
  SetLinkBody,
  SetLinkResponse,
  TryLinkConflictResponse,
} from './schemas';
import { V1Routes } from './v1-routes.decorator';

/**
 * Users' links to pods (docs/http-api.md). The routes of one link (PUT, GET, DELETE, compute) are the work of
 * LinkRequests; on Fastify they are served by plain handlers (fastify-link-routes.ts), and these
 * methods declare them (path, OpenAPI) and serve them on Express.
 */
@ApiTags('links')
@V1Docs()
@V1Routes()
@NamespaceParam()
@Controller('v1/namespaces/:ns')
export class LinksController {
  constructor(
    private readonly store: StatefulExecutorService,
    private readonly links: LinkRequests,
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
    const answer = await this.links.set({ ns, uid, svc }, body, query);
    if (answer.status !== 200) reply.status(answer.status);
    return answer.body;
  }

  @Post('users/:uid/links/:svc/compute')
  @HttpCode(200)
  @UidParam()
  @ServiceParam()
  @JsonBody(ComputeLinkBody, false)
  @ApiOkResponse({ type: ComputeLinkResponse })
  computeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ) {
    return this.links.compute({ ns, uid, svc }, body, query);
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
  getLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    return this.links.get({ ns, uid, svc }, query);
  }

  @Get('users/:uid/links/:svc/owner')
  @UidParam()
  @ServiceParam()
  @ApiQuery({
    name: 'podId',
    required: true,
    schema: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    description: 'the pod asking',
  })
  @ApiQuery({
    name: 'epoch',
    required: true,
    schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    description: 'the epoch the pod holds the user at (x-stateful-epoch, or the compute answer)',
  })
  @ApiOkResponse({ type: LinkOwnerResponse })
  isLinkOwner(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    return this.links.owner({ ns, uid, svc }, query);
  }

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
  removeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    return this.links.remove({ ns, uid, svc }, query);
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
