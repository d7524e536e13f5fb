import { MalformedReplyError } from '../errors';
import {
  flatHashEntries,
  hashEntries,
  parseFlag,
  parseFlagAndPodId,
  parseInteger,
  parseOptionalPodId,
  parsePodId,
} from './reply-parsers';

const malformed = (fn: () => unknown) => expect(fn).toThrow(MalformedReplyError);

describe('reply parsers', () => {
  it('parsePodId accepts canonical decimals 0..2147483647 only', () => {
    expect(parsePodId('0', 'k')).toBe(0);
    expect(parsePodId('2147483647', 'k')).toBe(2_147_483_647);
    for (const bad of ['', '-1', '01', '1.0', '1e3', ' 1', '2147483648', 'abc', 3, null]) {
      malformed(() => parsePodId(bad, 'k'));
    }
  });

  it('parseOptionalPodId maps nil to null', () => {
    expect(parseOptionalPodId(null, 'k')).toBeNull();
    expect(parseOptionalPodId(undefined, 'k')).toBeNull();
    expect(parseOptionalPodId('4', 'k')).toBe(4);
  });

  it('parseFlag accepts 0 and 1 only', () => {
    expect(parseFlag(1, 's')).toBe(true);
    expect(parseFlag(0, 's')).toBe(false);
    malformed(() => parseFlag('1', 's'));
    malformed(() => parseFlag(2, 's'));
  });

  it('parseFlagAndPodId reads { flag, pod }', () => {
    expect(parseFlagAndPodId([1, '3'], 's')).toEqual({ flag: true, podId: 3 });
    malformed(() => parseFlagAndPodId([1], 's'));
    malformed(() => parseFlagAndPodId('x', 's'));
    malformed(() => parseFlagAndPodId([1, 'x'], 's'));
  });

  it('hashEntries and flatHashEntries read hashes strictly', () => {
    expect(hashEntries({ a: '1' }, 'k')).toEqual([['a', '1']]);
    malformed(() => hashEntries(null, 'k'));
    malformed(() => hashEntries({ a: 1 }, 'k'));
    expect(flatHashEntries(['a', '1', 'b', '2'], 'k')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    malformed(() => flatHashEntries(['a'], 'k'));
    malformed(() => flatHashEntries(['a', 1], 'k'));
    malformed(() => flatHashEntries('a', 'k'));
  });

  it('parseInteger accepts safe integers only', () => {
    expect(parseInteger(5, 's')).toBe(5);
    malformed(() => parseInteger('5', 's'));
    malformed(() => parseInteger(1.5, 's'));
  });

  it('names the source and shortens long values in the message', () => {
    expect(() => parsePodId('x'.repeat(200), 'sf:{a:lk:b}c')).toThrow(/sf:\{a:lk:b\}c.*\.\.\./);
  });
});
