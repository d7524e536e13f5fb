import type { KeyLayout } from '../../src';
import { TOPOLOGIES, type Topology } from './stateful-testbed';

/**
 * The keys of each layout, written out as facts (SPEC §2 for the Go port; SPEC §11 for the Java
 * original, from its StatefulDriverRedisImpl: `slug-state:{app:region:logic:svc}`,
 * `slug-lk:{app:region:logic:uid}`, `slug-lk:{app:region:logic:uid:svc}`), never built with the
 * library's own StatefulKeys: a test that asks the code under test for the key proves nothing.
 */
export interface LayoutKeys {
  layout: KeyLayout;
  /** The namespace the suites use: one name, or the Java original's `<appId>:<regionId>:<logicType>`. */
  ns: string;
  /** Another namespace, for suites that keep two apart. */
  otherNs: string;
  link(uid: string, svc: string, ns?: string): string;
  userLinks(uid: string, ns?: string): string;
  epoch(uid: string, svc: string, ns?: string): string;
  states(svc: string, ns?: string): string;
  /** This project's split load hash (never written in the java layout). */
  loads(svc: string, ns?: string): string;
  info(svc: string, ns?: string): string;
  workload(svc: string, ns?: string): string;
  /** The uid of a link key of `svc`, or undefined. */
  uidOf(key: string, svc: string, ns?: string): string | undefined;
}

export const GO_KEYS: LayoutKeys = {
  layout: 'go',
  ns: 'prod',
  otherNs: 'staging',
  link: (uid, svc, ns = 'prod') => `sf:{${ns}:lk:${uid}}${svc}`,
  userLinks: (uid, ns = 'prod') => `sf:{${ns}:lk:${uid}}`,
  epoch: (uid, svc, ns = 'prod') => `sf:{${ns}:lk:${uid}}${svc}:epoch`,
  states: (svc, ns = 'prod') => `sf:{${ns}:state:${svc}}`,
  loads: (svc, ns = 'prod') => `sf:{${ns}:state:${svc}}:load`,
  info: (svc, ns = 'prod') => `sf:{${ns}:state:${svc}}:info`,
  workload: (svc, ns = 'prod') => `sf:{${ns}:workload:${svc}}`,
  uidOf: (key, svc, ns = 'prod') => between(key, `sf:{${ns}:lk:`, `}${svc}`),
};

export const JAVA_KEYS: LayoutKeys = {
  layout: 'java',
  ns: 'app1:eu:logic',
  otherNs: 'app1:us:logic',
  link: (uid, svc, ns = 'app1:eu:logic') => `slug-lk:{${ns}:${uid}:${svc}}`,
  userLinks: (uid, ns = 'app1:eu:logic') => `slug-lk:{${ns}:${uid}}`,
  epoch: (uid, svc, ns = 'app1:eu:logic') => `slug-lk:{${ns}:${uid}:${svc}}:epoch`,
  states: (svc, ns = 'app1:eu:logic') => `slug-state:{${ns}:${svc}}`,
  loads: (svc, ns = 'app1:eu:logic') => `slug-state:{${ns}:${svc}}:load`,
  info: (svc, ns = 'app1:eu:logic') => `slug-state:{${ns}:${svc}}:info`,
  workload: (svc, ns = 'app1:eu:logic') => `slug-workload:{${ns}:${svc}}`,
  uidOf: (key, svc, ns = 'app1:eu:logic') => between(key, `slug-lk:{${ns}:`, `:${svc}}`),
};

function between(key: string, head: string, tail: string): string | undefined {
  return key.startsWith(head) && key.endsWith(tail) && key.length > head.length + tail.length
    ? key.slice(head.length, key.length - tail.length)
    : undefined;
}

/** A topology and a key layout the behaviour suites run on. */
export interface SuiteVariant {
  topology: Topology;
  keys: LayoutKeys;
  /** For the suite's title: `standalone`, `cluster`, `standalone, java keys`. */
  name: string;
}

/**
 * Every topology in the Go layout, and the Java layout on a single server (it cannot run on a
 * Cluster: a link and its user hash lie in different slots there).
 */
export const VARIANTS: SuiteVariant[] = [
  ...TOPOLOGIES.map((topology) => ({ topology, keys: GO_KEYS, name: topology })),
  ...(TOPOLOGIES.includes('standalone')
    ? [{ topology: 'standalone' as const, keys: JAVA_KEYS, name: 'standalone, java keys' }]
    : []),
];
