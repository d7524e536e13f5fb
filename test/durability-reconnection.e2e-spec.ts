import { connect, createServer, type AddressInfo, type Server, type Socket } from 'net';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisUnavailableError, StatefulExecutorService } from '../src';
import { startLibraryApp, unhandledDuring } from './support/library-app';
import { RedisServer } from './support/redis-server';
import { waitUntil } from './support/wait-until';

/**
 * `durability` across reconnections of one connection (SPEC §8): a write answered READONLY by a
 * demoted master is resent by the client after reconnecting (the library's Sentinel client does
 * so), while the WAIT behind it is answered, or resent, on its own. No write may be acknowledged
 * on a WAIT that did not follow it on the socket that ran it, and no rejection may go unobserved.
 * (Found by a review of the group commit; each test failed before its fix.)
 */
const NS = 'rec';

/**
 * A client with what createRedisConnectionPool gives a Sentinel client, minus the Sentinel: a
 * write answered READONLY reconnects and is sent again.
 */
function resendingAfterReadonly(port: number, commandTimeout: number): Redis {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    commandTimeout,
    maxRetriesPerRequest: 2,
    reconnectOnError: (error) => (error.message.includes('READONLY') ? 2 : false),
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * For a describe: a master and its replica, and the library (`durability: { replicas: 1 }`) on a
 * client that resends after READONLY, connected straight or through a FaultProxy.
 */
function useDemotableMaster(commandTimeout: number, throughProxy = false) {
  const bed = {} as {
    master: RedisServer;
    replica: RedisServer;
    proxy: FaultProxy;
    client: Redis;
    app: INestApplication;
    executor: StatefulExecutorService;
  };
  beforeAll(async () => {
    bed.master = await RedisServer.start();
    bed.replica = await RedisServer.startReplica(bed.master);
    let port = bed.master.port;
    if (throughProxy) {
      bed.proxy = new FaultProxy(bed.master.port);
      port = await bed.proxy.listen();
    }
    bed.client = resendingAfterReadonly(port, commandTimeout);
    ({ app: bed.app, executor: bed.executor } = await startLibraryApp({
      redis: { client: bed.client },
      durability: { replicas: 1, timeoutMs: 300 },
    }));
  }, 60_000);
  afterAll(async () => {
    await bed.app?.close();
    bed.client?.disconnect();
    bed.proxy?.server.close();
    await bed.replica?.destroy();
    await bed.master?.destroy();
  });
  return bed;
}
const SVC = 'game';

/**
 * A master demoted under a connected client (FAILOVER, managed failovers, or the window before the
 * Sentinel's +switch-master): the write is answered READONLY, which the library's own Sentinel
 * client (`reconnectOnError: READONLY -> 2`) resends after reconnecting, so the write's promise
 * stays pending across the reconnection, while the WAIT sent after it is answered at once with
 * an error. Nobody listens to that WAIT's rejection until the write settles.
 */
describe('durability: a write answered READONLY and resent by reconnectOnError', () => {
  const bed = useDemotableMaster(2_000);

  it('fails typed, with no unhandled rejection of the WAIT', async () => {
    const { master, replica, client, executor } = bed;
    await expect(executor.setLinkedPod(NS, 'w0', SVC, 1, -1)).resolves.toBeNull();
    // Swap roles: the client's server becomes a replica; on the first reconnection it is master
    // again (as a Sentinel client would reach the new master), so the resent write succeeds.
    await replica.command('REPLICAOF', 'NO', 'ONE');
    await master.command('REPLICAOF', '127.0.0.1', String(replica.port));
    client.once('reconnecting', () => {
      void master.command('REPLICAOF', 'NO', 'ONE');
    });
    let outcome: unknown;
    const unhandled = await unhandledDuring(async () => {
      outcome = await executor.setLinkedPod(NS, 'w1', SVC, 2, -1).catch((e: unknown) => e);
    });
    expect(outcome).toBeInstanceOf(RedisUnavailableError);
    expect(unhandled.map((reason) => (reason as Error).message)).toEqual([]);
  });
});

/**
 * A TCP proxy in front of one Redis, with two faults to inject: cut a connection right after a
 * READONLY reply (before the replies behind it), and hold a new connection until a gate opens,
 * and let a hook run between a WAIT's reply and the commands sent after that WAIT.
 */
class FaultProxy {
  readonly server: Server;
  private cutAfterReadonly = false;
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => undefined;
  private afterWait?: () => Promise<void>;
  cut = false;
  heldAfterWait = false;

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => void this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  armCut(): void {
    this.cutAfterReadonly = true;
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  open(afterWait: () => Promise<void>): void {
    this.afterWait = afterWait;
    this.openGate();
  }

  private async accept(client: Socket): Promise<void> {
    client.pause();
    client.on('error', () => undefined);
    await this.gate;
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    upstream.on('error', () => undefined);
    let waitReply: (() => void) | undefined;
    upstream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const at = text.indexOf('-READONLY');
      if (this.cutAfterReadonly && at >= 0) {
        this.cutAfterReadonly = false;
        this.cut = true;
        client.end(chunk.subarray(0, text.indexOf('\r\n', at) + 2));
        client.destroySoon();
        upstream.destroy();
        return;
      }
      client.write(chunk);
      const answered = waitReply;
      waitReply = undefined;
      answered?.();
    });
    let holding = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      holding = holding.then(async () => {
        const text = chunk.toString('latin1');
        const hook = this.afterWait;
        const at = text.indexOf('$4\r\nwait\r\n');
        if (hook === undefined || at < 0) {
          upstream.write(chunk);
          return;
        }
        this.afterWait = undefined;
        this.heldAfterWait = true;
        // The end of WAIT's two arguments (bulk strings).
        let end = at + '$4\r\nwait\r\n'.length;
        for (let arg = 0; arg < 2; arg++) {
          const header = text.indexOf('\r\n', end);
          end = header + 2 + Number(text.slice(end + 1, header)) + 2;
        }
        const replied = new Promise<void>((resolve) => (waitReply = resolve));
        upstream.write(chunk.subarray(0, end));
        await replied;
        await hook();
        upstream.write(chunk.subarray(end));
      });
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.resume();
  }
}

/**
 * ioredis resends the commands still unanswered when a socket closes (prevCommandQueue) BEFORE
 * its offline queue. A write answered READONLY is resent through the offline queue
 * (reconnectOnError 2, as the library's Sentinel client does); if the connection drops before
 * the WAIT sent after that write is answered, the WAIT goes out first on the new socket, then the
 * write, on the same socket: the socket check passes and the write is acknowledged though the
 * WAIT said nothing about it.
 */
describe('durability: a WAIT resent ahead of its write (READONLY, then a dropped connection)', () => {
  const bed = useDemotableMaster(8_000, true);

  it('the write is not acknowledged', async () => {
    const { master, replica, proxy, executor } = bed;
    await executor.setServiceState(NS, 'order', 1, 'Ready');
    // The master is demoted under the client (its replica promoted).
    await replica.command('REPLICAOF', 'NO', 'ONE');
    await master.command('REPLICAOF', '127.0.0.1', String(replica.port));
    proxy.armCut();
    const call = executor
      .setServiceState(NS, 'order', 2, 'Ready')
      .then(() => 'acknowledged')
      .catch((e: unknown) => e);
    await waitUntil(
      () => Promise.resolve(proxy.cut),
      'READONLY answered and the connection cut',
      5_000,
      10,
    );
    // Roles back: the client's server is master again with its replica in sync.
    await master.command('REPLICAOF', 'NO', 'ONE');
    await replica.command('REPLICAOF', '127.0.0.1', String(master.port));
    await replica.waitUntilReplicating();
    await waitUntil(
      async () => (await master.command('WAIT', '1', '100')).trim() === '1',
      'replica acknowledging',
    );
    // Right after WAIT answers, and before the write, the replica leaves (as a failover would).
    proxy.open(async () => {
      await replica.command('REPLICAOF', 'NO', 'ONE');
    });
    const outcome = await call;
    const onReplica = (await replica.command('HGET', `sf:{${NS}:state:order}`, '2')).trim();
    expect(proxy.heldAfterWait).toBe(true);
    // Either not acknowledged, or on the replica (the master a failover would promote).
    const acknowledgedButMissing = outcome === 'acknowledged' && onReplica !== 'Ready';
    expect({ outcome, onReplica, acknowledgedButMissing }).toMatchObject({
      acknowledgedButMissing: false,
    });
  }, 30_000);
});
