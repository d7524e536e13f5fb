import { Cluster, Redis } from 'ioredis';
import { createRedisConnectionPool } from './redis-client.factory';

/** Which ioredis client each topology gets, and with which options (lazyConnect: nothing connects). */
describe('createRedisConnectionPool', () => {
  const lazy = { redisOptions: { lazyConnect: true } };

  it('a URL gives a Redis client with the timeouts applied', async () => {
    const pool = createRedisConnectionPool({
      url: 'redis://user:pw@10.1.2.3:6380/2',
      commandTimeoutMs: 900,
      ...lazy,
    });
    const client = pool.clients[0] as Redis;
    expect(client).toBeInstanceOf(Redis);
    expect(client.options).toMatchObject({
      host: '10.1.2.3',
      port: 6380,
      db: 2,
      username: 'user',
      password: 'pw',
      commandTimeout: 900,
    });
    expect(pool.owned).toBe(true);
    await pool.close();
  });

  it('rediss:// enables TLS; tls: true and tls options do too', async () => {
    const viaUrl = createRedisConnectionPool({ url: 'rediss://cache:6380', ...lazy });
    expect((viaUrl.clients[0] as Redis).options.tls).toBeDefined();
    const viaFlag = createRedisConnectionPool({ host: 'cache', tls: true, ...lazy });
    expect((viaFlag.clients[0] as Redis).options.tls).toEqual({});
    const viaOptions = createRedisConnectionPool({
      host: 'cache',
      tls: { servername: 'cache.example' },
      ...lazy,
    });
    expect((viaOptions.clients[0] as Redis).options.tls).toEqual({ servername: 'cache.example' });
    await Promise.all([viaUrl.close(), viaFlag.close(), viaOptions.close()]);
  });

  it('cluster nodes give a Cluster client per pooled connection', async () => {
    const pool = createRedisConnectionPool({
      cluster: { nodes: [{ host: '127.0.0.1', port: 7000 }], options: { lazyConnect: true } },
      password: 'pw',
      poolSize: 2,
    });
    expect(pool.clients).toHaveLength(2);
    expect(pool.clients[0]).toBeInstanceOf(Cluster);
    expect(pool.isCluster).toBe(true);
    expect((pool.clients[0] as Cluster).options.redisOptions).toMatchObject({ password: 'pw' });
    await pool.close();
  });

  it('sentinel settings give a Redis client in sentinel mode', async () => {
    const pool = createRedisConnectionPool({
      sentinel: {
        sentinels: [{ host: '127.0.0.1', port: 26379 }],
        name: 'mymaster',
        sentinelPassword: 's',
      },
      ...lazy,
    });
    const client = pool.clients[0] as Redis;
    expect(client.options).toMatchObject({ name: 'mymaster', sentinelPassword: 's' });
    expect(client.options.sentinels).toEqual([{ host: '127.0.0.1', port: 26379 }]);
    await pool.close();
  });

  it('a user client is used as is and not owned', async () => {
    const own = new Redis({ lazyConnect: true });
    const pool = createRedisConnectionPool({ client: own });
    expect(pool.clients).toEqual([own]);
    expect(pool.owned).toBe(false);
    await pool.close();
    expect(own.status).toBe('wait');
    own.disconnect();
  });
});
