import { StatefulValidationError } from '../errors';
import * as check from './validators';

const rejects = (fn: () => void, field: string) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe(field);
    return;
  }
  throw new Error(`expected ${field} to be rejected`);
};

describe('docs/operations.md validators', () => {
  it('names: 1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit', () => {
    for (const ok of ['a', '0', 'game.v2_x-y', 'A'.repeat(128)]) check.assertNamespace(ok);
    for (const bad of ['', '_a', '.a', '-a', 'a:b', 'a}', 'a b', 'A'.repeat(129), 'é']) {
      rejects(() => check.assertServiceName(bad), 'serviceName');
    }
  });

  it('uid: 1-256 printable characters without braces or controls', () => {
    for (const ok of ['u', 'a:b', 'a b', 'José', '用户', '😀'.repeat(256)]) check.assertUid(ok);
    for (const bad of [
      '',
      '{',
      '}',
      'a\tb',
      'a\u0085b',
      'a\u200bb',
      'a\u2028b',
      '\ud800',
      'x'.repeat(257),
    ]) {
      rejects(() => check.assertUid(bad), 'uid');
    }
  });

  it('podId: integer 0..2147483647', () => {
    check.assertPodId(0);
    check.assertPodId(2_147_483_647);
    for (const bad of [-1, 0.5, 2_147_483_648, NaN, Infinity, '1'])
      rejects(() => check.assertPodId(bad), 'podId');
  });

  it('persistSeconds: -1 or 1..2147483647', () => {
    check.assertPersistSeconds(-1);
    check.assertPersistSeconds(1);
    check.assertPersistSeconds(2_147_483_647);
    for (const bad of [0, -2, 1.5, 2_147_483_648, '-1'])
      rejects(() => check.assertPersistSeconds(bad), 'persistSeconds');
  });

  it('state: 1-1024 characters without controls', () => {
    check.assertState('Running');
    check.assertState('s'.repeat(1024));
    for (const bad of ['', 's'.repeat(1025), 'a\nb', 5])
      rejects(() => check.assertState(bad), 'state');
  });

  it('load: finite number >= 0', () => {
    check.assertLoad(0);
    check.assertLoad(1e9);
    for (const bad of [-1, NaN, Infinity, '1']) rejects(() => check.assertLoad(bad), 'load');
  });

  it('uniqueList validates each element by index and drops duplicates', () => {
    expect(check.uniqueList(['a', 'b', 'a'], 'uids', check.assertUid)).toEqual(['a', 'b']);
    rejects(() => check.uniqueList(['a', '{'], 'uids', check.assertUid), 'uids[1]');
    rejects(() => check.uniqueList('a', 'uids', check.assertUid), 'uids');
  });

  it('messages name the field', () => {
    expect(() => check.assertPodId(-1)).toThrow(
      'Invalid podId: must be an integer from 0 to 2147483647',
    );
  });

  it('accepts host:port addresses of IPv4, [IPv6] and DNS names, and nothing else', () => {
    for (const good of [
      '10.0.3.7:8080',
      '10.0.0.1:1',
      '[::1]:65535',
      '[fd00::7]:80',
      'game-2.game.prod.svc.cluster.local:8080',
      'localhost:3000',
      'a.b.:80',
    ]) {
      expect(check.isAddress(good), good).toBe(true);
    }
    for (const bad of [
      '10.0.3.7',
      '10.0.3.7:',
      '10.0.3.7:0',
      '10.0.3.7:080',
      '10.0.3.7:65536',
      '256.0.0.1:80',
      '1.2.3:80',
      '::1:80',
      '[::1]x:80',
      '[nope]:80',
      'a_b:80',
      '0.0.0.0:80',
      '[::]:80',
      '[0:0::0]:80',
      '[fe80::1%eth0]:80',
      'a..b:80',
      '-a:80',
      'a-:80',
      `${'a'.repeat(64)}:80`,
      `${'a.'.repeat(127)}a:80`,
      ':80',
      ' a:80',
    ]) {
      expect(check.isAddress(bad), bad).toBe(false);
    }
    expect(() => check.assertAddress('a', 'pod.address')).toThrow(
      new StatefulValidationError(
        'pod.address',
        'must be host:port (IPv4, [IPv6] or a DNS name; port 1 to 65535), at most 255 characters',
      ),
    );
  });
});
