import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Request and response bodies of the `/v1` API, for the OpenAPI document. The handlers parse
 * bodies themselves (strictly, see request-parsing.ts); these classes only describe them.
 */

const POD_ID = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;
const PERSIST_SECONDS_DESCRIPTION =
  '-1: persistent (the user is active); 1 to 2147483647: temporary, kept this many seconds (the reconnection grace period)';
const PERSIST_SECONDS = {
  type: 'integer',
  minimum: -1,
  maximum: 2_147_483_647,
  default: -1,
  example: -1,
  description: PERSIST_SECONDS_DESCRIPTION,
} as const;
const STATE = { type: 'string', minLength: 1, maxLength: 1024 } as const;

export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode!: number;
  @ApiProperty({ type: 'string', example: 'Bad Request' })
  error!: string;
  @ApiProperty({ type: 'string', example: 'Invalid podId: must be an integer' })
  message!: string;
}

export class StateBody {
  @ApiProperty({
    ...STATE,
    example: 'Ready',
    description: 'Ready, Draining, Shutdown, or any other string (treated as Ready)',
  })
  state!: string;
}

export class LoadBody {
  @ApiProperty({ type: 'number', minimum: 0, example: 12, description: 'a finite number >= 0' })
  load!: number;
}

export class WorkloadStateBody {
  @ApiProperty({ ...STATE, example: 'Available' })
  state!: string;
}

export class SetLinkBody {
  @ApiProperty({ ...POD_ID, example: 3 })
  podId!: number;
  @ApiPropertyOptional(PERSIST_SECONDS)
  persistSeconds?: number;
  @ApiPropertyOptional({
    type: 'string',
    enum: ['set', 'ifAbsent', 'try'],
    default: 'set',
    description:
      'set: link unconditionally; ifAbsent: keep an existing link; try: refuse (409) if a persistent link to another pod exists',
  })
  mode?: 'set' | 'ifAbsent' | 'try';
}

export class ComputeLinkBody {
  @ApiPropertyOptional(PERSIST_SECONDS)
  persistSeconds?: number;
  @ApiPropertyOptional({
    type: 'number',
    example: 100,
    description: 'pods whose load is at or above this are not picked',
  })
  maxLoad?: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    default: 30000,
    description: 'ignore load reports older than this (ms)',
  })
  maxAgeMs?: number;
  @ApiPropertyOptional({
    type: 'array',
    items: POD_ID,
    example: [2],
    description: 'pods never picked for a new link',
  })
  excludePods?: number[];
  @ApiPropertyOptional({
    type: 'boolean',
    default: true,
    description: 'move a user whose pod is gone to a live pod',
  })
  heal?: boolean;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description:
      'a pod whose last load report is older than this is gone (ms), whatever period it stated; omitted: missedBeats of its period plus the pod table age for a pod that stated one, else 90000',
  })
  goneAfterMs?: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 3,
    description: 'periods a pod that stated its period (everyMs) may miss before it is gone',
  })
  missedBeats?: number;
  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    default: 1,
    description:
      'what each user placed on a pod since its last report adds to its load, for every gateway (0: off)',
  })
  loadPerUser?: number;
  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    default: 0,
    description: 'pick at random among pods whose load is at most the lowest plus this',
  })
  loadTolerance?: number;
}

export class PodStatusBody {
  @ApiProperty({
    type: 'number',
    minimum: 0,
    example: 12,
    description: 'the pod load, a finite number >= 0',
  })
  load!: number;
  @ApiPropertyOptional({
    ...STATE,
    example: 'Ready',
    description: 'Ready, Draining, Shutdown...; omitted: left as it is',
  })
  state?: string;
  @ApiPropertyOptional({
    type: 'string',
    maxLength: 255,
    example: '10.0.3.7:8080',
    description:
      'where gateways reach the pod: host:port (IPv4, [IPv6] or a DNS name; port 1 to 65535); omitted: left as it is',
  })
  address?: string;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 100,
    maximum: 3_600_000,
    example: 5000,
    description:
      'the period (ms) the pod reports at: it is gone after missedBeats of them without a report; it holds for this report (omitted: the 90000 ms rule)',
  })
  everyMs?: number;
}

export class ReleaseBody {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: -1,
    maximum: 2_147_483_647,
    default: -1,
    description: '-1: delete the links; a TTL: keep them that many seconds as temporary links',
  })
  persistSeconds?: number;
}

export class LinkedUsersResponse {
  @ApiProperty({ type: 'array', items: { type: 'string' }, example: ['u1', 'u7'] })
  uids!: string[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    example: '0-1536',
    description: 'pass it back for the next page; null when the scan is complete',
  })
  cursor!: string | null;
}

export class ReleasedResponse {
  @ApiProperty({ type: 'integer', example: 42 })
  released!: number;
}

/** A link's fencing epoch (docs/operations.md). */
const EPOCH = {
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description:
    "the link's fencing epoch: greater than every epoch the link had before; the pod checks it before writing the user's state",
} as const;

export class BatchGetBody {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 256 },
    maxItems: 1000,
    example: ['u1', 'u2'],
    description: 'at most MAX_BATCH uids (default 1000)',
  })
  uids!: string[];
}

export class PodStateResponse {
  @ApiProperty({ ...POD_ID, example: 0 })
  podId!: number;
  @ApiProperty({ type: 'string', example: 'Ready' })
  state!: string;
}

export class PodsResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '0': 'Ready', '1': 'Draining' },
    description: 'pod id -> state',
  })
  pods!: Record<string, string>;
}

export class RemovedResponse {
  @ApiProperty({ type: 'boolean' })
  removed!: boolean;
}

export class PodLoadEntry {
  @ApiProperty({ type: 'number', example: 12 })
  load!: number;
  @ApiProperty({
    type: 'integer',
    example: 1700000000000,
    description: 'unix milliseconds, Redis clock',
  })
  updatedAt!: number;
}

export class LoadsResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/PodLoadEntry' },
    description: 'pod id -> fresh load report',
  })
  loads!: Record<string, PodLoadEntry>;
}

export class WorkloadResponse {
  @ApiProperty({ type: 'string', example: 'Available' })
  state!: string;
}

export class WorkloadsResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { game: 'Available' },
    description: 'service -> state, for services that have one',
  })
  workloads!: Record<string, string>;
}

export class SetLinkResponse {
  @ApiProperty({ ...POD_ID, example: 3, description: 'the pod the user is linked to now' })
  podId!: number;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'mode set: the pod linked before, or null',
  })
  previousPodId?: number | null;
  @ApiPropertyOptional({
    type: 'boolean',
    example: true,
    description: 'mode try: whether the link was made',
  })
  success?: boolean;
}

export class TryLinkConflictResponse {
  @ApiProperty({ type: 'boolean', example: false })
  success!: boolean;
  @ApiProperty({ ...POD_ID, example: 5, description: 'the pod holding the persistent link' })
  podId!: number;
}

export class ComputeLinkResponse {
  @ApiProperty({ ...POD_ID, example: 2 })
  podId!: number;
  @ApiPropertyOptional({
    ...POD_ID,
    example: 4,
    description:
      "set only for the call that moved the user off its pod, which was gone: that pod (hand the user's state over once)",
  })
  movedFrom?: number;
  @ApiProperty({
    type: 'boolean',
    example: true,
    description: 'true when this call created the link',
  })
  created!: boolean;
  @ApiProperty({ ...EPOCH, example: 1765074635123456 })
  epoch!: number;
}

export class LinkResponse {
  @ApiProperty({ ...POD_ID, example: 3 })
  podId!: number;
  @ApiProperty({
    ...EPOCH,
    minimum: 0,
    example: 1765074635123456,
    description:
      "the link's fencing epoch; 0 when a Go/Java original wrote the link (none issued yet)",
  })
  epoch!: number;
  @ApiProperty({ type: 'boolean', example: true, description: 'false for a temporary link' })
  persistent!: boolean;
}

export class LinkOwnerResponse {
  @ApiProperty({
    type: 'boolean',
    example: true,
    description: 'whether the pod still holds the user at that epoch (read from Redis)',
  })
  owner!: boolean;
}

export class LinksResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { game: 3 },
    description: "service -> pod, the user's persistent links",
  })
  links!: Record<string, number>;
}

export class BatchGetResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { '3': ['u1'] },
    description: 'pod id -> the uids linked to it',
  })
  pods!: Record<string, string[]>;
}

export class AddressesResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '0': '10.0.3.7:8080', '1': '10.0.3.8:8080' },
    description: 'pod id -> host:port, for the pods that reported an address',
  })
  addresses!: Record<string, string>;
}
