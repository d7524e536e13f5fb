import { MalformedEntries } from './malformed-entries';

describe('MalformedEntries', () => {
  it('counts every entry by key kind and warns at most once a minute per key', () => {
    const entries = new MalformedEntries();
    const warnings: string[] = [];
    (entries as unknown as { logger: { warn(line: string): void } }).logger = {
      warn: (line) => warnings.push(line),
    };
    const realNow = Date.now;
    let now = 10_000_000;
    Date.now = () => now;
    try {
      for (let i = 0; i < 100; i++) entries.note('load', 'sf:{ns:state:svc}:load', 'bad');
      entries.note('link', 'sf:{ns:lk:u}svc', 'bad');
      expect(warnings).toHaveLength(2);
      now += 60_001;
      entries.note('load', 'sf:{ns:state:svc}:load', 'bad');
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(/^Left out a malformed entry of sf:\{ns:state:svc\}:load: bad/);
    } finally {
      Date.now = realNow;
    }
    expect(entries.totals).toEqual(
      new Map([
        ['load', 101],
        ['link', 1],
      ]),
    );
  });
});
