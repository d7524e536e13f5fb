import type { StatefulKeys } from '../core/stateful-keys';
import * as check from '../core/validators';
import { getMany } from '../redis/multi-key-get';
import { runCommand } from '../redis/redis-command';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import { writeCommand } from '../redis/write-path';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';

/** The state of a service as a whole (docs/operations.md, "Workload state"): one string key per service. */
export class WorkloadStates {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
  ) {}

  async set(namespace: string, serviceName: string, state: string): Promise<void> {
    this.keys.assertService(namespace, serviceName);
    check.assertState(state);
    const key = this.keys.workload(namespace, serviceName);
    // Through the scripts' write path: replicated acknowledgements cover it too.
    await writeCommand(this.pool, this.scripts.writePath, 'SET', key, [state]);
  }

  async get(namespace: string, serviceName: string): Promise<string | null> {
    this.keys.assertService(namespace, serviceName);
    const key = this.keys.workload(namespace, serviceName);
    return runCommand(this.pool, 'GET', (redis) => redis.get(key));
  }

  /** Only services that have a state; works across Cluster slots. */
  async many(namespace: string, serviceNames: string[]): Promise<Map<string, string>> {
    this.keys.assertNamespace(namespace);
    const services = check.uniqueList<string>(
      serviceNames,
      'serviceNames',
      check.assertServiceName,
    );
    const keys = services.map((service) => this.keys.workload(namespace, service));
    const values = await runCommand(this.pool, 'MGET', (redis) => getMany(redis, keys));
    const states = new Map<string, string>();
    values.forEach((state, index) => {
      if (state !== null) states.set(services[index], state);
    });
    return states;
  }
}
