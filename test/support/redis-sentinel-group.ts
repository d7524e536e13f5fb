import { RedisServer } from './redis-server';
import { waitUntil } from './wait-until';

/** A private Sentinel group on loopback: a master, one replica and one Sentinel (quorum 1). */
export class RedisSentinelGroup {
  static readonly MASTER_NAME = 'stateful-master';

  private constructor(
    readonly master: RedisServer,
    readonly replica: RedisServer,
    readonly sentinel: RedisServer,
  ) {}

  static async start(): Promise<RedisSentinelGroup> {
    const master = await RedisServer.start();
    const replica = await RedisServer.startReplica(master);
    const sentinel = await RedisServer.startSentinel(RedisSentinelGroup.MASTER_NAME, master.port);
    const group = new RedisSentinelGroup(master, replica, sentinel);
    await group.waitFor(async () =>
      (await sentinel.command('SENTINEL', 'REPLICAS', RedisSentinelGroup.MASTER_NAME)).includes(
        String(replica.port),
      ),
    );
    return group;
  }

  get sentinels(): { host: string; port: number }[] {
    return [{ host: '127.0.0.1', port: this.sentinel.port }];
  }

  /** The port the Sentinel currently names as master. */
  async masterPort(): Promise<number> {
    const reply = await this.sentinel.command(
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      RedisSentinelGroup.MASTER_NAME,
    );
    return Number(reply.trim().split('\n')[1]);
  }

  /**
   * SENTINEL FAILOVER, then waits until the Sentinel names the replica. On a busy machine the
   * Sentinel may not rate the replica fit yet (NOGOODSLAVE): it is asked again until it agrees.
   */
  async failover(): Promise<void> {
    const before = await this.masterPort();
    await this.waitFor(async () =>
      (await this.sentinel.command('SENTINEL', 'FAILOVER', RedisSentinelGroup.MASTER_NAME))
        .trim()
        .startsWith('OK'),
    );
    await this.waitFor(async () => (await this.masterPort()) !== before);
  }

  waitFor(condition: () => Promise<boolean>): Promise<void> {
    return waitUntil(condition, 'Sentinel group reaching the expected state', 20_000);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.sentinel.destroy(), this.replica.destroy(), this.master.destroy()]);
  }
}
