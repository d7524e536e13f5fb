import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/service/app.factory';
import { loadServiceConfig } from '../../src/service/config/environment';
import { RedisServer } from './redis-server';

export interface ServiceResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * The real standalone service (Fastify, the app module main.ts uses) on a free loopback port,
 * against a private Redis, driven over real HTTP.
 */
export interface ServiceTestbed {
  server: RedisServer;
  app: NestFastifyApplication;
  port: number;
  baseUrl: string;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string | Buffer; token?: string; contentType?: string },
  ): Promise<ServiceResponse>;
  close(): Promise<void>;
}

export async function startService(env: Record<string, string> = {}): Promise<ServiceTestbed> {
  const server = await RedisServer.start();
  const config = loadServiceConfig({ REDIS_URL: server.url, LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    server,
    app,
    port: address.port,
    baseUrl,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let payload: string | Buffer | undefined;
      if (options.raw !== undefined || options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        payload = options.raw ?? JSON.stringify(options.body);
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (metrics, docs)
      }
      return { status: response.status, body, headers: response.headers };
    },
    async close() {
      await app.close();
      await server.destroy();
    },
  };
}

/** beforeAll/afterAll around a service; fields are filled in beforeAll. */
export function useService(env?: Record<string, string>): ServiceTestbed {
  const bed = {} as ServiceTestbed;
  beforeAll(async () => {
    Object.assign(bed, await startService(env));
  }, 60_000);
  afterAll(() => bed.close?.());
  return bed;
}
