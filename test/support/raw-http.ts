import { connect, type Socket } from 'net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** ms from the first byte sent until the response's first byte. */
  afterMs: number;
}

/**
 * A client that writes HTTP by hand, to send what fetch cannot: headers without their body, a
 * body byte by byte, a stall. `response` resolves with the first response on the socket; `closed`
 * when the server closes it.
 */
export function rawConnection(port: number): {
  socket: Socket;
  write(data: string | Buffer): void;
  response: Promise<RawResponse>;
  closed: Promise<void>;
} {
  const socket = connect(port, '127.0.0.1');
  let started = 0;
  let received = Buffer.alloc(0);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = new Promise<RawResponse>((resolve, reject) => {
    let firstByteAt = 0;
    socket.on('data', (chunk: Buffer) => {
      firstByteAt ||= Date.now();
      received = Buffer.concat([received, chunk]);
      const parsed = parse(received);
      if (parsed) resolve({ ...parsed, afterMs: firstByteAt - started });
    });
    socket.once('error', reject);
    socket.once('close', () =>
      reject(new Error(`closed without a full response: ${received.toString()}`)),
    );
  });
  response.catch(() => undefined);
  return {
    socket,
    write(data) {
      started ||= Date.now();
      socket.write(data);
    },
    response,
    closed,
  };
}

function parse(data: Buffer): Omit<RawResponse, 'afterMs'> | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: data.subarray(end + 4, end + 4 + length).toString('utf8'),
  };
}
