import type { ChildProcess } from 'child_process';
import { readFileSync } from 'fs';
import { connect, type Socket } from 'net';
import { startServiceProcess } from '../support/service-process';
import { formatNumber, type Section } from '../support/report';

const SOCKETS = 300;
const ATTACK_MS = 10_000;

interface Attack {
  name: string;
  env: Record<string, string>;
  /** The Content-Length each socket announces; it sends one byte less. */
  bodyBytes: number;
}

/**
 * Stalled bodies (docs/reliability.md): 300 sockets each announce a body and send all of it but
 * one byte, then wait. Measured: the service process's peak RSS above its idle RSS (VmRSS from
 * /proc, sampled every 50 ms for 10 s), and how each socket was answered. The configuration before
 * the limits (1 MB bodies, no cap on bodies in flight, the whole REQUEST_TIMEOUT_MS to arrive) is
 * run in the same run, as the baseline.
 */
export async function stalledBodies(redisUrl: string): Promise<Section> {
  const attacks: Attack[] = [
    {
      name: 'before: 1 MB limit, no caps, 10 s to arrive',
      env: {
        BODY_LIMIT_BYTES: '1048576',
        MAX_BODIES_IN_FLIGHT: '100000',
        MAX_CONNECTIONS: '100000',
        BODY_TIMEOUT_MS: '10000',
      },
      bodyBytes: 1_048_576,
    },
    { name: 'defaults, 1 MB bodies', env: {}, bodyBytes: 1_048_576 },
    { name: 'defaults, bodies 1 byte under the limit', env: {}, bodyBytes: 316_384 },
  ];
  const rows: string[][] = [];
  for (const attack of attacks) {
    const result = await run(redisUrl, attack);
    console.log(
      `  ${attack.name}: peak RSS +${formatNumber(result.peakMb)} MB over ${formatNumber(result.idleMb)} MB idle; ${result.answers}`,
    );
    rows.push([
      attack.name,
      formatNumber(result.idleMb),
      formatNumber(result.peakMb),
      result.answers,
    ]);
  }
  return {
    title: 'Stalled bodies: 300 sockets, each one byte short of its body',
    notes: [
      'RSS of the service process (VmRSS), sampled every 50 ms over 10 s; REQUEST_TIMEOUT_MS=10000.',
    ],
    header: [
      'configuration',
      'idle RSS (MB)',
      'peak above idle (MB)',
      'answers to the 300 sockets',
    ],
    rows,
  };
}

async function run(
  redisUrl: string,
  attack: Attack,
): Promise<{ idleMb: number; peakMb: number; answers: string }> {
  const { child, port } = await startServiceProcess(redisUrl, {
    REQUEST_TIMEOUT_MS: '10000',
    ...attack.env,
  });
  try {
    for (let i = 0; i < 200; i++) await fetch(`http://127.0.0.1:${port}/health/live`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = rssMb(child);
    const answers = new Map<string, number>();
    const sockets: Socket[] = [];
    for (let i = 0; i < SOCKETS; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        if (answered) return;
        answered = true;
        const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 'other';
        answers.set(status, (answers.get(status) ?? 0) + 1);
      });
      socket.on('close', () => {
        if (!answered) answers.set('closed', (answers.get('closed') ?? 0) + 1);
        answered = true;
      });
      socket.write(
        `PUT /v1/namespaces/prod/users/u${i}/links/game HTTP/1.1\r\nHost: x\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${attack.bodyBytes}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(attack.bodyBytes - 1, 0x20));
      sockets.push(socket);
    }
    let peak = idle;
    const end = Date.now() + ATTACK_MS;
    while (Date.now() < end) {
      peak = Math.max(peak, rssMb(child));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    sockets.forEach((socket) => socket.destroy());
    const summary = [...answers]
      .sort()
      .map(([status, count]) => `${count} ${status}`)
      .join(', ');
    const unanswered = SOCKETS - [...answers.values()].reduce((a, b) => a + b, 0);
    return {
      idleMb: idle,
      peakMb: peak - idle,
      answers:
        unanswered > 0 ? `${summary}${summary ? ', ' : ''}${unanswered} still waiting` : summary,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}
