import { Command, type Cluster, type Redis } from 'ioredis';
import { RedisUnavailableError, translateRedisError } from '../errors';
import {
  isCluster,
  type RedisClient,
  type RedisConnectionPool,
} from '../redis/redis-connection-pool';
import { ConnectionWaits } from './connection-waits';
import { TracedCommand, writtenBefore } from './traced-command';
import { clientKeyPrefix } from '../redis/client-key-prefix';
import { connectionTo, reloadSlotMap, slotMaster } from '../redis/slot-master';
import type { WritePath } from '../redis/write-path';

/** How many replicas must confirm a write, and for how long to wait (Redis WAIT). */
export interface ReplicaConfirmation {
  replicas: number;
  timeoutMs: number;
}

/** What a WAIT answered, and the command that asked (where and when it was written). */
interface WaitAnswer {
  replicas: number;
  wait: TracedCommand;
}

const noop = () => undefined;

/** Slot moves a write follows before it gives up (ioredis' own default is 16). */
const MAX_REDIRECTIONS = 16;
/**
 * Pause before sending again after TRYAGAIN or CLUSTERDOWN, or before looking again for a slot's
 * master the client has no connection to yet (ioredis' own retryDelayOnTryAgain is 100 ms).
 */
const REFUSED_PAUSE_MS = 100;

/**
 * Writes that resolve only once `replicas` replicas have them (docs/reliability.md). Each write is sent on one
 * connection to the master that executes it (on a Cluster, the master of its slot, found by the
 * library rather than by ioredis' routing so that the WAIT after it goes to the same socket), and
 * WAIT follows on that connection, shared by the writes sent meanwhile (`ConnectionWaits`).
 *
 * A write is confirmed when a WAIT written after it, to the socket that ran it, reports enough
 * replicas. A reconnection in between can change both (ioredis writes unanswered commands again
 * on the new socket, then its offline queue, so a resent WAIT may even precede its write): the
 * commands record where and in which order they were last written (`TracedCommand`), and a write
 * whose WAIT does not follow it on its socket is not confirmed.
 */
export class ConfirmedWrites implements WritePath {
  private readonly waits = new WeakMap<Redis, ConnectionWaits<WaitAnswer>>();

  constructor(
    private readonly pool: RedisConnectionPool,
    readonly confirmation: ReplicaConfirmation,
  ) {}

  /**
   * WritePath's send: resolves once confirmed; a write not confirmed in time fails with
   * RedisUnavailableError whose reason is 'not confirmed by replicas'.
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
    const redisKey = keyPrefix + slotKey; // the slot is Redis's, of the prefixed key
    let redirected: Redirection | undefined;
    for (let attempt = 0; ; attempt++) {
      // Known at once on the common path: no extra turn per write.
      const connection =
        redirected?.connection ??
        knownConnection(client, redisKey) ??
        (await this.waitForSlotMaster(client as Cluster, redisKey, operation));
      // A write that may turn out to have written nothing (wroteNothing) registers for a WAIT only
      // once its reply shows it wrote: a WAIT sent for nothing would hold the connection, and every
      // call behind it, for up to timeoutMs when the replicas lag.
      const deferred = wroteNothing !== undefined;
      const sent = this.write(
        connection,
        redirected?.asking === true,
        name,
        args,
        keyPrefix,
        deferred,
      );
      let reply: unknown;
      try {
        reply = await sent.reply;
      } catch (error) {
        if (!isCluster(client)) throw error;
        const next = await redirect(client, error);
        if (next === 'fail') throw error;
        if (attempt === MAX_REDIRECTIONS) {
          throw new RedisUnavailableError(operation, error, undefined);
        }
        redirected = next === 'retry' ? undefined : next;
        continue;
      }
      // A reply showing nothing was written leaves nothing of this call's to confirm.
      if (wroteNothing?.(reply) === true) return reply;
      await this.check(operation, sent.command, sent.confirmed ?? this.waitAfter(connection));
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
    deferWait: boolean,
  ): { command: TracedCommand; reply: Promise<unknown>; confirmed?: Promise<WaitAnswer> } {
    // A failed ASKING shows in the write's own reply: its rejection is only observed.
    if (asking) (connection.sendCommand(new Command('asking', [])) as Promise<unknown>).catch(noop);
    const command = new TracedCommand(name, args, { replyEncoding: 'utf8', keyPrefix });
    const reply = connection.sendCommand(command) as Promise<unknown>;
    return { command, reply, confirmed: deferWait ? undefined : this.waitAfter(connection) };
  }

  /** Registers for the next WAIT on the connection (group commit). */
  private waitAfter(connection: Redis): Promise<WaitAnswer> {
    const confirmed = this.waitsOf(connection).afterWrite();
    // The WAIT may fail before the write settles (a write held for resending after READONLY):
    // observed here, judged by check() if the write succeeds.
    confirmed.catch(noop);
    return confirmed;
  }

  /** Resolves if a WAIT written after the write, on the socket that ran it, counted enough replicas. */
  private async check(
    operation: string,
    write: TracedCommand,
    confirmed: Promise<WaitAnswer>,
  ): Promise<void> {
    let answer: WaitAnswer;
    try {
      answer = await confirmed;
    } catch (error) {
      throw this.notConfirmed(operation, `WAIT failed: ${(error as Error).message}`);
    }
    if (!writtenBefore(write, answer.wait)) {
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

  /** While the slot map is empty or names a master not connected yet (the cluster is changing). */
  private async waitForSlotMaster(
    cluster: Cluster,
    key: string,
    operation: string,
  ): Promise<Redis> {
    for (let attempt = 0; attempt < MAX_REDIRECTIONS; attempt++) {
      await reloadSlotMap(cluster);
      await new Promise((resolve) => setTimeout(resolve, REFUSED_PAUSE_MS));
      const master = slotMaster(cluster, key);
      if (master !== undefined) return master;
    }
    throw translateRedisError(new Error(`no master known for the slot of ${key}`), operation);
  }

  private waitsOf(connection: Redis): ConnectionWaits<WaitAnswer> {
    let waits = this.waits.get(connection);
    if (waits === undefined) {
      const { replicas, timeoutMs } = this.confirmation;
      waits = new ConnectionWaits(() => {
        const wait = new TracedCommand('wait', [replicas, timeoutMs]);
        return (connection.sendCommand(wait) as Promise<unknown>).then((reply) => ({
          replicas: Number(reply),
          wait,
        }));
      });
      this.waits.set(connection, waits);
    }
    return waits;
  }
}

/** The client itself, or on a Cluster its connection to the master of `key`'s slot, if known. */
function knownConnection(client: RedisClient, key: string): Redis | undefined {
  return isCluster(client) ? slotMaster(client, key) : client;
}

/** Where to send a write again after MOVED or ASK, and whether ASKING goes first. */
interface Redirection {
  connection: Redis;
  asking: boolean;
}

/**
 * What to do after a Cluster refused a write, which it did not execute: send it to the node Redis
 * named (MOVED, or ASK with ASKING first; the slot map is reloaded meanwhile after MOVED), 'retry'
 * (after the slot map was reloaded when that node is out of reach, or a pause after TRYAGAIN or
 * CLUSTERDOWN), or 'fail' (any other error; after a connection failure the slot map is reloaded,
 * since the master may have died).
 */
async function redirect(cluster: Cluster, error: unknown): Promise<'retry' | 'fail' | Redirection> {
  if (!(error instanceof Error)) return 'fail';
  if (error.name !== 'ReplyError') {
    cluster.refreshSlotsCache();
    return 'fail';
  }
  const moved = /^(MOVED|ASK) \d+ (\S+)$/.exec(error.message);
  if (moved) {
    const asking = moved[1] === 'ASK';
    if (!asking) cluster.refreshSlotsCache();
    const connection = connectionTo(cluster, moved[2]);
    if (connection !== undefined) return { connection, asking };
    await reloadSlotMap(cluster);
    return 'retry';
  }
  if (/^(TRYAGAIN|CLUSTERDOWN)\b/.test(error.message)) {
    await new Promise((resolve) => setTimeout(resolve, REFUSED_PAUSE_MS));
    return 'retry';
  }
  return 'fail';
}
