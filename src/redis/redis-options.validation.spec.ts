import { StatefulValidationError } from '../errors';
import type { RedisModuleOptions } from './redis-module-options';
import { parseRedisUrl, selectedDatabase, validateRedisOptions } from './redis-options.validation';

/** The field a bad option is refused with, or undefined when it is accepted. */
function refusedField(options: RedisModuleOptions): string | undefined {
  try {
    validateRedisOptions(options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(StatefulValidationError);
    return (error as StatefulValidationError).field;
  }
}

describe('validateRedisOptions', () => {
  it.each([
    'redis://127.0.0.1:notaport',
    'redis://127.0.0.1:70000',
    'redis://',
    'http://127.0.0.1:6379',
    'redis://127.0.0.1:6379/abc',
    'redis://127.0.0.1:6379/-1',
    'redis://127.0.0.1:6379/01',
    'redis://127.0.0.1:6379/1?db=2',
  ])('refuses the URL %s naming redis.url, never with a TypeError', (url) => {
    expect(refusedField({ url })).toBe('redis.url');
  });

  it.each([
    'redis://127.0.0.1:6379',
    'redis://127.0.0.1',
    'rediss://user:p%40ss@cache.example:6380/2',
    'redis://[::1]:6379/0',
    'redis://127.0.0.1:6379?db=3',
  ])('accepts %s', (url) => expect(refusedField({ url })).toBeUndefined());

  it.each<[RedisModuleOptions, string]>([
    [{ url: 'redis://a', host: 'b' }, 'redis'],
    [{ host: 'a', port: 0 }, 'redis.port'],
    [{ host: 'a', db: -1 }, 'redis.db'],
    [{ host: 'a', db: 1.5 }, 'redis.db'],
    [{ cluster: { nodes: [] } }, 'redis.cluster.nodes'],
    [{ cluster: { nodes: [{ host: 'a', port: 1 }] }, db: 2 }, 'redis.db'],
    [{ sentinel: { sentinels: [], name: 'm' } }, 'redis.sentinel.sentinels'],
    [{ poolSize: 0 }, 'redis.poolSize'],
    [{ connectTimeoutMs: 0 }, 'redis.connectTimeoutMs'],
    [{ commandTimeoutMs: 1.5 }, 'redis.commandTimeoutMs'],
    [{ maxRetriesPerRequest: -1 }, 'redis.maxRetriesPerRequest'],
  ])('refuses %j naming %s', (options, field) => expect(refusedField(options)).toBe(field));
});

describe('selectedDatabase', () => {
  it('reads db, else the URL path or ?db=, and leaves database 0 alone', () => {
    expect(selectedDatabase({ host: 'a', db: 4 })).toEqual({ db: 4, field: 'redis.db' });
    expect(selectedDatabase({ url: 'redis://a:1/99' })).toEqual({ db: 99, field: 'redis.url' });
    expect(selectedDatabase({ url: 'redis://a:1?db=7' })).toEqual({ db: 7, field: 'redis.url' });
    expect(selectedDatabase({ url: 'redis://a:1/0' })).toBeUndefined();
    expect(selectedDatabase({ url: 'redis://a:1' })).toBeUndefined();
    expect(selectedDatabase({ host: 'a' })).toBeUndefined();
    expect(parseRedisUrl('redis://a:1/12')).toEqual({ db: 12 });
  });
});
