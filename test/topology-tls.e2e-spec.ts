import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import {
  RedisHealthIndicator,
  RedisUnavailableError,
  StatefulExecutorService,
  StatefulModule,
  type RedisModuleOptions,
} from '../src';
import { RedisServer, freePort } from './support/redis-server';
import { TestCertificates } from './support/tls-certificates';

/** TLS smoke suite: a TLS-only redis-server that requires client certificates, made by openssl here. */
describe('TLS', () => {
  let certificates: TestCertificates;
  let server: RedisServer;

  beforeAll(async () => {
    certificates = await TestCertificates.create();
    const port = await freePort();
    server = await RedisServer.start(certificates.serverArgs(port), port);
  }, 60_000);
  afterAll(async () => {
    await server.destroy();
    certificates.destroy();
  });

  const boot = async (redis: RedisModuleOptions): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis })],
    }).compile();
    return moduleRef.createNestApplication({ logger: false }).init();
  };
  const clientTls = () => ({
    ca: certificates.read('ca.crt'),
    cert: certificates.read('client.crt'),
    key: certificates.read('client.key'),
  });

  it.each([
    ['host + tls options', () => ({ host: '127.0.0.1', port: server.port, tls: clientTls() })],
    [
      'rediss:// URL + client certificate',
      () => ({ url: `rediss://localhost:${server.port}`, tls: clientTls() }),
    ],
  ])('serves every kind of operation over %s', async (_how, options) => {
    const app = await boot(options());
    try {
      const executor = app.get(StatefulExecutorService);
      await executor.reportPodLoad('tls', 'game', 1, 0);
      await expect(executor.computeLinkedPod('tls', 'u1', 'game', -1)).resolves.toEqual({
        podId: 1,
        created: true,
        epoch: expect.any(Number),
      });
      await expect(executor.getLinkedPods('tls', ['u1', 'u2'], 'game')).resolves.toEqual(
        new Map([[1, ['u1']]]),
      );
      await expect(executor.removeLinkedPod('tls', 'u1', 'game', -1)).resolves.toBe(true);
      await expect(app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
        redis: { status: 'up', nodes: 1 },
      });
    } finally {
      await app.close();
    }
  });

  it('refuses a server whose certificate the CA does not vouch for, with the typed error', async () => {
    const app = await boot({
      host: '127.0.0.1',
      port: server.port,
      tls: { cert: certificates.read('client.crt'), key: certificates.read('client.key') }, // no CA: untrusted
      connectTimeoutMs: 1_000,
      redisOptions: { retryStrategy: () => null },
    });
    try {
      const error = await app
        .get(StatefulExecutorService)
        .getLinkedPod('tls', 'u1', 'game')
        .catch((e: unknown) => e);
      // The options differ from the accepted ones above only by the missing CA: the certificate is why.
      expect(error).toBeInstanceOf(RedisUnavailableError);
      await expect(app.get(RedisHealthIndicator).isHealthy()).resolves.toMatchObject({
        redis: { status: 'down' },
      });
    } finally {
      await app.close();
    }
  });
});
