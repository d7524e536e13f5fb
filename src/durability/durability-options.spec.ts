import { StatefulValidationError } from '../errors';
import { assertWaitFitsCommandTimeout, resolveDurability } from './durability-options';

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

describe('assertWaitFitsCommandTimeout', () => {
  const refusal = (
    timeoutMs: number,
    redis: Parameters<typeof assertWaitFitsCommandTimeout>[1],
  ) => {
    try {
      assertWaitFitsCommandTimeout({ replicas: 1, timeoutMs }, redis);
      return undefined;
    } catch (error) {
      return error;
    }
  };

  it('wants two WAITs to fit in the command timeout (default 5000 ms)', () => {
    expect(refusal(200, { url: 'redis://x' })).toBeUndefined();
    expect(refusal(2_399, { url: 'redis://x' })).toBeUndefined();
    expect(refusal(2_400, { url: 'redis://x' })).toMatchObject({ field: 'durability.timeoutMs' });
    expect(refusal(399, { url: 'redis://x', commandTimeoutMs: 1_000 })).toBeUndefined();
    const error = refusal(500, { url: 'redis://x', commandTimeoutMs: 1_000 });
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect(error).toMatchObject({ field: 'durability.timeoutMs' });
    expect((error as Error).message).toMatch(/two WAITs before redis.commandTimeoutMs \(1000 ms\)/);
    expect(refusal(2_500, { url: 'redis://x' })).toMatchObject({ field: 'durability.timeoutMs' });
  });

  it('leaves a client handed in alone: its timeout is its own', () => {
    expect(refusal(60_000, { client: {} as never })).toBeUndefined();
  });
});

describe('assertWaitFitsCommandTimeout: the timeout ioredis really applies', () => {
  const fieldOf = (redis: Parameters<typeof assertWaitFitsCommandTimeout>[1]) => {
    try {
      assertWaitFitsCommandTimeout({ replicas: 1, timeoutMs: 200 }, redis);
      return undefined;
    } catch (error) {
      expect(error).toMatchObject({ field: 'durability.timeoutMs' });
      return (error as Error).message;
    }
  };

  it('redisOptions.commandTimeout wins over commandTimeoutMs, as in the clients the library builds', () => {
    expect(
      fieldOf({ url: 'redis://x', commandTimeoutMs: 5_000, redisOptions: { commandTimeout: 100 } }),
    ).toMatch(/two WAITs before redis.redisOptions.commandTimeout \(100 ms\)/);
    expect(
      fieldOf({ url: 'redis://x', commandTimeoutMs: 100, redisOptions: { commandTimeout: 5_000 } }),
    ).toBeUndefined();
  });

  it("a Cluster's own redisOptions win over both", () => {
    expect(
      fieldOf({
        cluster: {
          nodes: [{ host: 'a', port: 1 }],
          options: { redisOptions: { commandTimeout: 300 } },
        },
        redisOptions: { commandTimeout: 5_000 },
      }),
    ).toMatch(/two WAITs before redis.cluster.options.redisOptions.commandTimeout \(300 ms\)/);
  });

  it('no command timeout at all (commandTimeout undefined in redisOptions): nothing to fit', () => {
    expect(
      fieldOf({ url: 'redis://x', redisOptions: { commandTimeout: undefined } }),
    ).toBeUndefined();
  });
});
