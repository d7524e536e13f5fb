import { Command } from 'ioredis';
import type { RedisClient } from './redis-connection-pool';

/**
 * Sends one command the way ioredis' generated methods (`client.evalsha(...)`) do, without their
 * rest-argument and callback juggling, which showed in the profile of the hot path. Keeps what
 * those methods honour: utf8 replies and the client's own `keyPrefix` (a client passed in).
 */
export function sendCommand(
  client: RedisClient,
  name: string,
  args: (string | number)[],
): Promise<unknown> {
  const command = new Command(name, args, {
    replyEncoding: 'utf8',
    keyPrefix: (client.options as { keyPrefix?: string }).keyPrefix,
  });
  return client.sendCommand(command) as Promise<unknown>;
}
