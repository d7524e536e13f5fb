import { killRegisteredServers } from './server-registry';

/** Every test file stops its servers; this catches those of a worker Jest had to force-exit. */
export default function globalTeardown(): void {
  const killed = killRegisteredServers();
  if (killed > 0)
    process.stdout.write(`global teardown: killed ${killed} leftover redis-server process(es)\n`);
}
