import { StatefulValidationError } from '../errors';
import { resolveLinkCacheOptions } from '../cache/link-cache-options';
import { assertWaitFitsCommandTimeout, resolveDurability } from '../durability/durability-options';
import { resolvePodAgent } from '../pods/pod-agent-options';
import { validateKeyPrefix } from '../core/stateful-keys';
import { DEFAULT_KEY_PREFIX } from '../core/stateful.constants';
import * as check from '../core/validators';
import { validateRedisOptions } from '../redis/redis-options.validation';
import type { StatefulModuleOptions } from './stateful-module-options';

/** StatefulModule's options (and `isGlobal`, the module builder's extra). */
const KNOWN_OPTIONS = new Set([
  'redis',
  'keyPrefix',
  'podTableTtlMs',
  'podStatusFormat',
  'cache',
  'durability',
  'pod',
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
  validateKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const { podTableTtlMs, podStatusFormat, pod } = options;
  if (podTableTtlMs !== undefined) {
    check.assertIntegerIn(podTableTtlMs, 'podTableTtlMs', 0, 3_600_000, ' (ms)');
  }
  if (podStatusFormat !== undefined && podStatusFormat !== 'split' && podStatusFormat !== 'java') {
    throw new StatefulValidationError('podStatusFormat', "must be 'split' or 'java'");
  }
  if (pod !== undefined) resolvePodAgent(pod);
  if (options.cache !== undefined) resolveLinkCacheOptions(options.cache);
  validateRedisOptions(options.redis);
  if (options.durability !== undefined) {
    assertWaitFitsCommandTimeout(resolveDurability(options.durability), options.redis);
  }
}
