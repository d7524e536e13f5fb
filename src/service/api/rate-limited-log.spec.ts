import { RateLimitedLog } from './rate-limited-log';

describe('RateLimitedLog', () => {
  it('writes one line per key and interval, counting the lines it held back', () => {
    const log = new RateLimitedLog(1_000);
    const lines: string[] = [];
    const write = (key: string, now: number) =>
      log.write(key, (held) => lines.push(`${key} ${held}`), now);
    write('a', 0);
    for (let t = 1; t < 1_000; t += 10) write('a', t);
    write('b', 500);
    write('a', 1_000);
    write('a', 1_500);
    write('a', 2_100);
    expect(lines).toEqual(['a 0', 'b 0', 'a 100', 'a 1']);
  });

  it('remembers a bounded number of keys', () => {
    const log = new RateLimitedLog(1_000, 2);
    const lines: string[] = [];
    for (const key of ['a', 'b', 'c', 'a']) log.write(key, () => lines.push(key), 0);
    expect(lines).toEqual(['a', 'b', 'c', 'a']); // 'a' was forgotten when 'c' came
  });
});
