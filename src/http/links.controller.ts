import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiTokenGuard } from './api-token.guard';
import type { FastifyReply } from 'fastify';
import { StatefulExecutorService } from '../stateful/stateful-executor.service';
import * as check from '../stateful/stateful-validators';
import type { ComputeLinkOptions } from '../stateful/stateful.types';
import {
  booleanParam,
  mapToObject,
  objectBody,
  oneOf,
  optionalIntegerParam,
  requiredField,
} from './request-parsing';
import { MeasuredOperations } from '../metrics/measured-operations.decorator';

const LINK_MODES = ['set', 'ifAbsent', 'try'] as const;

/** Users' links to pods (SPEC §5). */
@ApiTags('links')
@ApiBearerAuth()
@UseGuards(ApiTokenGuard)
@MeasuredOperations()
@Controller('v1/namespaces/:ns')
export class LinksController {
  constructor(private readonly store: StatefulExecutorService) {}

  /** One route, three operations: `mode` picks setLinkedPod, setLinkedPodIfAbsent or trySetLinkedPod. */
  @Put('users/:uid/links/:svc')
  async setLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const fields = objectBody(body);
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
  async computeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
  ) {
    const fields = body === undefined || body === null ? {} : objectBody(body);
    // Checked here so that a 400 names the body's field (`maxLoad`), not the library's (`options.maxLoad`).
    const options: ComputeLinkOptions = {};
    if (fields.maxLoad !== undefined) {
      check.assertFiniteNumber(fields.maxLoad, 'maxLoad');
      options.maxLoad = fields.maxLoad;
    }
    if (fields.maxAgeMs !== undefined) {
      check.assertMaxAgeMs(fields.maxAgeMs, 'maxAgeMs');
      options.maxAgeMs = fields.maxAgeMs;
    }
    if (fields.excludePods !== undefined) {
      options.excludePods = check.uniqueList<number>(
        fields.excludePods,
        'excludePods',
        check.assertPodId,
      );
    }
    return this.store.computeLinkedPod(ns, uid, svc, persistSecondsField(fields), options);
  }

  @ApiQuery({
    name: 'persistentOnly',
    required: false,
    description: 'true: only a persistent link',
  })
  @Get('users/:uid/links/:svc')
  async getLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query('persistentOnly') persistentOnly?: string,
  ) {
    const podId = booleanParam(persistentOnly, 'persistentOnly')
      ? await this.store.getLinkedPodIfPersist(ns, uid, svc)
      : await this.store.getLinkedPod(ns, uid, svc);
    if (podId === null) throw new NotFoundException(`user ${uid} has no link to service ${svc}`);
    return { podId };
  }

  /** Without persistSeconds the link is deleted at once; with podId it is compare-and-remove. */
  @ApiQuery({
    name: 'persistSeconds',
    required: false,
    description: 'keep as a temporary link this long; omitted: delete now',
  })
  @ApiQuery({
    name: 'podId',
    required: false,
    description: 'compare-and-remove: only if linked to this pod',
  })
  @Delete('users/:uid/links/:svc')
  async removeLinkedPod(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Param('svc') svc: string,
    @Query('persistSeconds') persistSeconds?: string,
    @Query('podId') podId?: string,
  ) {
    const seconds = optionalIntegerParam(persistSeconds, 'persistSeconds') ?? -1;
    const expected = optionalIntegerParam(podId, 'podId');
    const removed =
      expected === undefined
        ? await this.store.removeLinkedPod(ns, uid, svc, seconds)
        : await this.store.removeLinkedPodWithId(ns, uid, svc, expected, seconds);
    return { removed };
  }

  @Get('users/:uid/links')
  async getLinkService(@Param('ns') ns: string, @Param('uid') uid: string) {
    return { links: mapToObject(await this.store.getLinkService(ns, uid)) };
  }

  @Post('services/:svc/links/batch-get')
  @HttpCode(200)
  async getLinkedPods(@Param('ns') ns: string, @Param('svc') svc: string, @Body() body: unknown) {
    const uids = requiredField<string[]>(objectBody(body), 'uids');
    return { pods: mapToObject(await this.store.getLinkedPods(ns, uids, svc)) };
  }
}

/** `persistSeconds` may be left out (persistent); given, it must be valid (null is not "left out"). */
function persistSecondsField(fields: Record<string, unknown>): number {
  if (!('persistSeconds' in fields)) return -1;
  check.assertPersistSeconds(fields.persistSeconds);
  return fields.persistSeconds;
}
