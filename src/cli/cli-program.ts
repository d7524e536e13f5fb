import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Env } from '../config/environment-reader';
import type { StatefulKeys } from '../core/stateful-keys';
import * as check from '../core/validators';
import { describeFailure, EXIT_OK, EXIT_USAGE } from './cli-errors';
import { consoleOutput, seconds, table, type CliOutput } from './cli-output';
import { openStore, readCliEnvironment, type CliStore } from './cli-store';

const ENVIRONMENT_HELP = `
Where the store is: the service's variables (REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS,
REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS..., REDIS_KEY_LAYOUT, REDIS_KEY_PREFIX), validated as the
service validates them. Default: redis://127.0.0.1:6379.

Exit codes: 0 done, 1 bad usage or input (the message names the argument), 2 Redis unavailable,
3 any other failure.`;

type Action = (store: CliStore, out: CliOutput) => Promise<void>;

/**
 * `stateful-redis`, the operators' command line: look at a service's pods and a user's links, drain
 * a pod, make it ready, release its users, forget it. Returns the exit code.
 */
export async function runCli(argv: string[], env: Env = process.env): Promise<number> {
  const program = new Command('stateful-redis')
    .description('Look at and act on the stateful routing store in Redis.')
    .option('--json', 'print JSON, for scripts')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError('(stateful-redis --help lists the commands)')
    .exitOverride();
  const json = () => program.opts<{ json?: boolean }>().json === true;
  /** Checks the arguments with the key layout, then runs `action` against the store. */
  const run = async (checkArgs: (keys: StatefulKeys) => unknown, action: Action) => {
    const { store: environment, keys } = readCliEnvironment(env);
    checkArgs(keys);
    const store = await openStore(environment);
    try {
      await action(store, consoleOutput(json()));
    } finally {
      await store.close();
    }
  };

  program
    .command('services')
    .description('list the services whose pods reported (a bounded scan)')
    .argument('[ns]', 'only this namespace')
    .action((ns: string | undefined) =>
      run(
        (keys) => ns !== undefined && keys.assertNamespace(ns),
        async ({ overview }, out) => {
          const { services, complete } = await overview.services(ns);
          if (out.json) return out.write(JSON.stringify({ services, complete }));
          out.write(
            table(
              ['NAMESPACE', 'SERVICE'],
              services.map((s) => [s.namespace, s.service]),
            ),
          );
          if (!complete) out.write('(not all services: the scan stopped at its bound)');
        },
      ),
    );

  program
    .command('pods')
    .description("a service's pods: state, load, age of the last report, address")
    .argument('<ns>', 'namespace')
    .argument('<svc>', 'service')
    .option('--users', "count each pod's users (a full scan of the service's links)")
    .action((ns: string, svc: string, options: { users?: boolean }) =>
      run(
        (keys) => keys.assertService(ns, svc),
        async ({ overview }, out) => {
          const pods = await overview.podList(ns, svc);
          const users = options.users
            ? await Promise.all(pods.map((pod) => overview.countUsers(ns, svc, pod.podId)))
            : undefined;
          if (out.json) {
            const rows = pods.map((pod, i) => ({ ...pod, ...(users && { users: users[i] }) }));
            return out.write(JSON.stringify({ namespace: ns, service: svc, pods: rows }));
          }
          if (pods.length === 0) return out.write(`no pods known for ${ns}/${svc}`);
          const header = ['POD', 'STATE', 'LOAD', 'AGE', 'ADDRESS', ...(users ? ['USERS'] : [])];
          out.write(
            table(
              header,
              pods.map((pod, i) => [
                pod.podId,
                pod.state,
                pod.load,
                seconds(pod.ageMs),
                pod.address,
                ...(users ? [users[i]] : []),
              ]),
            ),
          );
        },
      ),
    );

  program
    .command('user')
    .description("a user's links: pod, persistence, time to live, epoch")
    .argument('<ns>', 'namespace')
    .argument('<uid>', 'user id')
    .option('--service <svc...>', 'services to look at (default: every service of the namespace)')
    .action((ns: string, uid: string, options: { service?: string[] }) =>
      run(
        (keys: StatefulKeys) => {
          keys.assertNamespace(ns);
          keys.assertUid(uid);
          options.service?.forEach((svc) => check.assertServiceName(svc, 'service'));
        },
        async ({ overview }, out) => {
          const services =
            options.service ?? (await overview.services(ns)).services.map((s) => s.service);
          const links = await overview.userLinks(ns, uid, services);
          if (out.json) return out.write(JSON.stringify({ namespace: ns, uid, links }));
          if (links.length === 0) return out.write(`${uid} has no links in ${ns}`);
          out.write(
            table(
              ['SERVICE', 'POD', 'PERSISTENT', 'TTL', 'EPOCH'],
              links.map((link) => [
                link.service,
                link.podId,
                link.persistent ? 'yes' : 'no',
                seconds(link.ttlMs),
                link.epoch || '-',
              ]),
            ),
          );
        },
      ),
    );

  /** A command on one pod: `<name> <ns> <svc> <pod>`. */
  const podCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<ns>', 'namespace')
      .argument('<svc>', 'service')
      .argument('<pod>', 'pod id', podId);

  for (const [name, state, what] of [
    ['drain', 'Draining', 'drain a pod: it keeps its users and takes no new ones'],
    ['ready', 'Ready', 'make a pod ready again: it takes new users'],
  ] as const) {
    podCommand(name, what).action((ns: string, svc: string, pod: number) =>
      run(
        (keys) => keys.assertService(ns, svc),
        async ({ executor }, out) => {
          await executor.setServiceState(ns, svc, pod, state);
          out.write(
            out.json
              ? JSON.stringify({ namespace: ns, service: svc, podId: pod, state })
              : `pod ${pod} of ${ns}/${svc} is ${state}`,
          );
        },
      ),
    );
  }

  podCommand(
    'release',
    "remove the links of a pod's users, so that their next request places them anew",
  )
    .option(
      '--persist-seconds <seconds>',
      'keep each link this long as a temporary one instead of deleting it',
      persistSeconds,
    )
    .action((ns: string, svc: string, pod: number, options: { persistSeconds?: number }) =>
      run(
        (keys) => keys.assertService(ns, svc),
        async ({ executor }, out) => {
          const released = await executor.releasePodUsers(ns, svc, pod, {
            ...(options.persistSeconds !== undefined && { persistSeconds: options.persistSeconds }),
            onProgress: (count) => out.progress(`released ${count} users of pod ${pod}...`),
          });
          out.progress('');
          out.write(
            out.json
              ? JSON.stringify({ namespace: ns, service: svc, podId: pod, released })
              : `released ${released} users of pod ${pod} of ${ns}/${svc}`,
          );
        },
      ),
    );

  podCommand(
    'forget',
    'forget a pod that is gone for good (its state, load and what is kept of it)',
  ).action((ns: string, svc: string, pod: number) =>
    run(
      (keys) => keys.assertService(ns, svc),
      async ({ executor }, out) => {
        const known = await executor.removeServicePod(ns, svc, pod);
        out.write(
          out.json
            ? JSON.stringify({ namespace: ns, service: svc, podId: pod, known })
            : known
              ? `forgot pod ${pod} of ${ns}/${svc}`
              : `pod ${pod} of ${ns}/${svc} was not known`,
        );
      },
    ),
  );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    // Help and version exit 0; every other usage error exits 1, commander having said why.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const { code, message } = describeFailure(error);
    process.stderr.write(`stateful-redis: ${message}\n`);
    return code;
  }
}

function podId(value: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(value) || Number(value) > 2_147_483_647) {
    throw new InvalidArgumentError('must be an integer from 0 to 2147483647');
  }
  return Number(value);
}

function persistSeconds(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    throw new InvalidArgumentError('must be an integer from 1 to 2147483647');
  }
  return Number(value);
}
