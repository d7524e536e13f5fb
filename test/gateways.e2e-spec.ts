import { startPodProcess, type PodProcess } from './support/gateways/pod-processes';
import { startProxy, type ProxyKind, type RunningProxy } from './support/gateways/proxies';
import { startService, type ServiceTestbed } from './support/service-testbed';

/**
 * SPEC §9 end to end: a real nginx, HAProxy and Caddy, each with the very configuration of
 * deploy/gateways, in front of the service and of pod processes that report their address; every
 * request goes through the proxy as a client's would.
 */
const TOKEN = 'gateway-test-token-0123456789';
const NAMESPACE = 'prod';
const SERVICE = 'game';
const USERS = Array.from({ length: 300 }, (_, i) => `player-${i}`);
const BEAT_MS = 200;
const GONE_AFTER_MS = 2_000;

interface PodAnswer {
  pod: number;
  uid: string | null;
  sawPod: string | null;
  sawUpstream: string | null;
  sawEpoch: string | null;
}

const PROXIES: ProxyKind[] = ['nginx', 'haproxy', 'caddy'];
const CACHE: [string, Record<string, string>][] = [
  ['link cache off', {}],
  ['link cache on', { LINK_CACHE_MAX_ENTRIES: '10000' }],
];

describe.each(PROXIES)('%s in front of the store (deploy/gateways)', (kind) => {
  describe.each(CACHE)('%s', (_label, cacheEnv) => {
    let service: ServiceTestbed;
    let pods: PodProcess[];
    let proxy: RunningProxy;
    /** Where each user went last, through the proxy. */
    const placed = new Map<string, number>();
    /** TCP connections the service accepted (the proxy's keep-alive shows here). */
    let connections = 0;

    const gatewayEnv = (token: string) => ({
      STORE_ADDRESS: `127.0.0.1:${service.port}`,
      ROUTE_TOKEN: token,
      STATEFUL_NAMESPACE: NAMESPACE,
      STATEFUL_SERVICE: SERVICE,
    });

    beforeAll(async () => {
      service = await startService({
        API_TOKEN: TOKEN,
        // Every live pod is a candidate: users spread over the pods, whatever their loads.
        ROUTE_LOAD_TOLERANCE: '1000000',
        ROUTE_MAX_AGE_MS: String(GONE_AFTER_MS),
        ROUTE_GONE_AFTER_MS: String(GONE_AFTER_MS),
        POD_TABLE_TTL_MS: '100',
        ...cacheEnv,
      });
      const podOptions = {
        storeUrl: service.baseUrl,
        token: TOKEN,
        namespace: NAMESPACE,
        service: SERVICE,
        beatMs: BEAT_MS,
      };
      pods = await Promise.all([0, 1, 2].map((id) => startPodProcess(id, podOptions)));
      proxy = await startProxy(kind, gatewayEnv(TOKEN));
      service.app.getHttpServer().on('connection', () => connections++);
    });

    afterAll(async () => {
      await proxy?.stop();
      pods?.forEach((pod) => pod.kill());
      await service?.close();
    });

    /** Every user's request through the proxy, `rounds` times; the pod each one reached. */
    async function routeEveryone(users: string[], rounds: number): Promise<Map<string, number>> {
      const reached = new Map<string, number>();
      const epochs = new Map<string, string>();
      const requests = users.flatMap((uid) => Array.from({ length: rounds }, () => uid));
      await inBatches(requests, 25, async (uid) => {
        // What a client may add: the proxy passes the query on to the pod, never to the route.
        const response = await fetch(`${proxy.url}/play?round=1`, {
          headers: {
            'x-stateful-uid': uid,
            'x-stateful-upstream': '127.0.0.1:9',
            'x-stateful-pod': '99',
            'x-stateful-epoch': '1',
          },
        });
        expect(response.status, `${uid}: ${await response.clone().text()}`).toBe(200);
        const answer = (await response.json()) as PodAnswer;
        expect(answer.uid).toBe(uid);
        // The pod sees the store's answer, never what the client sent.
        expect(answer.sawPod).toBe(String(answer.pod));
        expect(answer.sawUpstream).toBeNull();
        // The link's fencing epoch (the Redis clock in microseconds when it was issued), one per link.
        expect(answer.sawEpoch).toMatch(/^[1-9][0-9]{15}$/);
        const epochBefore = epochs.get(uid);
        if (epochBefore !== undefined) expect(answer.sawEpoch).toBe(epochBefore);
        epochs.set(uid, answer.sawEpoch!);
        const before = reached.get(uid);
        if (before !== undefined) expect(answer.pod, `${uid} reached two pods`).toBe(before);
        reached.set(uid, answer.pod);
      });
      return reached;
    }

    async function linkOf(uid: string): Promise<number> {
      const response = await service.request(
        'GET',
        `/v1/namespaces/${NAMESPACE}/users/${uid}/links/${SERVICE}`,
        { token: TOKEN },
      );
      return (response.body as { podId: number }).podId;
    }

    async function expectLinksMatch(reached: Map<string, number>): Promise<void> {
      for (const [uid, pod] of reached) expect(await linkOf(uid), uid).toBe(pod);
    }

    it('sends every request of each user to one pod, the pod the store links it to', async () => {
      const before = connections;
      const reached = await routeEveryone(USERS, 3);
      // 900 routed requests, 25 at a time: the proxy keeps its connections to the store open.
      expect(connections - before).toBeLessThanOrEqual(50);
      await expectLinksMatch(reached);
      expect(new Set(reached.values())).toEqual(new Set([0, 1, 2]));
      reached.forEach((pod, uid) => placed.set(uid, pod));
    });

    it('moves exactly the users of a pod that reports Shutdown, and nobody else', async () => {
      await pods[0].preStop(); // as the StatefulSet's preStop hook does
      await expect(
        service.request('GET', `/v1/namespaces/${NAMESPACE}/services/${SERVICE}/pods/0/state`, {
          token: TOKEN,
        }),
      ).resolves.toMatchObject({ body: { state: 'Shutdown' } });
      await sleep(200); // the pod table's age (POD_TABLE_TTL_MS), and then some
      const reached = await routeEveryone(USERS, 2);
      for (const [uid, pod] of reached) {
        if (placed.get(uid) === 0) expect(pod, uid).not.toBe(0);
        else expect(pod, uid).toBe(placed.get(uid));
      }
      await expectLinksMatch(reached);
      reached.forEach((pod, uid) => placed.set(uid, pod));
    });

    it('moves the users of a pod that stops beating once it is gone, and nobody else', async () => {
      pods[1].kill();
      await sleep(GONE_AFTER_MS + 500);
      const reached = await routeEveryone(USERS, 2);
      for (const [uid, pod] of reached) expect(pod, uid).toBe(2);
      const stayed = [...placed].filter(([, pod]) => pod === 2).map(([uid]) => uid);
      expect(stayed.length).toBeGreaterThan(0);
      await expectLinksMatch(reached);
    });

    it('answers 503 with Retry-After when no pod can take a new user, 400 without a uid', async () => {
      await service.request('PUT', `/v1/namespaces/${NAMESPACE}/services/${SERVICE}/pods/2/state`, {
        token: TOKEN,
        body: { state: 'Draining' },
      });
      await sleep(200);
      const newcomer = await fetch(`${proxy.url}/play`, { headers: { 'x-stateful-uid': 'new' } });
      expect(newcomer.status).toBe(503);
      expect(newcomer.headers.get('retry-after')).toBe('1');
      // A draining pod keeps its users.
      const known = USERS[0];
      const kept = await fetch(`${proxy.url}/play`, { headers: { 'x-stateful-uid': known } });
      expect(kept.status).toBe(200);
      expect(((await kept.json()) as PodAnswer).pod).toBe(2);
      const anonymous = await fetch(`${proxy.url}/play`);
      expect(anonymous.status).toBe(400);
      expect(await linkOfStatus('new')).toBe(404);
    });

    it("lets no client reach the pods' preStop endpoint", async () => {
      const response = await fetch(`${proxy.url}/shutdown`, {
        headers: { 'x-stateful-uid': USERS[0] },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as PodAnswer).pod).toBe(2); // an ordinary request to the pod
      await expect(linkOfStatus(USERS[0])).resolves.toBe(200);
      const state = await service.request(
        'GET',
        `/v1/namespaces/${NAMESPACE}/services/${SERVICE}/pods/2/state`,
        { token: TOKEN },
      );
      expect(state.body).toMatchObject({ state: 'Draining' }); // as the test before left it
    });

    it('is refused by the store without its token', async () => {
      const direct = await fetch(
        `${service.baseUrl}/v1/namespaces/${NAMESPACE}/services/${SERVICE}/route?uid=${USERS[0]}`,
      );
      expect(direct.status).toBe(401);
      const wrong = await startProxy(kind, gatewayEnv('not-the-token-0123456789'));
      try {
        const response = await fetch(`${wrong.url}/play`, {
          headers: { 'x-stateful-uid': USERS[0] },
        });
        // No pod answered: the proxy answered the store's refusal (nginx and Caddy pass the 401 on,
        // HAProxy's configuration turns every status but 200, 400 and 503 into a 502).
        expect([401, 502]).toContain(response.status);
        expect(await response.text()).not.toContain('"pod"');
      } finally {
        await wrong.stop();
      }
    });

    async function linkOfStatus(uid: string): Promise<number> {
      const response = await service.request(
        'GET',
        `/v1/namespaces/${NAMESPACE}/users/${uid}/links/${SERVICE}`,
        { token: TOKEN },
      );
      return response.status;
    }
  });
});

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
