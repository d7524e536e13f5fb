import { execFile } from 'child_process';
import { promisify } from 'util';
import { RedisServer, isPortFree } from './redis-server';

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
      ports.map((port) =>
        RedisServer.start(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '1500',
          ],
          port,
        ),
      ),
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
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.isHealthy()) return;
      if (Date.now() > deadline) throw new Error('Redis Cluster did not become healthy in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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

  /** The node currently serving `slot` as master. */
  async masterOf(slot: number): Promise<RedisServer> {
    const any = this.nodes.find((node) => node.running)!;
    const slots = JSON.parse(await any.command('--json', 'CLUSTER', 'SLOTS')) as [
      number,
      number,
      [string, number],
    ][];
    const range = slots.find(([from, to]) => from <= slot && slot <= to)!;
    return this.nodes.find((node) => node.port === range[2][1])!;
  }

  /** Ports of the nodes that are masters now (by CLUSTER NODES). */
  async masterPorts(): Promise<number[]> {
    const any = this.nodes.find((node) => node.running)!;
    const lines = (await any.command('CLUSTER', 'NODES')).trim().split('\n');
    return lines
      .map((line) => line.split(' '))
      .filter(([, , flags]) => flags.split(',').includes('master') && !flags.includes('fail'))
      .map(([, address]) => Number(/:(\d+)@/.exec(address)![1]));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}

/** Ports whose cluster bus port (port + 10000) is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (ports.includes(port)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + 10_000))) ports.push(port);
  }
  return ports;
}
