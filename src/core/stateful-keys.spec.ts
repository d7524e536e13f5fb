import { StatefulValidationError } from '../errors';
import {
  createStatefulKeys,
  epochKeyOf,
  GoKeyLayout,
  JavaKeyLayout,
  linkKeyOfEpoch,
  validateKeyLayout,
} from './stateful-keys';

describe('GoKeyLayout', () => {
  const keys = createStatefulKeys('go');

  it('builds the Go port layout byte for byte', () => {
    expect(keys).toBeInstanceOf(GoKeyLayout);
    expect(keys.podStates('ns', 'game')).toBe('sf:{ns:state:game}');
    expect(keys.podLoads('ns', 'game')).toBe('sf:{ns:state:game}:load');
    expect(keys.podInfo('ns', 'game')).toBe('sf:{ns:state:game}:info');
    expect(keys.workload('ns', 'game')).toBe('sf:{ns:workload:game}');
    expect(keys.userLinks('ns', 'u1')).toBe('sf:{ns:lk:u1}');
    expect(keys.link('ns', 'u1', 'game')).toBe('sf:{ns:lk:u1}game');
    expect(keys.linkKeys('ns', 'u1', 'game')).toEqual([
      'sf:{ns:lk:u1}game',
      'sf:{ns:lk:u1}',
      'sf:{ns:lk:u1}game:epoch',
    ]);
    expect(linkKeyOfEpoch('sf:{ns:lk:u1}game:epoch')).toBe('sf:{ns:lk:u1}game');
    expect(linkKeyOfEpoch('sf:{ns:lk:u1}game')).toBeUndefined();
    expect(epochKeyOf('sf:{ns:lk:u1}game')).toBe('sf:{ns:lk:u1}game:epoch');
  });

  it('uses the configured prefix, glob characters escaped in the scan pattern', () => {
    expect(createStatefulKeys('go', 'edge').link('a', 'b', 'c')).toBe('edge:{a:lk:b}c');
    expect(createStatefulKeys('go', 'x*[y]').linkPattern('ns', 'game')).toBe(
      'x\\*\\[y\\]:{ns:lk:*}game',
    );
  });

  it('reads the uid of a link key of its namespace and service only', () => {
    expect(keys.uidOfLink('sf:{ns:lk:u:1}game', 'ns', 'game')).toBe('u:1');
    expect(keys.uidOfLink('sf:{ns:lk:u1}chat', 'ns', 'game')).toBeUndefined();
    expect(keys.uidOfLink('sf:{other:lk:u1}game', 'ns', 'game')).toBeUndefined();
    expect(keys.uidOfLink('sf:{ns:lk:u1}game:epoch', 'ns', 'game')).toBeUndefined();
    expect(keys.uidOfLink('sf:{ns:lk:}game', 'ns', 'game')).toBeUndefined();
  });

  it('tracks every key under the prefix, or each namespace links', () => {
    expect(keys.trackingPrefixes(undefined)).toEqual(['sf:{']);
    expect(keys.trackingPrefixes(new Set(['a', 'b']))).toEqual(['sf:{a:lk:', 'sf:{b:lk:']);
  });

  it('finds services by their state hashes, and nothing else', () => {
    expect(keys.serviceStatePattern()).toBe('sf:{*:state:*}');
    expect(keys.serviceStatePattern('ns')).toBe('sf:{ns:state:*}');
    expect(keys.serviceOfStateKey('sf:{ns:state:game}')).toEqual({
      namespace: 'ns',
      service: 'game',
    });
    for (const other of ['sf:{ns:state:game}:load', 'sf:{ns:lk:a:state:b}', 'sf:{ns:lk:u}game']) {
      expect(keys.serviceOfStateKey(other), other).toBeUndefined();
    }
  });

  it('takes uids with a colon', () => {
    expect(() => keys.assertLink('ns', 'u:1', 'game')).not.toThrow();
    expect(() => keys.assertNamespace('a:b:c')).toThrow(StatefulValidationError);
  });
});

describe('JavaKeyLayout', () => {
  const keys = createStatefulKeys('java');
  const ns = 'app1:eu:logic';

  it("builds the Java original's keys byte for byte, with the prefix slug", () => {
    expect(keys).toBeInstanceOf(JavaKeyLayout);
    expect(keys.prefix).toBe('slug');
    expect(keys.podStates(ns, 'game')).toBe('slug-state:{app1:eu:logic:game}');
    expect(keys.userLinks(ns, 'u1')).toBe('slug-lk:{app1:eu:logic:u1}');
    expect(keys.link(ns, 'u1', 'game')).toBe('slug-lk:{app1:eu:logic:u1:game}');
    expect(keys.linkKeys(ns, 'u1', 'game')).toEqual([
      'slug-lk:{app1:eu:logic:u1:game}',
      'slug-lk:{app1:eu:logic:u1}',
      'slug-lk:{app1:eu:logic:u1:game}:epoch',
    ]);
  });

  it("keeps this project's own keys beside Java's, in the same hash tags", () => {
    expect(keys.podLoads(ns, 'game')).toBe('slug-state:{app1:eu:logic:game}:load');
    expect(keys.podInfo(ns, 'game')).toBe('slug-state:{app1:eu:logic:game}:info');
    expect(keys.workload(ns, 'game')).toBe('slug-workload:{app1:eu:logic:game}');
  });

  it('scans and reads back the links of one service', () => {
    expect(keys.linkPattern(ns, 'game')).toBe('slug-lk:{app1:eu:logic:*:game}');
    expect(keys.uidOfLink('slug-lk:{app1:eu:logic:u1:game}', ns, 'game')).toBe('u1');
    expect(keys.uidOfLink('slug-lk:{app1:eu:logic:u1:game}:epoch', ns, 'game')).toBeUndefined();
    expect(keys.uidOfLink('slug-lk:{app1:eu:logic:u1}', ns, 'game')).toBeUndefined();
    // A Java fleet's uid with ':' is not one this layout can name.
    expect(keys.uidOfLink('slug-lk:{app1:eu:logic:a:b:game}', ns, 'game')).toBeUndefined();
    expect(keys.uidOfLink('slug-lk:{app1:eu:other:u1:game}', ns, 'game')).toBeUndefined();
  });

  it('finds services by their state hashes, and nothing else', () => {
    expect(keys.serviceStatePattern()).toBe('slug-state:{*}');
    expect(keys.serviceStatePattern(ns)).toBe('slug-state:{app1:eu:logic:*}');
    expect(keys.serviceOfStateKey('slug-state:{app1:eu:logic:game}')).toEqual({
      namespace: ns,
      service: 'game',
    });
    for (const other of [
      'slug-state:{app1:eu:logic:game}:info',
      'slug-state:{a:b:game}',
      'slug-lk:{a:b:c:d}',
    ]) {
      expect(keys.serviceOfStateKey(other), other).toBeUndefined();
    }
  });

  it('tracks the link keys only, of every namespace or of each one', () => {
    expect(keys.trackingPrefixes(undefined)).toEqual(['slug-lk:{']);
    expect(keys.trackingPrefixes([ns])).toEqual(['slug-lk:{app1:eu:logic:']);
  });

  it('takes a namespace of three names, naming the part that is wrong', () => {
    expect(() => keys.assertNamespace(ns)).not.toThrow();
    for (const bad of ['prod', 'a:b', 'a:b:c:d', 'a::c', ':b:c', 42]) {
      expect(() => keys.assertNamespace(bad)).toThrow(StatefulValidationError);
    }
    expect(() => keys.assertNamespace('a:b:c:d')).toThrow(/<appId>:<regionId>:<logicType>/);
    expect(() => keys.assertNamespace('a:b c:d')).toThrow(/Invalid namespace: has regionId "b c"/);
  });

  it("refuses a uid with ':', saying why", () => {
    expect(() => keys.assertUid('u1')).not.toThrow();
    expect(() => keys.assertLink(ns, 'u:game', 'game')).toThrow(/must not contain ':'/);
    expect(() => keys.assertUid('u{1}')).toThrow(StatefulValidationError);
  });
});

describe('validateKeyLayout', () => {
  it('defaults to go and refuses an unknown layout, naming keyLayout', () => {
    expect(validateKeyLayout(undefined)).toBe('go');
    expect(validateKeyLayout('java')).toBe('java');
    expect(() => validateKeyLayout('Java')).toThrow(/keyLayout/);
  });
});
