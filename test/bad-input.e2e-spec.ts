import { Redis } from 'ioredis';
import { StatefulValidationError, type StatefulExecutorService } from '../src';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

type Call = (executor: StatefulExecutorService) => Promise<unknown>;
// Bad input arrives from untyped callers (JSON, JavaScript), so the cases bypass the types on purpose.
const bad = (value: unknown): never => value as never;

const BAD_NAMES: [string, unknown][] = [
  ['empty', ''],
  ['a colon', 'a:b'],
  ['a brace', 'a{b}'],
  ['a leading dot', '.svc'],
  ['a leading dash', '-svc'],
  ['a space', 'a b'],
  ['129 characters', 'a'.repeat(129)],
  ['a non-ASCII letter', 'caf\u00e9'],
  ['a number', 12],
  ['null', null],
];
const BAD_UIDS: [string, unknown][] = [
  ['empty', ''],
  ['an opening brace', 'a{b'],
  ['a closing brace', 'a}b'],
  ['a newline', 'a\nb'],
  ['a NUL', 'a\u0000b'],
  ['DEL', 'a\u007fb'],
  ['257 characters', 'u'.repeat(257)],
  ['a number', 42],
];
const BAD_POD_IDS: [string, unknown][] = [
  ['negative', -1],
  ['fractional', 1.5],
  ['above 2147483647', 2_147_483_648],
  ['NaN', NaN],
  ['a string', '3'],
];
const BAD_EPOCHS: [string, unknown][] = [
  ['zero', 0],
  ['negative', -3],
  ['fractional', 1.5],
  ['above 2^53 - 1', 2 ** 53],
  ['NaN', NaN],
  ['a string', '5'],
  ['missing', undefined],
];
const BAD_PERSIST: [string, unknown][] = [
  ['zero', 0],
  ['-2', -2],
  ['fractional', 1.5],
  ['above 2147483647', 2_147_483_648],
  ['a string', '-1'],
];
const BAD_STATES: [string, unknown][] = [
  ['empty', ''],
  ['1025 characters', 's'.repeat(1025)],
  ['a control character', 'Run\tning'],
  ['not a string', 1],
];
const BAD_LOADS: [string, unknown][] = [
  ['negative', -0.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['a string', '3'],
];

/** [description, call, field the error must name] */
const CASES: [string, Call, string][] = [
  ...BAD_NAMES.flatMap(([what, value]): [string, Call, string][] => [
    [`namespace ${what}`, (e) => e.getServiceState(bad(value), 'svc'), 'namespace'],
    [`namespace ${what} (link)`, (e) => e.setLinkedPod(bad(value), 'u', 'svc', 1, -1), 'namespace'],
    [
      `serviceName ${what}`,
      (e) => e.setServiceState('ns', bad(value), 1, 'Running'),
      'serviceName',
    ],
    [
      `serviceName ${what} (link)`,
      (e) => e.trySetLinkedPod('ns', 'u', bad(value), 1, -1),
      'serviceName',
    ],
    [
      `serviceNames[1] ${what}`,
      (e) => e.getWorkloadStates('ns', ['ok', bad(value)]),
      'serviceNames[1]',
    ],
  ]),
  ...BAD_UIDS.flatMap(([what, value]): [string, Call, string][] => [
    [`uid ${what} (set)`, (e) => e.setLinkedPod('ns', bad(value), 'svc', 1, -1), 'uid'],
    [`uid ${what} (get)`, (e) => e.getLinkedPod('ns', bad(value), 'svc'), 'uid'],
    [`uid ${what} (getLink)`, (e) => e.getLink('ns', bad(value), 'svc'), 'uid'],
    [`uid ${what} (owner)`, (e) => e.isLinkOwner('ns', bad(value), 'svc', 1, 5), 'uid'],
    [`uid ${what} (links)`, (e) => e.getLinkService('ns', bad(value)), 'uid'],
    [`uids[2] ${what}`, (e) => e.getLinkedPods('ns', ['a', 'b', bad(value)], 'svc'), 'uids[2]'],
  ]),
  ...BAD_POD_IDS.flatMap(([what, value]): [string, Call, string][] => [
    [
      `podId ${what} (state)`,
      (e) => e.setServiceState('ns', 'svc', bad(value), 'Running'),
      'podId',
    ],
    [
      `podId ${what} (link)`,
      (e) => e.setLinkedPodIfAbsent('ns', 'u', 'svc', bad(value), -1),
      'podId',
    ],
    [
      `podId ${what} (remove)`,
      (e) => e.removeLinkedPodWithId('ns', 'u', 'svc', bad(value), -1),
      'podId',
    ],
    [
      `excludePods[0] ${what}`,
      (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { excludePods: [bad(value)] }),
      'options.excludePods[0]',
    ],
  ]),
  ...BAD_EPOCHS.map(([what, value]): [string, Call, string] => [
    `epoch ${what} (owner)`,
    (e) => e.isLinkOwner('ns', 'u', 'svc', 1, bad(value)),
    'epoch',
  ]),
  ...BAD_POD_IDS.map(([what, value]): [string, Call, string] => [
    `podId ${what} (owner)`,
    (e) => e.isLinkOwner('ns', 'u', 'svc', bad(value), 5),
    'podId',
  ]),
  ...BAD_PERSIST.flatMap(([what, value]): [string, Call, string][] => [
    [
      `persistSeconds ${what} (set)`,
      (e) => e.setLinkedPod('ns', 'u', 'svc', 1, bad(value)),
      'persistSeconds',
    ],
    [
      `persistSeconds ${what} (remove)`,
      (e) => e.removeLinkedPod('ns', 'u', 'svc', bad(value)),
      'persistSeconds',
    ],
    [
      `persistSeconds ${what} (compute)`,
      (e) => e.computeLinkedPod('ns', 'u', 'svc', bad(value)),
      'persistSeconds',
    ],
  ]),
  ...BAD_STATES.flatMap(([what, value]): [string, Call, string][] => [
    [`state ${what}`, (e) => e.setServiceState('ns', 'svc', 1, bad(value)), 'state'],
    [`workload state ${what}`, (e) => e.setWorkloadState('ns', 'svc', bad(value)), 'state'],
  ]),
  ...BAD_LOADS.map(([what, value]): [string, Call, string] => [
    `load ${what}`,
    (e) => e.reportPodLoad('ns', 'svc', 1, bad(value)),
    'load',
  ]),
  ['maxAgeMs negative', (e) => e.getPodLoads('ns', 'svc', -1), 'maxAgeMs'],
  ['maxAgeMs fractional', (e) => e.getPodLoads('ns', 'svc', 0.5), 'maxAgeMs'],
  [
    'options.maxAgeMs negative',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { maxAgeMs: -5 }),
    'options.maxAgeMs',
  ],
  [
    'options.maxLoad NaN',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { maxLoad: NaN }),
    'options.maxLoad',
  ],
  [
    'options.excludePods longer than 10000',
    (e) =>
      e.computeLinkedPod('ns', 'u', 'svc', -1, {
        excludePods: Array.from({ length: 10_001 }, (_, i) => i),
      }),
    'options.excludePods',
  ],
  [
    'options.maxLoad negative',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { maxLoad: -5 }),
    'options.maxLoad',
  ],
  [
    'options.maxLoad zero',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { maxLoad: 0 }),
    'options.maxLoad',
  ],
  [
    'options not an object',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, bad('fast')),
    'options',
  ],
  ['uids not an array', (e) => e.getLinkedPods('ns', bad('u1,u2'), 'svc'), 'uids'],
  // SPEC §6 operations.
  ...BAD_LOADS.map(([what, value]): [string, Call, string] => [
    `reportPodStatus load ${what}`,
    (e) => e.reportPodStatus('ns', 'svc', 1, { load: bad(value) }),
    'report.load',
  ]),
  ...BAD_STATES.map(([what, value]): [string, Call, string] => [
    `reportPodStatus state ${what}`,
    (e) => e.reportPodStatus('ns', 'svc', 1, { load: 1, state: bad(value) }),
    'report.state',
  ]),
  [
    'reportPodStatus without a report',
    (e) => e.reportPodStatus('ns', 'svc', 1, bad(null)),
    'report',
  ],
  ...BAD_POD_IDS.flatMap(([what, value]): [string, Call, string][] => [
    [
      `reportPodStatus podId ${what}`,
      (e) => e.reportPodStatus('ns', 'svc', bad(value), { load: 1 }),
      'podId',
    ],
    [
      `scanLinkedUsers podId ${what}`,
      (e) => e.scanLinkedUsers('ns', 'svc', bad(value)).next(),
      'podId',
    ],
    [`releasePodUsers podId ${what}`, (e) => e.releasePodUsers('ns', 'svc', bad(value)), 'podId'],
  ]),
  ...BAD_NAMES.flatMap(([what, value]): [string, Call, string][] => [
    [
      `scanLinkedUsers service ${what}`,
      (e) => e.scanLinkedUsers('ns', bad(value), 1).next(),
      'serviceName',
    ],
    [
      `releasePodUsers namespace ${what}`,
      (e) => e.releasePodUsers(bad(value), 'svc', 1),
      'namespace',
    ],
  ]),
  [
    'scanLinkedUsers count 0',
    (e) => e.scanLinkedUsers('ns', 'svc', 1, { count: 0 }).next(),
    'options.count',
  ],
  [
    'scan page with a forged cursor',
    (e) => e.scanLinkedUsersPage('ns', 'svc', 1, { cursor: '0-x' }),
    'cursor',
  ],
  [
    'scan page with a cursor beyond 64 bits',
    (e) => e.scanLinkedUsersPage('ns', 'svc', 1, { cursor: '0-18446744073709551616' }),
    'cursor',
  ],
  ...BAD_PERSIST.map(([what, value]): [string, Call, string] => [
    `releasePodUsers persistSeconds ${what}`,
    (e) => e.releasePodUsers('ns', 'svc', 1, { persistSeconds: bad(value) }),
    'options.persistSeconds',
  ]),
  [
    'options.heal not a boolean',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { heal: bad('no') }),
    'options.heal',
  ],
  [
    'options.goneAfterMs negative',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { goneAfterMs: -1 }),
    'options.goneAfterMs',
  ],
  [
    'options.loadTolerance negative',
    (e) => e.computeLinkedPod('ns', 'u', 'svc', -1, { loadTolerance: -1 }),
    'options.loadTolerance',
  ],
  ['serviceNames not an array', (e) => e.getWorkloadStates('ns', bad(null)), 'serviceNames'],
];

const CONNECTION_UPKEEP = new Set([
  'info',
  'cluster',
  'client',
  'ping',
  'hello',
  'auth',
  'select',
  'readonly',
]);

const JAVA_NS = 'app1:eu:logic';
const BAD_JAVA_NAMESPACES: [string, unknown][] = [
  ['one name', 'prod'],
  ['two parts', 'app1:eu'],
  ['four parts', 'app1:eu:logic:x'],
  ['an empty part', 'app1::logic'],
  ['a space in a part', 'app1:e u:logic'],
  ['a brace in a part', 'app1:eu:lo{gic'],
  ['a number', 7],
];

/**
 * SPEC §11: in the java key layout, namespaces of another shape and uids with ':' (which Java's
 * keys cannot keep apart from another user's link) are refused, naming the field.
 */
const JAVA_CASES: [string, Call, string][] = [
  ...BAD_JAVA_NAMESPACES.flatMap(([what, value]): [string, Call, string][] => [
    [`namespace ${what} (state)`, (e) => e.getServiceState(bad(value), 'svc'), 'namespace'],
    [`namespace ${what} (link)`, (e) => e.setLinkedPod(bad(value), 'u', 'svc', 1, -1), 'namespace'],
    [
      `namespace ${what} (compute)`,
      (e) => e.computeLinkedPod(bad(value), 'u', 'svc', -1),
      'namespace',
    ],
    [`namespace ${what} (scan)`, (e) => e.scanLinkedUsersPage(bad(value), 'svc', 1), 'namespace'],
  ]),
  ['uid with a colon (set)', (e) => e.setLinkedPod(JAVA_NS, 'u:game', 'svc', 1, -1), 'uid'],
  ['uid with a colon (get)', (e) => e.getLinkedPod(JAVA_NS, 'u:game', 'svc'), 'uid'],
  ['uid with a colon (links)', (e) => e.getLinkService(JAVA_NS, 'u:1'), 'uid'],
  ['uids[1] with a colon', (e) => e.getLinkedPods(JAVA_NS, ['a', 'b:c'], 'svc'), 'uids[1]'],
  ['uid with a colon (owner)', (e) => e.isLinkOwner(JAVA_NS, 'a:b', 'svc', 1, 5), 'uid'],
  ...CASES.filter(([what]) => !what.startsWith('namespace')).map(
    ([what, call, field]): [string, Call, string] => [
      `${what}, in the java layout`,
      // The same bad argument, with a namespace the java layout takes.
      (e) => call(new Proxy(e, { get: javaNamespace })),
      field,
    ],
  ),
];

/** Hands a method of the executor whose first argument 'ns' becomes the java layout's namespace. */
function javaNamespace(target: StatefulExecutorService, name: string | symbol): unknown {
  const member = Reflect.get(target, name) as unknown;
  if (typeof member !== 'function') return member;
  return (...args: unknown[]) =>
    (member as (...a: unknown[]) => unknown).apply(
      target,
      args[0] === 'ns' ? [JAVA_NS, ...args.slice(1)] : args,
    );
}

/** SPEC §2: every bad input gets a typed error naming the field, and Redis is not touched. */
describe.each([
  ...TOPOLOGIES.map((topology) => ({ topology, layout: 'go' as const, cases: CASES })),
  ...(TOPOLOGIES.includes('standalone')
    ? [{ topology: 'standalone' as const, layout: 'java' as const, cases: JAVA_CASES }]
    : []),
])('bad input ($topology, $layout keys)', ({ topology, layout, cases }) => {
  const bed = useTestbed(topology, { keyLayout: layout });
  let monitors: Redis[];
  const seen: string[][] = [];

  beforeAll(async () => {
    // MONITOR on every master: any command the library sent, to any node, would show up here.
    monitors = await Promise.all(
      bed
        .masters()
        .map((node) =>
          new Redis(node.options.port!, node.options.host!, { lazyConnect: true }).monitor(),
        ),
    );
    monitors.forEach((monitor) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        // Connection upkeep (ready checks, slot-map refreshes of the Cluster clients) is not a request.
        if (!CONNECTION_UPKEEP.has(args[0].toLowerCase())) seen.push(args);
      }),
    );
  });
  afterAll(() => monitors.forEach((monitor) => monitor.disconnect()));

  it.each(cases)('%s is rejected naming the field', async (_what, call, field) => {
    const error = await call(bed.executor).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe(field);
    expect((error as StatefulValidationError).message).toContain(field);
  });

  it('none of them sent a single command to Redis', async () => {
    // A marker command proves the monitor was listening: it must be the only thing it saw.
    const masters = bed.masters();
    await Promise.all(masters.map((node) => node.echo('end-of-bad-input')));
    const deadline = Date.now() + 5_000;
    while (seen.length < masters.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toEqual(masters.map(() => ['echo', 'end-of-bad-input']));
  });
});
