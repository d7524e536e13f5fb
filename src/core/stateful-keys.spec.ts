import { epochKeyOf, linkKeyOfEpoch, StatefulKeys } from './stateful-keys';

describe('StatefulKeys', () => {
  const keys = new StatefulKeys('sf');

  it('builds the Go/Java layout byte for byte', () => {
    expect(keys.podStates('ns', 'game')).toBe('sf:{ns:state:game}');
    expect(keys.podLoads('ns', 'game')).toBe('sf:{ns:state:game}:load');
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

  it('uses the configured prefix', () => {
    expect(new StatefulKeys('edge').link('a', 'b', 'c')).toBe('edge:{a:lk:b}c');
  });
});
