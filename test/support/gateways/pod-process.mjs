// A game-server pod as the gateway tests run it: an HTTP server that answers every request with
// its pod id and the uid it was sent, and reports its status to the store with its address, as a
// pod of the StatefulSet does. Environment: POD_ID, STORE_URL, API_TOKEN, NAMESPACE, SERVICE,
// BEAT_MS. Prints "listening <port>" once its first report is stored.
import { createServer } from 'node:http';

const { POD_ID, STORE_URL, API_TOKEN, NAMESPACE, SERVICE, BEAT_MS } = process.env;
let served = 0;

const server = createServer((request, response) => {
  served++;
  response.setHeader('content-type', 'application/json');
  response.end(
    JSON.stringify({
      pod: Number(POD_ID),
      uid: request.headers['x-stateful-uid'] ?? null,
      sawPod: request.headers['x-stateful-pod'] ?? null,
      sawUpstream: request.headers['x-stateful-upstream'] ?? null,
    }),
  );
});

async function report(state) {
  const address = `127.0.0.1:${server.address().port}`;
  const response = await fetch(
    `${STORE_URL}/v1/namespaces/${NAMESPACE}/services/${SERVICE}/pods/${POD_ID}/status`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ load: served % 1000, address, ...(state && { state }) }),
    },
  );
  if (response.status !== 204) throw new Error(`status report answered ${response.status}`);
}

server.listen(0, '127.0.0.1', async () => {
  await report('Ready');
  process.stdout.write(`listening ${server.address().port}\n`);
  setInterval(() => report().catch(() => undefined), Number(BEAT_MS ?? 300));
});
