import { RedisServer } from '../../test/support/redis-server';
import { startLibrary } from '../support/library';
import { formatNumber, type Section } from '../support/report';

const LINKS = 100_000;
const IN_FLIGHT = 256;

/**
 * Redis memory per link: `used_memory` of a fresh private server before and after 100,000
 * persistent links (each a link string, a one-field user hash and the link's epoch key), then
 * 100,000 temporary ones (a link string and its epoch key).
 */
export async function memoryPerLink(): Promise<Section> {
  const server = await RedisServer.start();
  const library = await startLibrary({ url: server.url });
  const usedMemory = async () =>
    Number(/used_memory:(\d+)/.exec(await server.command('INFO', 'memory'))?.[1]);
  const link = async (namespace: string, persistSeconds: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < LINKS; i = next++) {
          await library.executor.setLinkedPod(
            namespace,
            `user-${i}`,
            'game',
            i % 64,
            persistSeconds,
          );
        }
      }),
    );
  };
  try {
    const empty = await usedMemory();
    await link('persistent', -1);
    const afterPersistent = await usedMemory();
    await link('temporary', 3_600);
    const afterTemporary = await usedMemory();
    const sample = async (key: string) =>
      (await server.command('MEMORY', 'USAGE', key)).trim() || '?';
    const rows = [
      [
        'persistent (link string + user hash field + epoch key)',
        formatNumber(LINKS),
        formatNumber(afterPersistent - empty),
        formatNumber((afterPersistent - empty) / LINKS),
        `${await sample('sf:{persistent:lk:user-1}game')} + ${await sample('sf:{persistent:lk:user-1}')} + ${await sample('sf:{persistent:lk:user-1}game:epoch')}`,
      ],
      [
        'temporary, TTL 3600 s (link string + epoch key)',
        formatNumber(LINKS),
        formatNumber(afterTemporary - afterPersistent),
        formatNumber((afterTemporary - afterPersistent) / LINKS),
        `${await sample('sf:{temporary:lk:user-1}game')} + ${await sample('sf:{temporary:lk:user-1}game:epoch')}`,
      ],
    ];
    console.log(`  ${rows.map((row) => `${row[0]}: ${row[3]} B`).join('; ')}`);
    return {
      title: 'Redis memory per link (standalone)',
      notes: [
        `\`INFO memory\` used_memory of a fresh private redis-server before and after ${formatNumber(LINKS)} links`,
        '(uids `user-<n>`, namespace `persistent`/`temporary`, service `game`; Redis defaults, jemalloc).',
        'The last column is `MEMORY USAGE` of one sample of each key (link, user hash, epoch), for comparison.',
      ],
      header: [
        'links',
        'count',
        'used_memory growth (bytes)',
        'bytes per link',
        'MEMORY USAGE sample',
      ],
      rows,
    };
  } finally {
    await library.close();
    await server.destroy();
  }
}
