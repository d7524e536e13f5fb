import { killRegisteredServers } from './server-registry';

/** Leftovers of an earlier, interrupted run would hold ports and memory: kill them first. */
export default function globalSetup(): void {
  killRegisteredServers();
}
