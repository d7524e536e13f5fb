import { Redis } from 'ioredis';
import { startServiceProcess } from '../support/service-process';
import { formatNumber, type Section } from '../support/report';

const BASE = '/v1/namespaces/prod';

interface Row {
  attack: string;
  sent: number;
  fiveHundreds: number;
  outcome: string;
}

/**
 * The adversarial pass of docs/reliability.md, against the service as `npm start` runs it (link
 * cache on): each attack's requests, its 5xx answers, and what became of the store.
 */
export async function attacks(redisUrl: string): Promise<Section> {
  const { child, port } = await startServiceProcess(redisUrl, { LINK_CACHE_MAX_ENTRIES: '10000' });
  const redis = new Redis(redisUrl);
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const send = (method: string, path: string, body?: string) =>
    fetch(url(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body,
    });
  const rows: Row[] = [];
  try {
    await send(
      'PUT',
      `${BASE}/services/game/pods/0/status`,
      '{"load":1,"state":"Ready","address":"10.0.0.1:7000"}',
    );
    for (let i = 0; i < 100; i++)
      await send('PUT', `${BASE}/users/p${i}/links/game`, '{"podId":0}');

    // 1. Reads during a write pause (3 s), cache warm for half the users.
    for (let i = 0; i < 50; i++) await send('GET', `${BASE}/users/p${i}/links/game`);
    await redis.call('CLIENT', 'PAUSE', '3000', 'WRITE');
    const pauseStart = Date.now();
    const reads = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        send('GET', `${BASE}/users/p${i % 100}/links/game`).then((r) => ({
          status: r.status,
          ms: Date.now() - pauseStart,
        })),
      ),
    );
    await redis.call('CLIENT', 'UNPAUSE');
    rows.push({
      attack: 'reads during CLIENT PAUSE 3000 WRITE (cached and not)',
      sent: reads.length,
      fiveHundreds: reads.filter((r) => r.status >= 500).length,
      outcome: `all answered within ${formatNumber(Math.max(...reads.map((r) => r.ms)))} ms of the pause's start`,
    });

    // 2. Duplicate keys turning a try into a set.
    await redis.set('sf:{prod:lk:dup}game', '1');
    const duplicates = await Promise.all(
      Array.from({ length: 200 }, () =>
        send('PUT', `${BASE}/users/dup/links/game`, '{"podId":3,"mode":"try","mode":"set"}'),
      ),
    );
    rows.push({
      attack: 'PUT {"podId":3,"mode":"try","mode":"set"} on a link held by pod 1',
      sent: duplicates.length,
      fiveHundreds: duplicates.filter((r) => r.status >= 500).length,
      outcome: `${duplicates.filter((r) => r.status === 400).length} answered 400; the link is on pod ${await redis.get('sf:{prod:lk:dup}game')}`,
    });

    // 3. A cursor beyond 64 bits.
    const cursors = await Promise.all(
      Array.from({ length: 100 }, () =>
        send('GET', `${BASE}/services/game/pods/0/users?cursor=0-18446744073709551616`),
      ),
    );
    rows.push({
      attack: 'GET .../users?cursor=0-18446744073709551616',
      sent: cursors.length,
      fiveHundreds: cursors.filter((r) => r.status >= 500).length,
      outcome: `${cursors.filter((r) => r.status === 400).length} answered 400`,
    });

    // 4. A compute with 150,000 excluded pods.
    const huge = JSON.stringify({ excludePods: Array.from({ length: 150_000 }, (_, i) => i) });
    const started = Date.now();
    const excluded = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send('POST', `${BASE}/users/x${i}/links/game/compute`, huge),
      ),
    );
    rows.push({
      attack: 'POST .../compute with 150,000 excludePods',
      sent: excluded.length,
      fiveHundreds: excluded.filter((r) => r.status >= 500).length,
      outcome: `${excluded.filter((r) => r.status === 400 || r.status === 413).length} answered 400 or 413, in ${formatNumber(Date.now() - started)} ms for all`,
    });

    // 5. SWAPDB under cached reads.
    // With an empty database (emptied first: Redis reports a FLUSHDB to tracking clients): Redis
    // invalidates only keys the other database holds, so this swap reports nothing.
    await redis.select(1);
    await redis.flushdb();
    await redis.select(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 100; i++) await send('GET', `${BASE}/users/p${i}/links/game`);
    for (let i = 0; i < 100; i++) await send('GET', `${BASE}/users/p${i}/links/game`);
    await redis.swapdb(0, 1);
    const swappedAt = Date.now();
    let stale = 0;
    let lastStaleMs = 0;
    let readsAfter = 0;
    while (Date.now() - swappedAt < 3_000) {
      for (let i = 0; i < 100; i++) {
        const answer = (await (await send('GET', `${BASE}/users/p${i}/links/game`)).json()) as {
          podId?: number;
        };
        readsAfter++;
        if (answer.podId !== undefined) {
          stale++;
          lastStaleMs = Date.now() - swappedAt;
        }
      }
    }
    await redis.swapdb(0, 1);
    rows.push({
      attack: 'SWAPDB with an empty database, 100 links cached, reads for 3 s after',
      sent: readsAfter,
      fiveHundreds: 0,
      outcome: `${stale} stale answers, the last ${formatNumber(lastStaleMs)} ms after the swap`,
    });
  } finally {
    redis.disconnect();
    child.kill('SIGKILL');
  }
  for (const row of rows)
    console.log(`  ${row.attack}: ${row.sent} sent, ${row.fiveHundreds} 5xx; ${row.outcome}`);
  return {
    title: 'Adversarial requests against the service (link cache on)',
    notes: ['Each row after the fixes of the hardening round; the service as npm start runs it.'],
    header: ['attack', 'requests', '5xx', 'outcome'],
    rows: rows.map((row) => [row.attack, String(row.sent), String(row.fiveHundreds), row.outcome]),
  };
}
