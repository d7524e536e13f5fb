import { Command, type Cluster, type Redis } from 'ioredis';
import { RedisUnavailableError, translateRedisError } from '../errors';
import {
  isCluster,
  type RedisClient,
  type RedisConnectionPool,
} from '../redis/redis-connection-pool';
import { ConnectionWaits, type WaitAnswer } from './connection-waits';
import { clientKeyPrefix } from '../redis/client-key-prefix';
import { masterAt, slotMaster } from '../redis/slot-master';

/** How many replicas must confirm a write, and for how long to wait (Redis WAIT). */
export interface ReplicaConfirmation {
  replicas: number;
  timeoutMs: number;
}

/** Slot moves a write follows before it gives up (ioredis' own default is 16). */
const MAX_REDIRECTIONS = 16;
/**
 * Pause before sending again after TRYAGAIN or CLUSTERDOWN, or before looking again for a slot's
 * master the client has no connection to yet (ioredis' own retryDelayOnTryAgain is 100 ms).
 */
const REFUSED_PAUSE_MS = 100;

/**
 * Writes that resolve only once `replicas` replicas have them (SPEC §8). Each write is sent on one
 * connection to the master that executes it (on a Cluster, the master of its slot, found by the
 * library rather than by ioredis' routing so that the WAIT after it goes to the same socket), and
 * WAIT follows on that connection, shared by the writes sent meanwhile (`ConnectionWaits`).
 *
 * A write is confirmed when WAIT, sent after it, reports enough replicas on the socket that
 * answered the write; a reconnection in between (ioredis resends unanswered commands on the new
 * socket, where WAIT would say nothing about the old one) leaves it unconfirmed.
 */
export class ConfirmedWrites {
  private readonly waits = new WeakMap<Redis, ConnectionWaits>();

  constructor(
    private readonly pool: RedisConnectionPool,
    readonly confirmation: ReplicaConfirmation,
  ) {}

  /**
   * Sends `name args` (keys in `args` as the command has them; `slotKey` is one of them) and
   * resolves with its reply once confirmed. Redis's error replies come back as ioredis raised them
   * (the caller translates them, and may resend after NOSCRIPT); a write not confirmed in time
   * fails with RedisUnavailableError whose reason is 'not confirmed by replicas'. A reply that
   * `wroteNothing` recognises resolves at once: there is nothing of this call's to confirm.
   */
  async send(
    operation: string,
    name: string,
    args: (string | number)[],
    slotKey: string,
    wroteNothing?: (reply: unknown) => boolean,
  ): Promise<unknown> {
    const client = this.pool.next();
    const keyPrefix = clientKeyPrefix(client);
    let asking: Redis | undefined;
    for (let attempt = 0; ; attempt++) {
      const connection =
        asking ?? (await this.connectionFor(client, keyPrefix, slotKey, operation));
      const sent = this.write(connection, asking !== undefined, name, args, keyPrefix);
      let reply: unknown;
      try {
        reply = await sent.reply;
      } catch (error) {
        sent.confirmed.catch(() => undefined); // the WAIT's outcome no longer matters
        if (!isCluster(client) || attempt === MAX_REDIRECTIONS) throw error;
        const next = await redirect(client, error);
        if (next === 'fail') throw error;
        asking = next === 'retry' ? undefined : next;
        continue;
      }
      if (wroteNothing?.(reply) === true) {
        sent.confirmed.catch(() => undefined); // nothing of this call's to confirm
        return reply;
      }
      await this.check(operation, sent.confirmed, sent.answeredOn());
      return reply;
    }
  }

  /** Sends the write (after ASKING when redirected by ASK), then registers for the next WAIT. */
  private write(
    connection: Redis,
    asking: boolean,
    name: string,
    args: (string | number)[],
    keyPrefix: string,
  ): { reply: Promise<unknown>; confirmed: Promise<WaitAnswer>; answeredOn(): unknown } {
    if (asking) connection.sendCommand(new Command('asking', []));
    let answeredOn: unknown;
    const reply = (
      connection.sendCommand(
        new Command(name, args, { replyEncoding: 'utf8', keyPrefix }),
      ) as Promise<unknown>
    ).then((value) => {
      answeredOn = connection.stream; // read in the reply's own turn, as for WAIT
      return value;
    });
    return {
      reply,
      confirmed: this.waitsOf(connection).afterWrite(),
      answeredOn: () => answeredOn,
    };
  }

  /** Resolves if WAIT, on the socket that answered the write, counted enough replicas. */
  private async check(
    operation: string,
    confirmed: Promise<WaitAnswer>,
    answeredOn: unknown,
  ): Promise<void> {
    let answer: WaitAnswer;
    try {
      answer = await confirmed;
    } catch (error) {
      throw this.notConfirmed(operation, `WAIT failed: ${(error as Error).message}`);
    }
    if (answer.socket !== answeredOn) {
      throw this.notConfirmed(operation, 'the connection was re-established after the write');
    }
    const { replicas, timeoutMs } = this.confirmation;
    if (answer.replicas < replicas) {
      throw this.notConfirmed(
        operation,
        `${answer.replicas} of ${replicas} within ${timeoutMs} ms`,
      );
    }
  }

  private notConfirmed(operation: string, detail: string): RedisUnavailableError {
    return new RedisUnavailableError(
      operation,
      new Error(`${detail}; it may or may not survive a failover`),
      'not confirmed by replicas',
    );
  }

  /** The client itself, or on a Cluster the connection to the master of `slotKey`'s slot. */
  private async connectionFor(
    client: RedisClient,
    keyPrefix: string,
    slotKey: string,
    operation: string,
  ): Promise<Redis> {
    if (!isCluster(client)) return client;
    for (let attempt = 0; attempt < MAX_REDIRECTIONS; attempt++) {
      const master = slotMaster(client, keyPrefix + slotKey);
      if (master !== undefined) return master;
      // The slot map is empty or names a master not connected yet: the cluster is changing.
      await refreshSlots(client);
      await new Promise((resolve) => setTimeout(resolve, REFUSED_PAUSE_MS));
    }
    throw translateRedisError(new Error(`no master known for the slot of ${slotKey}`), operation);
  }

  private waitsOf(connection: Redis): ConnectionWaits {
    let waits = this.waits.get(connection);
    if (waits === undefined) {
      const { replicas, timeoutMs } = this.confirmation;
      waits = new ConnectionWaits({
        sendWait: () =>
          connection.sendCommand(new Command('wait', [replicas, timeoutMs])) as Promise<unknown>,
        socket: () => connection.stream,
      });
      this.waits.set(connection, waits);
    }
    return waits;
  }
}

/**
 * What to do after a Cluster refused a write, which it did not execute: 'retry' (the slot map was
 * reloaded after MOVED, or a pause passed after TRYAGAIN or CLUSTERDOWN), the connection to send
 * it to after ASKING, or 'fail' (any other error; after a connection failure the slot map is
 * reloaded, since the master may have died).
 */
async function redirect(cluster: Cluster, error: unknown): Promise<'retry' | 'fail' | Redis> {
  if (!(error instanceof Error)) return 'fail';
  if (error.name !== 'ReplyError') {
    cluster.refreshSlotsCache();
    return 'fail';
  }
  const ask = /^ASK \d+ (\S+)$/.exec(error.message);
  const target = ask ? masterAt(cluster, ask[1]) : undefined;
  if (target !== undefined) return target;
  if (ask || error.message.startsWith('MOVED ')) {
    await refreshSlots(cluster);
    return 'retry';
  }
  if (/^(TRYAGAIN|CLUSTERDOWN)\b/.test(error.message)) {
    await new Promise((resolve) => setTimeout(resolve, REFUSED_PAUSE_MS));
    return 'retry';
  }
  return 'fail';
}

function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
}
