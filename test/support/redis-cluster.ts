import { execFile } from 'child_process';
import { promisify } from 'util';
import { RedisServer, isPortFree } from './redis-server';
import { waitUntil } from './wait-until';

const run = promisify(execFile);

/**
 * A private Redis Cluster on loopback: three masters with one replica each, built with
 * `redis-cli --cluster create`, torn down with its processes.
 */
export class RedisCluster {
  private constructor(readonly nodes: RedisServer[]) {}

  static async start(masters = 3, replicasPerMaster = 1): Promise<RedisCluster> {
    const count = masters * (replicasPerMaster + 1);
    const ports = await clusterPorts(count);
    const nodes = await Promise.all(
      ports.map((port) => RedisServer.start(clusterNodeArgs(port), port)),
    );
    const cluster = new RedisCluster(nodes);
    try {
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ]);
      await cluster.waitUntilHealthy();
      // Slots are served before every node has learnt which nodes are replicas: wait for one view.
      await cluster.waitUntil(async () => {
        const views = await Promise.all(cluster.nodes.map((node) => cluster.nodeRows(node)));
        return views.every(
          (rows) => rows.filter((row) => row.flags.includes('master')).length === masters,
        );
      });
      // A replica that never finished its first sync refuses to take over a failed master.
      await cluster.waitUntil(() => cluster.replicasInSync());
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** Seed nodes for a client: every node, as a user would list them. */
  get seeds(): { host: string; port: number }[] {
    return this.nodes
      .filter((node) => node.running)
      .map((node) => ({ host: '127.0.0.1', port: node.port }));
  }

  /** Waits until every running node says cluster_state:ok and sees all 16384 slots served. */
  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    await waitUntil(() => this.isHealthy(), 'Redis Cluster becoming healthy', timeoutMs);
  }

  /** Whether every running replica has its replication link up (its first sync done). */
  async replicasInSync(): Promise<boolean> {
    const infos = await Promise.all(
      this.nodes.filter((node) => node.running).map((node) => node.command('INFO', 'replication')),
    );
    return infos.every(
      (info) => !info.includes('role:slave') || info.includes('master_link_status:up'),
    );
  }

  async isHealthy(): Promise<boolean> {
    const states = await Promise.all(
      this.nodes
        .filter((node) => node.running)
        .map((node) => node.command('CLUSTER', 'INFO').catch(() => '')),
    );
    return states.every(
      (info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info),
    );
  }

  /** Ports of the nodes that are masters now (by CLUSTER NODES). */
  async masterPorts(): Promise<number[]> {
    const rows = await this.nodeRows();
    return rows
      .filter((row) => row.flags.includes('master') && !row.flags.includes('fail'))
      .map((row) => row.port);
  }

  /**
   * A master and the live replica that follows it. After an earlier failover the first master may
   * still be without a synced replica for a while: any pair the nodes agree on will do.
   */
  async masterWithReplica(): Promise<{ master: RedisServer; replica: RedisServer }> {
    let pair: { master: number; replica: number } | undefined;
    await this.waitUntil(async () => {
      const rows = await this.nodeRows();
      const live = (row: { flags: string[] }) => !row.flags.includes('fail');
      for (const master of rows.filter((row) => row.flags.includes('master') && live(row))) {
        const replica = rows.find((row) => row.masterId === master.id && live(row));
        const node = this.nodes.find((candidate) => candidate.port === replica?.port);
        // Synced with its master: a replica that is not refuses to take over.
        if (
          replica &&
          node?.running &&
          (await node.command('INFO', 'replication')).includes('master_link_status:up')
        ) {
          pair = { master: master.port, replica: replica.port };
          return true;
        }
      }
      return false;
    });
    const byPort = (port: number) => this.nodes.find((node) => node.port === port)!;
    return { master: byPort(pair!.master), replica: byPort(pair!.replica) };
  }

  /** CLUSTER FAILOVER on a replica (a manual, lossless failover); waits until it is master and the cluster is ok. */
  async failoverTo(replica: RedisServer): Promise<void> {
    await replica.command('CLUSTER', 'FAILOVER');
    await this.waitUntilPromoted(replica);
  }

  /** Adds an empty master (no scripts cached) and moves `slots` slots to it from the others, keys included. */
  async addMasterAndReshard(slots: number): Promise<RedisServer> {
    const node = await this.addMaster();
    const seed = `127.0.0.1:${(await this.masterPorts())[0]}`;
    const id = (await node.command('CLUSTER', 'MYID')).trim();
    await runShowingOutput('redis-cli', [
      '--cluster',
      'reshard',
      seed,
      '--cluster-from',
      'all',
      '--cluster-to',
      id,
      '--cluster-slots',
      String(slots),
      '--cluster-yes',
    ]);
    await this.waitUntilHealthy();
    return node;
  }

  /** Adds a master that serves no slot yet, once every node knows it and agrees on the configuration. */
  async addMaster(): Promise<RedisServer> {
    const node = await this.addNode([]);
    // redis-cli refuses to reshard until every node agrees on the configuration.
    await this.waitUntil(async () =>
      (await run('redis-cli', ['--cluster', 'check', await this.seed()])).stdout.includes(
        '[OK] All nodes agree',
      ),
    );
    await this.waitUntilHealthy(); // the new node too must see the cluster as ok before it accepts keys
    return node;
  }

  /** Adds a replica of `master` (a node of this cluster), once it is in sync. */
  async addReplica(master: RedisServer): Promise<RedisServer> {
    const masterId = (await master.command('CLUSTER', 'MYID')).trim();
    const node = await this.addNode(['--cluster-slave', '--cluster-master-id', masterId]);
    await node.waitUntilReplicating();
    await this.waitUntil(async () =>
      (await run('redis-cli', ['--cluster', 'check', await this.seed()])).stdout.includes(
        '[OK] All nodes agree',
      ),
    );
    return node;
  }

  /** Starts a node and joins it with `redis-cli --cluster add-node`; waits until every node knows it. */
  private async addNode(options: string[]): Promise<RedisServer> {
    const [port] = await clusterPorts(1);
    const node = await RedisServer.start(clusterNodeArgs(port), port);
    this.nodes.push(node);
    await runShowingOutput('redis-cli', [
      '--cluster',
      'add-node',
      `127.0.0.1:${port}`,
      await this.seed(),
      ...options,
    ]);
    await this.waitUntil(async () => {
      const views = await Promise.all(this.nodes.map((other) => this.nodeRows(other)));
      return views.every((rows) =>
        rows.some((row) => row.port === port && !row.flags.includes('handshake')),
      );
    });
    return node;
  }

  /** A master to point redis-cli's cluster commands at. */
  private async seed(): Promise<string> {
    return `127.0.0.1:${(await this.masterPorts())[0]}`;
  }

  /** Waits until `replica` has been promoted to master and the cluster is ok again. */
  async waitUntilPromoted(replica: RedisServer): Promise<void> {
    await this.waitUntil(async () => (await replica.command('ROLE')).startsWith('master'));
    await this.waitUntilHealthy();
  }

  /** The live master serving `slot`, its node id, and its live replica. */
  async shardOf(slot: number): Promise<{ id: string; master: RedisServer; replica?: RedisServer }> {
    const rows = await this.nodeRows();
    const serves = (ranges: string[]) =>
      ranges.some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from && slot <= to;
      });
    const master = rows.find((row) => row.flags.includes('master') && serves(row.slots));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    const replica = rows.find((row) => row.masterId === master.id && !row.flags.includes('fail'));
    const byPort = (port: number | undefined) => this.nodes.find((node) => node.port === port);
    return { id: master.id, master: byPort(master.port)!, replica: byPort(replica?.port) };
  }

  private waitUntil(condition: () => Promise<boolean>): Promise<void> {
    return waitUntil(condition, 'Redis Cluster reaching the expected state');
  }

  private async nodeRows(
    from: RedisServer = this.nodes.find((node) => node.running)!,
  ): Promise<{ id: string; port: number; flags: string[]; masterId: string; slots: string[] }[]> {
    return (await from.command('CLUSTER', 'NODES'))
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
        const port = Number(/:(\d+)@/.exec(address)![1]);
        return { id, port, flags: flags.split(','), masterId, slots };
      });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}

/** Like `run`, but a failure carries the command's output (redis-cli explains itself on stdout). */
async function runShowingOutput(command: string, args: string[]): Promise<void> {
  try {
    await run(command, args);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
      { cause: error },
    );
  }
}

/** A cluster node that declares a silent peer failed after 1.5 s, so failovers finish quickly. */
function clusterNodeArgs(port: number): string[] {
  return [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--cluster-node-timeout',
    '1500',
  ];
}

/** Ports whose cluster bus port (port + 10000) is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    // Below Linux's ephemeral range (32768+), bus ports included, so no outgoing socket takes one.
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + 10_000))) ports.push(port);
  }
  return ports;
}
