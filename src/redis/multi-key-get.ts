import calculateSlot from 'cluster-key-slot';
import { MGET_CHUNK_SIZE } from './redis.constants';
import { isCluster, type RedisClient } from './redis-connection-pool';

/**
 * GET of many keys, in order, without one cross-slot MGET: on a Cluster the keys are grouped by
 * hash slot (one MGET per slot), elsewhere they are sent in chunks. Replies keep the keys' order.
 */
export async function getMany(
  client: RedisClient,
  keys: readonly string[],
): Promise<(string | null)[]> {
  const groups = isCluster(client) ? groupBySlot(keys) : chunk(keys.map((_, index) => index));
  const values: (string | null)[] = new Array<string | null>(keys.length).fill(null);
  await Promise.all(
    groups.map(async (indexes) => {
      const replies = await client.mget(indexes.map((index) => keys[index]));
      indexes.forEach((keyIndex, replyIndex) => (values[keyIndex] = replies[replyIndex]));
    }),
  );
  return values;
}

function groupBySlot(keys: readonly string[]): number[][] {
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = calculateSlot(key);
    const group = bySlot.get(slot);
    if (group) group.push(index);
    else bySlot.set(slot, [index]);
  });
  return [...bySlot.values()].flatMap(chunk);
}

function chunk(indexes: number[]): number[][] {
  const chunks: number[][] = [];
  for (let start = 0; start < indexes.length; start += MGET_CHUNK_SIZE) {
    chunks.push(indexes.slice(start, start + MGET_CHUNK_SIZE));
  }
  return chunks;
}
