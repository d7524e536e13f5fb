import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';
import { GATEWAYS_DIR } from './proxies';

/** A pod of the StatefulSet: deploy/gateways/sample-game-server.mjs in a process of its own. */
export interface PodProcess {
  podId: number;
  port: number;
  /** SIGKILL: the pod stops answering and beating at once, as a crashed pod does. */
  kill(): void;
  /** What the StatefulSet's preStop hook does: GET /shutdown on the admin port, which reports Shutdown. */
  preStop(): Promise<void>;
}

export interface PodProcessOptions {
  storeUrl: string;
  token: string;
  namespace: string;
  service: string;
  beatMs: number;
}

export async function startPodProcess(
  podId: number,
  options: PodProcessOptions,
): Promise<PodProcess> {
  const child = spawn(process.execPath, [join(GATEWAYS_DIR, 'sample-game-server.mjs')], {
    env: {
      ...process.env,
      POD_ID: String(podId),
      POD_IP: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      STORE_URL: options.storeUrl,
      API_TOKEN: options.token,
      NAMESPACE: options.namespace,
      SERVICE: options.service,
      BEAT_MS: String(options.beatMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const [port, adminPort] = await new Promise<[number, number]>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`pod ${podId} did not start: ${output}`)),
      10_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+) (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve([Number(match[1]), Number(match[2])]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`pod ${podId} exited (${code}): ${output}`)));
  });
  return {
    podId,
    port,
    kill: () => child.kill('SIGKILL'),
    async preStop() {
      const response = await fetch(`http://127.0.0.1:${adminPort}/shutdown`);
      if (!response.ok) throw new Error(`preStop answered ${response.status}`);
    },
  };
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));
