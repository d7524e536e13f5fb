import { MalformedReplyError } from '../errors';
import {
  flatHashEntries,
  hashEntries,
  parseFlag,
  parseFlagPodIdAndEpoch,
  parseOptionalPodIdAndEpoch,
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

  it('parseFlagPodIdAndEpoch reads { flag, pod, epoch }', () => {
    expect(parseFlagPodIdAndEpoch([1, '3', 1765074635123456], 's')).toEqual({
      flag: true,
      podId: 3,
      epoch: 1765074635123456,
    });
    malformed(() => parseFlagPodIdAndEpoch([1, '3'], 's'));
    malformed(() => parseFlagPodIdAndEpoch('x', 's'));
    malformed(() => parseFlagPodIdAndEpoch([1, 'x', 5], 's'));
    malformed(() => parseFlagPodIdAndEpoch([1, '3', -1], 's'));
    malformed(() => parseFlagPodIdAndEpoch([1, '3', 2 ** 53], 's'));
  });

  it('parseOptionalPodIdAndEpoch reads nil or { pod, epoch }; an epoch may be 0 (none)', () => {
    expect(parseOptionalPodIdAndEpoch(null, 's')).toBeNull();
    expect(parseOptionalPodIdAndEpoch(['4', 0], 's')).toEqual({ podId: 4, epoch: 0 });
    malformed(() => parseOptionalPodIdAndEpoch(['4'], 's'));
    malformed(() => parseOptionalPodIdAndEpoch(['4', '7'], 's'));
    malformed(() => parseOptionalPodIdAndEpoch(['4', 1.5], 's'));
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
