import { StatefulValidationError } from '../errors';
import { resolveLinkCacheOptions } from '../cache/link-cache-options';
import { assertWaitFitsCommandTimeout, resolveDurability } from '../durability/durability-options';
import { resolvePodAgent } from '../pods/pod-agent-options';
import { createStatefulKeys, validateKeyLayout } from '../core/stateful-keys';
import * as check from '../core/validators';
import { Cluster } from 'ioredis';
import { validateRedisOptions } from '../redis/redis-options.validation';
import type { StatefulModuleOptions } from './stateful-module-options';

/** StatefulModule's options (and `isGlobal`, the module builder's extra). */
const KNOWN_OPTIONS = new Set([
  'redis',
  'keyLayout',
  'keyPrefix',
  'podTableTtlMs',
  'podStatusFormat',
  'cache',
  'durability',
  'pod',
  'traceUids',
  'isGlobal',
]);

/**
 * Checks every StatefulModule option, naming the bad one; an option it does not know is refused
 * too (a typo must not silently run with the default). Runs before RedisModule creates its
 * connections, so a refused configuration leaves no socket open.
 */
export function validateStatefulModuleOptions(options: StatefulModuleOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('options', 'must be an object');
  }
  const unknown = Object.keys(options).filter((name) => !KNOWN_OPTIONS.has(name));
  if (unknown.length > 0) {
    throw new StatefulValidationError(
      unknown[0],
      `is not a StatefulModule option (it knows ${[...KNOWN_OPTIONS].join(', ')})`,
    );
  }
  if (options.redis === null || typeof options.redis !== 'object') {
    throw new StatefulValidationError(
      'redis',
      'is required (url, host, cluster, sentinel or client)',
    );
  }
  const keys = createStatefulKeys(validateKeyLayout(options.keyLayout), options.keyPrefix);
  const assertNamespace = (value: unknown, field: string) => keys.assertNamespace(value, field);
  const { podTableTtlMs, podStatusFormat, pod } = options;
  if (podTableTtlMs !== undefined) {
    check.assertIntegerIn(podTableTtlMs, 'podTableTtlMs', 0, 3_600_000, ' (ms)');
  }
  if (podStatusFormat !== undefined && podStatusFormat !== 'split' && podStatusFormat !== 'java') {
    throw new StatefulValidationError('podStatusFormat', "must be 'split' or 'java'");
  }
  if (keys.layout === 'java') assertJavaLayoutFits(options);
  if (options.traceUids !== undefined && typeof options.traceUids !== 'boolean') {
    throw new StatefulValidationError('traceUids', 'must be true or false');
  }
  if (pod !== undefined) resolvePodAgent(pod, assertNamespace);
  if (options.cache !== undefined) resolveLinkCacheOptions(options.cache, assertNamespace);
  validateRedisOptions(options.redis);
  if (options.durability !== undefined) {
    assertWaitFitsCommandTimeout(resolveDurability(options.durability), options.redis);
  }
}

/**
 * The java key layout works only where Java's does: a link and its user hash lie in different hash
 * slots, and every link script (Java's and this project's) changes both at once, which a Cluster
 * refuses. And Java reads only its own pod status format.
 */
function assertJavaLayoutFits(options: StatefulModuleOptions): void {
  if (options.podStatusFormat === 'split') {
    throw new StatefulValidationError(
      'podStatusFormat',
      "must be 'java' (or unset) with keyLayout 'java': Java reads only its own status format",
    );
  }
  const { cluster, client } = options.redis;
  if (cluster !== undefined || client instanceof Cluster) {
    throw new StatefulValidationError(
      'keyLayout',
      "'java' needs a single Redis (standalone or Sentinel), not a Cluster: in Java's layout a link and its user hash lie in different hash slots, and every link script changes both atomically",
    );
  }
}
