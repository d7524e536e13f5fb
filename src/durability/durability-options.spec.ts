import { StatefulValidationError } from '../errors';
import { resolveDurability } from './durability-options';

describe('resolveDurability', () => {
  it('fills in the default timeout', () => {
    expect(resolveDurability({ replicas: 1 })).toEqual({ replicas: 1, timeoutMs: 200 });
    expect(resolveDurability({ replicas: 2, timeoutMs: 50 })).toEqual({
      replicas: 2,
      timeoutMs: 50,
    });
  });

  it.each([
    [null, 'durability'],
    [{}, 'durability.replicas'],
    [{ replicas: 0 }, 'durability.replicas'],
    [{ replicas: 1.5 }, 'durability.replicas'],
    [{ replicas: 1, timeoutMs: 0 }, 'durability.timeoutMs'],
    [{ replicas: 1, timeoutMs: 60_001 }, 'durability.timeoutMs'],
  ])('refuses %j naming %s', (options, field) => {
    let caught: unknown;
    try {
      resolveDurability(options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StatefulValidationError);
    expect((caught as StatefulValidationError).field).toBe(field);
  });
});
