import { StatefulValidationError } from '../errors';
import { resolveLinkCacheOptions } from './link-cache-options';

describe('resolveLinkCacheOptions', () => {
  it('fills in the default ttlMs', () => {
    expect(resolveLinkCacheOptions({ maxEntries: 10 })).toEqual({
      maxEntries: 10,
      ttlMs: 60_000,
      namespaces: undefined,
    });
  });

  it.each([
    [null, 'cache'],
    [[], 'cache'],
    [{}, 'cache.maxEntries'],
    [{ maxEntries: 0 }, 'cache.maxEntries'],
    [{ maxEntries: 1.5 }, 'cache.maxEntries'],
    [{ maxEntries: '10' }, 'cache.maxEntries'],
    [{ maxEntries: 10, ttlMs: 0 }, 'cache.ttlMs'],
    [{ maxEntries: 10, ttlMs: -1 }, 'cache.ttlMs'],
    [{ maxEntries: 10, namespaces: [] }, 'cache.namespaces'],
    [{ maxEntries: 10, namespaces: ['a:b'] }, 'cache.namespaces[0]'],
    [{ maxEntries: 10, namespaces: 'game' }, 'cache.namespaces'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => resolveLinkCacheOptions(options)).toThrow(StatefulValidationError);
    try {
      resolveLinkCacheOptions(options);
    } catch (error) {
      expect((error as StatefulValidationError).field).toBe(field);
    }
  });
});
