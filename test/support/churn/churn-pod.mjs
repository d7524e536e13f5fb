// A pod of the churn test (test/handoff-churn.e2e-spec.ts): a Nest application context whose
// StatefulModule runs StatefulPodAgent, built from this checkout (LIBRARY_DIR), in a process of its
// own so that the test can kill, pause and restart it. It answers the test on a small HTTP server:
//   POST /owns   [[uid, epoch], ...] -> [true|false, ...]   (StatefulPodAgent.owns, one by one)
//   POST /state  { "state": "Draining" }                      (StatefulPodAgent.setState)
// SIGTERM closes the app (Nest's shutdown hooks), whose agent reports Shutdown; then it exits.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { env } = process;
const library = require(join(env.LIBRARY_DIR, 'index.js'));
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const redis = env.REDIS_URL
  ? { url: env.REDIS_URL }
  : {
      cluster: {
        nodes: env.REDIS_CLUSTER_NODES.split(',').map((node) => {
          const [host, port] = node.split(':');
          return { host, port: Number(port) };
        }),
      },
    };

class PodModule {}
Module({
  imports: [
    library.StatefulModule.forRoot({
      redis,
      pod: {
        namespace: env.NAMESPACE,
        service: env.SERVICE,
        podId: Number(env.POD_ID),
        load: () => 0,
        reportEveryMs: Number(env.BEAT_MS),
      },
    }),
  ],
})(PodModule);

const app = await NestFactory.createApplicationContext(PodModule, { logger: false });
app.enableShutdownHooks(['SIGTERM']);
const agent = app.get(library.StatefulPodAgent);

async function body(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return JSON.parse(text);
}

const server = createServer(async (request, response) => {
  try {
    let answer;
    if (request.url === '/owns') {
      const pairs = await body(request);
      answer = [];
      for (const [uid, epoch] of pairs) answer.push(await agent.owns(uid, epoch));
    } else if (request.url === '/state') {
      await agent.setState((await body(request)).state);
      answer = { ok: true };
    } else {
      response.statusCode = 404;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(answer ?? null));
  } catch (error) {
    response.statusCode = 500;
    response.end(JSON.stringify({ error: String(error) }));
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
