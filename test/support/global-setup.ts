import { killOrphanedServers, killRegisteredServers, startRunRegistry } from './server-registry';

/**
 * Leftovers of an earlier, interrupted run would hold ports and memory: kill them first (only
 * those of runs that are over). The returned teardown catches servers of a test file whose
 * process had to be killed.
 */
export default function globalSetup(): () => void {
  killOrphanedServers();
  startRunRegistry();
  return () => {
    const killed = killRegisteredServers();
    if (killed > 0) {
      process.stdout.write(`global teardown: killed ${killed} leftover redis-server process(es)\n`);
    }
  };
}
