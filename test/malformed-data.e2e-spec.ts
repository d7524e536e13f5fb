import { MalformedEntries, MalformedReplyError, NoAvailablePodError } from '../src';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

/**
 * A stored value that is not what the layout says: a read of one value fails with an error naming
 * where it came from (never NaN); a read of many entries leaves it out, counts it, and answers with
 * the rest (SPEC §3), so one bad value cannot make a whole service unroutable.
 */
describe.each(TOPOLOGIES)('malformed stored values (%s)', (topology) => {
  const bed = useTestbed(topology);
  const link = 'sf:{ns:lk:u}svc';
  beforeEach(() => bed.flush());
  const skipped = (kind: 'state' | 'load' | 'link' | 'userLinks') =>
    bed.app.get(MalformedEntries).totals.get(kind) ?? 0;

  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      (value) => {
        throw new Error(`expected a MalformedReplyError, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error as MalformedReplyError,
    );

  it.each(['abc', '', '-1', '1.5', '007', '2147483648', ' 3', '3 '])(
    'link value %j',
    async (value) => {
      await bed.raw.set(link, value);
      const error = await rejection(bed.executor.getLinkedPod('ns', 'u', 'svc'));
      expect(error).toBeInstanceOf(MalformedReplyError);
      expect(error.source).toBe(link);
      await bed.raw.set('sf:{ns:lk:v}svc', '2');
      const before = skipped('link');
      await expect(bed.executor.getLinkedPods('ns', ['u', 'v'], 'svc')).resolves.toEqual(
        new Map([[2, ['v']]]),
      );
      expect(skipped('link')).toBe(before + 1);
      await expect(
        rejection(bed.executor.getLinkedPodIfPersist('ns', 'u', 'svc')),
      ).resolves.toBeInstanceOf(MalformedReplyError);
      // The writing scripts refuse before writing: a call that fails on corrupt data changes nothing.
      await bed.raw.expire(link, 100);
      for (const call of [
        bed.executor.setLinkedPod('ns', 'u', 'svc', 1, -1),
        bed.executor.setLinkedPodIfAbsent('ns', 'u', 'svc', 1, -1),
        bed.executor.trySetLinkedPod('ns', 'u', 'svc', 1, -1),
        bed.executor.computeLinkedPod('ns', 'u', 'svc', -1),
      ]) {
        await expect(rejection(call)).resolves.toBeInstanceOf(MalformedReplyError);
      }
      expect(await bed.raw.get(link)).toBe(value);
      expect(await bed.raw.ttl(link)).toBeGreaterThan(90);
      expect(await bed.raw.exists('sf:{ns:lk:u}')).toBe(0);
      // The way out: remove the corrupt link, then link again.
      await expect(bed.executor.removeLinkedPod('ns', 'u', 'svc', -1)).resolves.toBe(true);
      await expect(bed.executor.setLinkedPod('ns', 'u', 'svc', 1, -1)).resolves.toBeNull();
    },
  );

  it("state hash values Java's parser refuses are left out and counted, never read as a load", async () => {
    const stateKey = 'sf:{ns:state:svc}';
    const now = await bed.redisTimeMs();
    // Java's own load function can give -2; its LoadInfo.build then fails on the value.
    await bed.raw.hset(stateKey, '5', `-2-${now}-1`, '6', `9-${now}-1-1`, '7', `3-${now}-1`);
    const before = skipped('state');
    await expect(bed.executor.computeLinkedPod('ns', 'n1', 'svc', -1)).resolves.toMatchObject({
      podId: 7,
    });
    expect(skipped('state')).toBe(before + 2);
    expect([...(await bed.executor.getServiceState('ns', 'svc')).keys()]).toEqual([7]);
    await expect(bed.executor.getServicePodState('ns', 'svc', 5)).resolves.toBeNull();
    expect(skipped('state')).toBe(before + 5);
  });

  it('a state hash field that is not a pod id is left out of the states and the pod choice', async () => {
    await bed.raw.hset('sf:{ns:state:svc}', 'pod-a', 'Running', '1', 'Ready');
    await bed.executor.reportPodLoad('ns', 'svc', 1, 3);
    const before = skipped('state');
    await expect(bed.executor.getServiceState('ns', 'svc')).resolves.toEqual(
      new Map([[1, 'Ready']]),
    );
    await expect(bed.executor.computeLinkedPod('ns', 'u', 'svc', -1)).resolves.toEqual({
      podId: 1,
      created: true,
      epoch: expect.any(Number),
    });
    expect(skipped('state')).toBe(before + 2);
  });

  it.each([
    'abc',
    '12',
    '12:',
    ':1700000000000',
    'x:1700000000000',
    '12:abc',
    'NaN:1700000000000',
    '-1:1700000000000',
    'Infinity:1',
  ])('load report %j: left out and counted; the other pods stay routable', async (value) => {
    await bed.raw.hset('sf:{ns:state:svc}:load', '1', value);
    const before = skipped('load');
    await expect(bed.executor.getPodLoads('ns', 'svc')).resolves.toEqual(new Map());
    const alone = await bed.executor
      .computeLinkedPod('ns', 'u', 'svc', -1)
      .catch((e: unknown) => e);
    expect(alone).toBeInstanceOf(NoAvailablePodError);
    expect(await bed.raw.exists(link)).toBe(0);
    await bed.executor.reportPodLoad('ns', 'svc', 2, 50);
    await expect(bed.executor.computeLinkedPod('ns', 'u', 'svc', -1)).resolves.toEqual({
      podId: 2,
      created: true,
      epoch: expect.any(Number),
    });
    expect(skipped('load')).toBe(before + 3);
  });

  it("a user hash value that is not a pod id is left out of the user's links", async () => {
    await bed.raw.hset('sf:{ns:lk:u}', 'svc', 'three', 'chat', '4');
    const before = skipped('userLinks');
    await expect(bed.executor.getLinkService('ns', 'u')).resolves.toEqual(new Map([['chat', 4]]));
    expect(skipped('userLinks')).toBe(before + 1);
  });

  it('a user hash of the wrong type fails the link write before anything is written', async () => {
    await bed.raw.set('sf:{ns:lk:u}', 'not a hash');
    await expect(
      rejection(bed.executor.setLinkedPod('ns', 'u', 'svc', 1, -1)),
    ).resolves.toBeInstanceOf(MalformedReplyError);
    await expect(
      rejection(bed.executor.setLinkedPodIfAbsent('ns', 'u', 'svc', 1, 60)),
    ).resolves.toBeInstanceOf(MalformedReplyError);
    expect(await bed.raw.exists(link)).toBe(0);
  });

  it('a key of the wrong type', async () => {
    await bed.raw.hset(link, 'not', 'a string');
    await expect(rejection(bed.executor.getLinkedPod('ns', 'u', 'svc'))).resolves.toBeInstanceOf(
      MalformedReplyError,
    );
    await expect(
      rejection(bed.executor.setLinkedPod('ns', 'u', 'svc', 1, -1)),
    ).resolves.toBeInstanceOf(MalformedReplyError);
    // A whole key of the wrong type is not an entry: reads of it fail.
    await bed.raw.set('sf:{ns:state:svc}', 'not a hash');
    await expect(rejection(bed.executor.getServiceState('ns', 'svc'))).resolves.toBeInstanceOf(
      MalformedReplyError,
    );
    await expect(
      rejection(bed.executor.setServiceState('ns', 'svc', 1, 'Running')),
    ).resolves.toBeInstanceOf(MalformedReplyError);
  });
});
