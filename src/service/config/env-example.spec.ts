import { readFileSync } from 'fs';
import { join } from 'path';
import { loadServiceConfig } from './environment';

/** The variables `loadServiceConfig` reads from `env`, recorded as it asks for them. */
function variablesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  loadServiceConfig(recording);
  return read;
}

/**
 * `.env.example` says it lists every variable the service reads: it is compared with what the
 * environment schema asks for, in configurations that reach each conditional variable.
 */
describe('.env.example', () => {
  it('lists exactly the variables the service reads', () => {
    const read = new Set<string>();
    for (const env of <Record<string, string>[]>[
      {},
      { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'main' },
      { REDIS_WAIT_REPLICAS: '1' },
      { LINK_CACHE_MAX_ENTRIES: '100' },
    ]) {
      for (const name of variablesRead(env)) read.add(name);
    }
    const example = readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    expect([...listed].sort()).toEqual([...read].sort());
  });
});
