import type { Redis } from 'ioredis';

/** The server a connection is connected to, as its socket sees it (`ip:port`). */
export function remoteAddressOf(client: Redis): string | undefined {
  const socket = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } })
    .stream;
  return socket?.remoteAddress === undefined
    ? undefined
    : `${socket.remoteAddress}:${socket.remotePort}`;
}
