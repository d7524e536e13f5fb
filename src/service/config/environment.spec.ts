import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { StatefulValidationError } from '../../errors';
import { EnvironmentError, loadServiceConfig, startErrorLine } from './environment';

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
  it('reads the gateway route: uid header, route defaults and the upstream template', () => {
    expect(loadServiceConfig({}).route).toEqual({
      uidHeader: 'x-stateful-uid',
      upstreamTemplate: undefined,
    });
    const route = loadServiceConfig({
      ROUTE_UID_HEADER: 'X-Player-Id',
      ROUTE_MAX_LOAD: '100.5',
      ROUTE_MAX_AGE_MS: '15000',
      ROUTE_LOAD_TOLERANCE: '3',
      ROUTE_GONE_AFTER_MS: '9000',
      ROUTE_UPSTREAM_TEMPLATE: '{svc}-{podId}.{svc}.{ns}.svc.cluster.local:8080',
    }).route;
    expect(route).toMatchObject({
      uidHeader: 'x-player-id',
      maxLoad: 100.5,
      maxAgeMs: 15000,
      loadTolerance: 3,
      goneAfterMs: 9000,
    });
    expect(route.upstreamTemplate?.address('prod', 'game', 2)).toBe(
      'game-2.game.prod.svc.cluster.local:8080',
    );
  });

  it('refuses bad route variables, naming them', () => {
    rejects({ ROUTE_UID_HEADER: 'x stateful uid' }, 'ROUTE_UID_HEADER');
    rejects({ ROUTE_UID_HEADER: 'x-uid:' }, 'ROUTE_UID_HEADER');
    rejects({ ROUTE_MAX_LOAD: '-1' }, 'ROUTE_MAX_LOAD');
    rejects({ ROUTE_MAX_LOAD: 'many' }, 'ROUTE_MAX_LOAD');
    rejects({ ROUTE_MAX_LOAD: '0' }, 'ROUTE_MAX_LOAD');
    rejects({ ROUTE_MAX_AGE_MS: '1.5' }, 'ROUTE_MAX_AGE_MS');
    rejects({ ROUTE_LOAD_TOLERANCE: '1e3' }, 'ROUTE_LOAD_TOLERANCE');
    rejects({ ROUTE_GONE_AFTER_MS: '-5' }, 'ROUTE_GONE_AFTER_MS');
    rejects({ ROUTE_UPSTREAM_TEMPLATE: '{svc}-{id}:80' }, 'ROUTE_UPSTREAM_TEMPLATE');
    rejects({ ROUTE_UPSTREAM_TEMPLATE: 'game:80' }, 'ROUTE_UPSTREAM_TEMPLATE');
    rejects({ ROUTE_UPSTREAM_TEMPLATE: '{svc}-{podId}' }, 'ROUTE_UPSTREAM_TEMPLATE');
  });

  it('defaults: port 3000 against redis://127.0.0.1:6379, the go key layout', () => {
    expect(loadServiceConfig({}).keyPrefix).toBeUndefined();
    expect(loadServiceConfig({})).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      logRequests: false,
      apiToken: undefined,
      keyLayout: 'go',
      shutdownDelayMs: 0,
      redis: { url: 'redis://127.0.0.1:6379', poolSize: 1, commandTimeoutMs: 2000 },
    });
  });

  it('reads the HTTP edge limits and a 16-256 character visible-ASCII token', () => {
    const config = loadServiceConfig({
      REQUEST_TIMEOUT_MS: '2500',
      MAX_BATCH: '50',
      API_TOKEN: 'a-token-of-16-ch',
    });
    expect(config).toMatchObject({
      requestTimeoutMs: 2500,
      maxBatch: 50,
      apiToken: 'a-token-of-16-ch',
    });
    expect(loadServiceConfig({})).toMatchObject({
      requestTimeoutMs: 10_000,
      maxBatch: 1_000,
      podTableTtlMs: 1_000,
    });
    // Unset: the library's default for the layout (split, or java in the java key layout).
    expect(loadServiceConfig({}).podStatusFormat).toBeUndefined();
    expect(loadServiceConfig({ REDIS_KEY_LAYOUT: 'java', REDIS_KEY_PREFIX: 'slug' })).toMatchObject(
      {
        keyLayout: 'java',
        keyPrefix: 'slug',
      },
    );
    rejects({ REDIS_KEY_LAYOUT: 'Java' }, 'REDIS_KEY_LAYOUT');
    rejects(
      { REDIS_KEY_LAYOUT: 'java', REDIS_URL: '', REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
      'REDIS_KEY_LAYOUT',
    );
    rejects({ REDIS_KEY_LAYOUT: 'java', POD_STATUS_FORMAT: 'split' }, 'POD_STATUS_FORMAT');
    expect(loadServiceConfig({ POD_STATUS_FORMAT: 'java', POD_TABLE_TTL_MS: '0' })).toMatchObject({
      podTableTtlMs: 0,
      podStatusFormat: 'java',
    });
    expect(loadServiceConfig({}).linkCache).toBeUndefined();
    expect(loadServiceConfig({ LINK_CACHE_MAX_ENTRIES: '0' }).linkCache).toBeUndefined();
    expect(
      loadServiceConfig({ LINK_CACHE_MAX_ENTRIES: '5000', LINK_CACHE_TTL_MS: '2000' }).linkCache,
    ).toEqual({ maxEntries: 5_000, ttlMs: 2_000 });
    expect(loadServiceConfig({}).durability).toBeUndefined();
    expect(loadServiceConfig({ REDIS_WAIT_REPLICAS: '1' }).durability).toEqual({
      replicas: 1,
      timeoutMs: 200,
    });
  });

  it('names the variable behind a library option refused at start', () => {
    expect(
      startErrorLine(new StatefulValidationError('redis.url', 'Redis refused database 99')),
    ).toBe('Invalid environment variable REDIS_URL: Redis refused database 99');
    expect(startErrorLine(new StatefulValidationError('options.x', 'bad'))).toBe(
      'Invalid configuration options.x: bad',
    );
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
    [{ API_TOKEN: 'sixteen chars ok' }, 'API_TOKEN'],
    [{ API_TOKEN: 'x'.repeat(257) }, 'API_TOKEN'],
    [{ API_TOKEN: 'tökentökentökentöken' }, 'API_TOKEN'],
    [{ REDIS_URL: 'redis://127.0.0.1:notaport' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379/x' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }, 'REDIS_CLUSTER_NODES'],
    [
      { REDIS_URL: 'redis://a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS',
    ],
    [{ REQUEST_TIMEOUT_MS: '0' }, 'REQUEST_TIMEOUT_MS'],
    [{ MAX_BATCH: '0' }, 'MAX_BATCH'],
    [{ POD_TABLE_TTL_MS: '-1' }, 'POD_TABLE_TTL_MS'],
    [{ LINK_CACHE_MAX_ENTRIES: '-1' }, 'LINK_CACHE_MAX_ENTRIES'],
    [{ LINK_CACHE_MAX_ENTRIES: 'lots' }, 'LINK_CACHE_MAX_ENTRIES'],
    [{ LINK_CACHE_TTL_MS: '0' }, 'LINK_CACHE_TTL_MS'],
    [{ REDIS_WAIT_REPLICAS: '-1' }, 'REDIS_WAIT_REPLICAS'],
    [{ REDIS_WAIT_TIMEOUT_MS: '0' }, 'REDIS_WAIT_TIMEOUT_MS'],
    // Two WAITs must fit in the command timeout (2000 ms by default here).
    [{ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000' }, 'REDIS_WAIT_TIMEOUT_MS'],
    [{ POD_STATUS_FORMAT: 'xml' }, 'POD_STATUS_FORMAT'],
    [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS'],
    [{ REDIS_TLS_CA_FILE: '/no/such/file.pem' }, 'REDIS_TLS_CA_FILE'],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
    [{ SHUTDOWN_DELAY_MS: '-1' }, 'SHUTDOWN_DELAY_MS'],
  ])('rejects %j naming %s', (env, variable) => rejects(env, variable));
});
