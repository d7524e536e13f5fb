import { Test } from '@nestjs/testing';
import {
  StatefulExecutorService,
  StatefulModule,
  StatefulPodAgent,
  StatefulValidationError,
} from '../src';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const NS = 'prod';
const SVC = 'game';
const INFO_KEY = `sf:{${NS}:state:${SVC}}:info`;

describe.each(TOPOLOGIES)('pod addresses (%s)', (topology) => {
  const bed = useTestbed(topology);
  afterEach(() => bed.flush());

  it('are reported with the status, kept in an additive hash, and read back', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 0, {
      load: 1,
      state: 'Ready',
      address: '10.0.3.7:8080',
    });
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 2, address: '[fd00::7]:8080' });
    await bed.executor.reportPodStatus(NS, SVC, 2, {
      load: 3,
      address: 'game-2.game.prod.svc.cluster.local:8080',
    });
    expect(await bed.raw.hgetall(INFO_KEY)).toEqual({
      '0:address': '10.0.3.7:8080',
      '1:address': '[fd00::7]:8080',
      '2:address': 'game-2.game.prod.svc.cluster.local:8080',
    });
    // The originals' keys are as they were: state and load only.
    expect(await bed.raw.hget(`sf:{${NS}:state:${SVC}}`, '0')).toBe('Ready');
    expect(await bed.executor.getPodAddresses(NS, SVC)).toEqual(
      new Map([
        [0, '10.0.3.7:8080'],
        [1, '[fd00::7]:8080'],
        [2, 'game-2.game.prod.svc.cluster.local:8080'],
      ]),
    );
    await expect(bed.executor.getPodAddress(NS, SVC, 1)).resolves.toBe('[fd00::7]:8080');
    await expect(bed.executor.getPodAddress(NS, SVC, 9)).resolves.toBeNull();
  });

  it('stay as they are when a beat carries none, change with the next report, go with the pod', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, address: '10.0.3.7:8080' });
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 2 });
    await expect(bed.executor.getPodAddress(NS, SVC, 0)).resolves.toBe('10.0.3.7:8080');
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 2, address: '10.0.3.9:8080' });
    await expect(bed.executor.getPodAddress(NS, SVC, 0)).resolves.toBe('10.0.3.9:8080');
    await expect(bed.executor.removeServicePod(NS, SVC, 0)).resolves.toBe(true);
    expect(await bed.raw.exists(INFO_KEY)).toBe(0);
    await expect(bed.executor.getPodAddress(NS, SVC, 0)).resolves.toBeNull();
  });

  it('are written in the java status format too', async () => {
    const java = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: bed.redisOptions,
          podStatusFormat: 'java',
          podTableTtlMs: 0,
        }),
      ],
    }).compile();
    const app = await java.createNestApplication({ logger: false }).init();
    try {
      await app
        .get(StatefulExecutorService)
        .reportPodStatus(NS, SVC, 4, { load: 5, address: '10.0.3.4:7000' });
      expect(await bed.raw.hget(`sf:{${NS}:state:${SVC}}`, '4')).toMatch(/^5-\d+-1$/);
      expect(await bed.raw.hget(INFO_KEY, '4:address')).toBe('10.0.3.4:7000');
    } finally {
      await app.close();
    }
  });

  it('refuses a bad address, naming it, without touching Redis', async () => {
    const bad = [
      '10.0.3.7',
      '10.0.3.7:0',
      '10.0.3.7:65536',
      '300.1.1.1:80',
      '[fd00::zz]:80',
      'fd00::7:80',
      'under_score.example:80',
      '-game.example:80',
      'game .example:80',
      `${'a'.repeat(250)}.example:80`,
      ':80',
      42,
    ];
    for (const address of bad) {
      await expect(
        bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, address } as never),
        String(address),
      ).rejects.toEqual(
        new StatefulValidationError(
          'report.address',
          'must be host:port (IPv4, [IPv6] or a DNS name; port 1 to 65535), at most 255 characters',
        ),
      );
    }
    expect(await bed.keys()).toEqual([]);
  });

  it('are listed only for known pods: an address alone does not make a pod', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, address: '10.0.3.7:8080' });
    await bed.raw.hset(INFO_KEY, '5:address', '10.0.3.5:8080'); // left by a writer that removed pod 5
    expect(await bed.executor.getPodAddresses(NS, SVC)).toEqual(new Map([[0, '10.0.3.7:8080']]));
    await expect(bed.executor.getPodAddress(NS, SVC, 5)).resolves.toBeNull();
  });

  it('leave out a stored address that is not host:port, and count it', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, address: '10.0.3.7:8080' });
    await bed.raw.hset(INFO_KEY, '1:address', 'not an address', 'x:address', '10.0.3.8:8080');
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 1 });
    expect(await bed.executor.getPodAddresses(NS, SVC)).toEqual(new Map([[0, '10.0.3.7:8080']]));
    await expect(bed.executor.getPodAddress(NS, SVC, 1)).resolves.toBeNull();
  });
});

describe('StatefulPodAgent address', () => {
  const bed = useTestbed('standalone');
  afterEach(() => bed.flush());

  async function agentApp(pod: { address?: string; port?: number }, podIp?: string) {
    const saved = process.env.POD_IP;
    if (podIp === undefined) delete process.env.POD_IP;
    else process.env.POD_IP = podIp;
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          StatefulModule.forRoot({
            redis: bed.redisOptions,
            pod: { namespace: NS, service: SVC, podId: 7, load: () => 0, ...pod },
          }),
        ],
      }).compile();
      return await moduleRef.createNestApplication({ logger: false }).init();
    } finally {
      if (saved === undefined) delete process.env.POD_IP;
      else process.env.POD_IP = saved;
    }
  }

  it('reports pod.address, else POD_IP with pod.port (IPv6 in brackets), else none', async () => {
    const cases: [{ address?: string; port?: number }, string | undefined, string | null][] = [
      [{ address: 'game-7.game:9000' }, '10.1.1.1', 'game-7.game:9000'],
      [{ port: 8080 }, '10.1.1.7', '10.1.1.7:8080'],
      [{ port: 8080 }, 'fd00::7', '[fd00::7]:8080'],
      [{ port: 8080 }, undefined, null],
      [{}, '10.1.1.7', null],
    ];
    for (const [pod, podIp, expected] of cases) {
      const app = await agentApp(pod, podIp);
      try {
        expect(app.get(StatefulPodAgent).podId).toBe(7);
        await waitUntil(
          async () => (await bed.raw.hget(`sf:{${NS}:state:${SVC}}`, '7')) === 'Ready',
          'the Ready report',
        );
        expect(await bed.raw.hget(INFO_KEY, '7:address'), JSON.stringify(pod)).toBe(expected);
      } finally {
        await app.close();
        await bed.flush();
      }
    }
  });

  it('refuses a bad pod.address or pod.port at start, naming it', async () => {
    await expect(agentApp({ address: 'nowhere' })).rejects.toMatchObject({
      field: 'pod.address',
    });
    await expect(agentApp({ port: 70_000 }, '10.1.1.7')).rejects.toMatchObject({
      field: 'pod.port',
    });
    expect(await bed.keys()).toEqual([]);
  });
});
