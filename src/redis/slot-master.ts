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

/** The client's connection to the master at `address` ("host:port"), if it has one. */
export function masterAt(cluster: Cluster, address: string): Redis | undefined {
  return cluster
    .nodes('master')
    .find((node) => `${node.options.host}:${node.options.port}` === address);
}
