/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- parsed manifests are untyped data, read field by field */
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * The Kubernetes example and the Dockerfile, checked by reading them (no cluster and no Docker
 * engine here): the manifests agree with each other and carry the very files the gateway tests
 * run. What this leaves untested: that a cluster accepts them, and the images themselves.
 */
const ROOT = resolve(__dirname, '..');
const K8S = join(ROOT, 'deploy', 'kubernetes');

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as Manifest;
  });
}

const all = ['stateful-store.yaml', 'game-server.yaml', 'nginx-gateway.yaml'].flatMap(manifests);
const find = (kind: string, name: string): Manifest => {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const container = (workload: Manifest) => workload.spec.template.spec.containers[0];
const envOf = (workload: Manifest): Record<string, any> =>
  Object.fromEntries(container(workload).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const portOf = (workload: Manifest, name: string): number =>
  container(workload).ports.find((p: any) => p.name === name).containerPort;
/** The Service a host:port or URL names, and the port of it that is meant. */
const serviceTarget = (address: string) => {
  const match = /^(?:http:\/\/)?([a-z0-9-]+):(\d+)$/.exec(address)!;
  expect(match, address).not.toBeNull();
  return { service: find('Service', match[1]), port: Number(match[2]) };
};

describe('deploy/kubernetes', () => {
  const store = find('Deployment', 'stateful-store');
  const game = find('StatefulSet', 'game');
  const gateway = find('Deployment', 'nginx-gateway');

  it('the game servers reach the store through its Service, each side with its own token', () => {
    const { service, port } = serviceTarget(envOf(game).STORE_URL);
    expect(service.spec.selector).toEqual(store.spec.template.metadata.labels);
    const servicePort = service.spec.ports.find((p: any) => p.port === port);
    expect(servicePort.targetPort).toBe('http');
    expect(portOf(store, 'http')).toBe(Number(envOf(store).PORT ?? 3000));
    // Least privilege: a pod token for the game servers, a gateway token for the gateway, both
    // known to the store through its tokens file, mounted from its own Secret.
    expect(envOf(game).API_TOKEN).toEqual({
      secretKeyRef: { name: 'game-pod-token', key: 'token', optional: false },
    });
    expect(envOf(gateway).ROUTE_TOKEN).toEqual({
      secretKeyRef: { name: 'gateway-token', key: 'token', optional: false },
    });
    const tokensFile: string = envOf(store).API_TOKENS_FILE;
    const mount = container(store).volumeMounts.find((m: any) =>
      tokensFile.startsWith(`${m.mountPath}/`),
    );
    const volume = store.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    expect(volume.secret).toEqual({ secretName: 'stateful-store-tokens', optional: false });
    expect(tokensFile.slice(mount.mountPath.length + 1)).toBe('tokens.json');
  });

  it('the game servers report their address from the downward API, on their own port', () => {
    const env = envOf(game);
    expect(env.POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(Number(env.PORT)).toBe(portOf(game, 'http'));
    // The preStop endpoint has a port of its own, which the address the pods report never names.
    expect(container(game).lifecycle.preStop.httpGet).toEqual({ path: '/shutdown', port: 'admin' });
    expect(Number(env.ADMIN_PORT)).toBe(portOf(game, 'admin'));
    expect(portOf(game, 'admin')).not.toBe(portOf(game, 'http'));
  });

  it('the StatefulSet runs the sample game server the gateway tests run, behind a headless Service', () => {
    const code = find('ConfigMap', 'game-server-code').data!['sample-game-server.mjs'];
    expect(code).toBe(readFileSync(join(ROOT, 'deploy/gateways/sample-game-server.mjs'), 'utf8'));
    const mount = container(game).volumeMounts[0];
    expect(container(game).command).toEqual(['node', `${mount.mountPath}/sample-game-server.mjs`]);
    expect(game.spec.template.spec.volumes[0].configMap.name).toBe('game-server-code');
    const headless = find('Service', game.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(game.spec.template.metadata.labels);
    expect(game.spec.selector.matchLabels).toEqual(game.spec.template.metadata.labels);
  });

  it('the nginx gateway holds the tested configuration and gives it every variable it reads', () => {
    const template = readFileSync(
      join(ROOT, 'deploy/gateways/nginx/default.conf.template'),
      'utf8',
    );
    expect(find('ConfigMap', 'nginx-gateway-templates').data!['default.conf.template']).toBe(
      template,
    );
    const mount = container(gateway).volumeMounts[0];
    expect(mount.mountPath).toBe('/etc/nginx/templates'); // where the nginx image looks
    const variables = [...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    const env = envOf(gateway);
    expect(Object.keys(env).sort()).toEqual([...new Set(variables)].sort());
    expect(Number(env.GATEWAY_PORT)).toBe(portOf(gateway, 'http'));
    expect(env.ROUTE_TOKEN.secretKeyRef.name).toBe('gateway-token'); // a gateway token the store's file knows
    const { service } = serviceTarget(env.STORE_ADDRESS);
    expect(service.metadata.name).toBe('stateful-store');
    // The gateway routes the StatefulSet the game servers report as.
    expect(env.STATEFUL_NAMESPACE).toBe(envOf(game).NAMESPACE);
    expect(env.STATEFUL_SERVICE).toBe(envOf(game).SERVICE);
    expect(find('Service', 'nginx-gateway').spec.selector).toEqual(
      gateway.spec.template.metadata.labels,
    );
  });

  it('every Service selects pods that exist and targets a named port they have', () => {
    const workloads = all.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
    for (const service of all.filter((m) => m.kind === 'Service')) {
      const target = workloads.find(
        (w) =>
          JSON.stringify(w.spec.template.metadata.labels) === JSON.stringify(service.spec.selector),
      );
      expect(target, service.metadata.name).toBeDefined();
      for (const port of service.spec.ports) {
        expect(
          portOf(target!, port.targetPort),
          `${service.metadata.name} ${port.name}`,
        ).toBeDefined();
      }
    }
  });
});

describe('deploy/kubernetes: what a production cluster asks of workloads', () => {
  const workloads = all.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');

  it('every pod meets the restricted Pod Security level', () => {
    expect(workloads.length).toBe(3);
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      const name = workload.metadata.name;
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      expect(pod.securityContext?.seccompProfile, name).toEqual({ type: 'RuntimeDefault' });
      for (const c of pod.containers) {
        expect(c.securityContext?.allowPrivilegeEscalation, `${name}/${c.name}`).toBe(false);
        expect(c.securityContext?.capabilities?.drop, `${name}/${c.name}`).toEqual(['ALL']);
        expect(c.securityContext?.privileged ?? false, `${name}/${c.name}`).toBe(false);
      }
    }
  });

  it('every workload has a PodDisruptionBudget and spreads over nodes', () => {
    const budgets = all.filter((m) => m.kind === 'PodDisruptionBudget');
    for (const workload of workloads) {
      const labels = workload.spec.template.metadata.labels;
      const budget = budgets.find(
        (b) => JSON.stringify(b.spec.selector.matchLabels) === JSON.stringify(labels),
      );
      expect(budget, workload.metadata.name).toBeDefined();
      const spread =
        workload.spec.template.spec.affinity?.podAntiAffinity
          ?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm;
      expect(spread?.topologyKey, workload.metadata.name).toBe('kubernetes.io/hostname');
      expect(spread?.labelSelector?.matchLabels, workload.metadata.name).toEqual(labels);
    }
  });

  it('the store has a startup probe, its locally built image is not pulled, and no token is optional', () => {
    const store = container(find('Deployment', 'stateful-store'));
    expect(store.startupProbe.httpGet.path).toBe('/health/live');
    expect(
      store.startupProbe.periodSeconds * store.startupProbe.failureThreshold,
    ).toBeGreaterThanOrEqual(30);
    expect(store.imagePullPolicy).toBe('IfNotPresent');
    const refs = workloads.flatMap((w) =>
      container(w)
        .env.filter((e: any) => e.valueFrom?.secretKeyRef)
        .map((e: any) => e.valueFrom.secretKeyRef),
    );
    expect(refs.length).toBe(3);
    // A misnamed Secret must stop the pod, not run it without a token.
    for (const ref of refs) expect(ref.optional).toBe(false);
  });
});

describe('docker-compose.yml', () => {
  it("publishes the service only: a Redis the user runs on the host's 6379 keeps its port", () => {
    const compose = parseAllDocuments(
      readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'),
    )[0].toJS();
    expect(compose.services.redis.ports).toBeUndefined();
    expect(compose.services.stateful.ports).toEqual(['3000:3000']);
    expect(compose.services.stateful.environment.REDIS_URL).toBe('redis://redis:6379');
  });
});

describe('Dockerfile', () => {
  it('starts a file the build writes', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    const [program, script] = JSON.parse(cmd![1]) as string[];
    expect(program).toBe('node');
    // tsconfig.build.json compiles src/ into dist/, file for file.
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
    expect(build.compilerOptions.rootDir).toBe('./src');
    expect(build.compilerOptions.outDir ?? base.compilerOptions.outDir).toMatch(/^(\.\/)?dist$/);
    const source = script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
    expect(source).not.toBe(script);
    expect(existsSync(join(ROOT, source)), `${script} comes from ${source}`).toBe(true);
    // The image copies what the service reads at run time.
    expect(dockerfile).toMatch(/^COPY .*lua \.\/lua$/m);
    // And package.json's start script runs the same file.
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
    expect(start).toContain(script);
  });
});
