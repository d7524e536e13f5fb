// A sample game server, as a pod of the StatefulSet behind the gateway runs one: it answers every
// request with its pod id and what the gateway told it, and reports its status to the store with
// its address. Plain Node.js 20, no dependencies. deploy/kubernetes/game-server.yaml runs it, and
// so do the gateway tests (test/gateways.e2e-spec.ts).
//
//   STORE_URL   the store's service, e.g. http://stateful-store:80
//   API_TOKEN   the store's token
//   NAMESPACE   the namespace and service the store knows this StatefulSet by
//   SERVICE
//   POD_ID      default: the ordinal at the end of HOSTNAME (game-3 -> 3)
//   POD_IP      the address gateways reach it on (the downward API's status.podIP); default 127.0.0.1
//   PORT        the port gateways forward to, default 8080; 0 picks a free port
//   ADMIN_PORT  the port of the preStop hook, default 8081; 0 picks a free port
//   BEAT_MS     how often it reports its status, default 5000
//
// GET /shutdown on ADMIN_PORT reports Shutdown (the StatefulSet's preStop hook calls it): the store
// moves this pod's users to live pods at their next request. It has a port of its own because the
// gateway forwards every path of PORT to the pod: a client must not be able to shut a pod down.
// Prints "listening <port> <admin port>" once it is Ready.
import { createServer } from 'node:http';

const env = process.env;
const podId = Number(env.POD_ID ?? /-(\d+)$/.exec(env.HOSTNAME ?? '')?.[1]);
if (!Number.isInteger(podId)) throw new Error('POD_ID is not set and HOSTNAME has no ordinal');
const statusUrl = `${env.STORE_URL}/v1/namespaces/${env.NAMESPACE}/services/${env.SERVICE}/pods/${podId}/status`;
const beatMs = Number(env.BEAT_MS ?? 5000);
let served = 0;
let beat;

const admin = createServer(async (request, response) => {
  if (request.url !== '/shutdown') {
    response.statusCode = 404;
    response.end();
    return;
  }
  clearInterval(beat);
  await report('Shutdown').catch(() => undefined);
  response.end('reported Shutdown\n');
});

/**
 * uid -> the newest fencing epoch this pod served the user at. A request with an older one comes
 * from a gateway that has not heard of a newer link yet: refused (409), never served from stale
 * state. A real server also checks the epoch with the store (GET .../links/{svc}/owner) before it
 * persists the user's state.
 */
const epochs = new Map();

const server = createServer((request, response) => {
  served++;
  response.setHeader('content-type', 'application/json');
  const uid = request.headers['x-stateful-uid'] ?? null;
  const epoch = Number(request.headers['x-stateful-epoch'] ?? 0);
  if (uid !== null && epoch > 0) {
    if (epoch < (epochs.get(uid) ?? 0)) {
      response.statusCode = 409;
      response.end(JSON.stringify({ pod: podId, uid, staleEpoch: epoch }));
      return;
    }
    epochs.set(uid, epoch);
  }
  response.end(
    JSON.stringify({
      pod: podId,
      uid,
      sawPod: request.headers['x-stateful-pod'] ?? null,
      sawUpstream: request.headers['x-stateful-upstream'] ?? null,
      sawEpoch: request.headers['x-stateful-epoch'] ?? null,
    }),
  );
});

/** The heartbeat: load (requests served, as a stand-in), address, and a state when it changes. */
async function report(state) {
  const host = env.POD_IP ?? '127.0.0.1';
  const port = server.address().port;
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const response = await fetch(statusUrl, {
    method: 'PUT',
    headers: { authorization: `Bearer ${env.API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ load: served % 1_000_000, address, ...(state && { state }) }),
  });
  if (response.status !== 204) throw new Error(`status report answered ${response.status}`);
}

await new Promise((resolve) => admin.listen(Number(env.ADMIN_PORT ?? 8081), resolve));
server.listen(Number(env.PORT ?? 8080), async () => {
  for (;;) {
    try {
      await report('Ready');
      break;
    } catch (error) {
      console.error(`not reported yet: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  console.log(`listening ${server.address().port} ${admin.address().port}`);
  beat = setInterval(() => report().catch((error) => console.error(error.message)), beatMs);
});
