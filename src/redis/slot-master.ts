import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';

/**
 * The connection a Cluster client holds to the master of `key`'s slot (`key` as Redis sees it,
 * keyPrefix included), per the client's current slot map; undefined while the map is empty or
 * names a master the client has no connection to yet.
 */
export function slotMaster(cluster: Cluster, key: string): Redis | undefined {
  const owner = cluster.slots[calculateSlot(key)]?.[0];
  return owner === undefined ? undefined : masterAt(cluster, owner);
}

/** The client's connection to the master at `address` ("host:port", as the client names it). */
export function masterAt(cluster: Cluster, address: string): Redis | undefined {
  return cluster.nodes('master').find((node) => nodeAddress(node) === address);
}

/** "host:port" of a connection, as a Cluster client names its nodes (in its slot map too). */
export function nodeAddress(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

/** Asks the Cluster client to reload its slot map; resolves once it has (or has given up). */
export function reloadSlotMap(cluster: Cluster): Promise<void> {
  return new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
}

/** The parts of ioredis' Cluster that follow a redirection; not in its typings. */
interface ClusterInternals {
  natMapper?: (address: string) => { host: string; port: number };
  connectionPool?: { findOrCreate?: (node: { host: string; port: number }) => Redis };
}

/**
 * The client's connection to the node Redis named in a redirection ("host:port" as Redis
 * announces it), opened if the client has none yet (a master that serves no slot yet is not in
 * its slot map), the client's `natMap` applied: what ioredis does for its own commands on ASK.
 * Undefined if this ioredis version does not offer those internals.
 */
export function connectionTo(cluster: Cluster, announced: string): Redis | undefined {
  const internals = cluster as unknown as ClusterInternals;
  const [host, port] = splitAddress(announced);
  const node =
    typeof internals.natMapper === 'function' ? internals.natMapper(announced) : { host, port };
  const known = masterAt(cluster, `${node.host}:${node.port}`);
  if (known !== undefined) return known;
  const findOrCreate = internals.connectionPool?.findOrCreate;
  return typeof findOrCreate === 'function'
    ? findOrCreate.call(internals.connectionPool, node)
    : undefined;
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
