import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EnvironmentError, loadServiceConfig } from './environment';

const rejects = (env: Record<string, string>, variable: string) => {
  try {
    loadServiceConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).variable).toBe(variable);
    expect((error as Error).message).toMatch(
      new RegExp(`^Invalid environment variable ${variable}: `),
    );
    return;
  }
  throw new Error(`expected ${variable} to be rejected`);
};

describe('loadServiceConfig', () => {
  it('defaults: port 3000 against redis://127.0.0.1:6379, prefix sf', () => {
    expect(loadServiceConfig({})).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      logRequests: false,
      apiToken: undefined,
      keyPrefix: 'sf',
      shutdownDelayMs: 0,
      redis: { url: 'redis://127.0.0.1:6379', poolSize: 1, commandTimeoutMs: 2000 },
    });
  });

  it('LOG_REQUESTS turns per-request log lines on', () => {
    expect(loadServiceConfig({ LOG_REQUESTS: 'true' }).logRequests).toBe(true);
    expect(loadServiceConfig({ LOG_REQUESTS: 'false' }).logRequests).toBe(false);
    rejects({ LOG_REQUESTS: 'sometimes' }, 'LOG_REQUESTS');
  });

  it('reads Cluster, Sentinel and TLS settings', () => {
    expect(loadServiceConfig({ REDIS_CLUSTER_NODES: 'a:7000, b:7001' }).redis.cluster).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
    });
    expect(
      loadServiceConfig({
        REDIS_SENTINELS: 's1:26379',
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_SENTINEL_PASSWORD: 'x',
      }).redis.sentinel,
    ).toEqual({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'mymaster',
      sentinelPassword: 'x',
    });
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    expect(loadServiceConfig({ REDIS_TLS_CA_FILE: join(dir, 'ca.pem') }).redis.tls).toEqual({
      ca: Buffer.from('CA'),
    });
    expect(loadServiceConfig({ REDIS_TLS: 'true' }).redis.tls).toEqual({});
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER_NODES: 'a:1,b' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_SENTINELS: 'a:1' }, 'REDIS_SENTINEL_NAME'],
    [
      { REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS',
    ],
    [{ REDIS_KEY_PREFIX: 'a{b' }, 'REDIS_KEY_PREFIX'],
    [{ REDIS_POOL_SIZE: '0' }, 'REDIS_POOL_SIZE'],
    [{ REDIS_COMMAND_TIMEOUT_MS: '1.5' }, 'REDIS_COMMAND_TIMEOUT_MS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ API_TOKEN: 'short' }, 'API_TOKEN'],
    [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS'],
    [{ REDIS_TLS_CA_FILE: '/no/such/file.pem' }, 'REDIS_TLS_CA_FILE'],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
    [{ SHUTDOWN_DELAY_MS: '-1' }, 'SHUTDOWN_DELAY_MS'],
  ])('rejects %j naming %s', (env, variable) => rejects(env, variable));
});
