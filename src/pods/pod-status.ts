import { DEFAULT_GONE_AFTER_MS, READY_STATE, SHUTDOWN_STATE } from '../core/stateful.constants';
import type { PodLoad } from '../core/stateful.types';

/** What the store knows of one pod: its state (if any) and its last load report (if any). */
export interface PodRecord {
  state?: string;
  load?: PodLoad;
  /** Where gateways reach it (`host:port`), when it reported one. Does not make a pod known. */
  address?: string;
  /** The period (ms) it stated it reports at. Does not make a pod known. */
  everyMs?: number;
  /** Users placed on it since its last load report, by any gateway (placement accounting). */
  placed?: number;
  /** Its status is the Java original's format (`<load>-<ms>-<avail>` in the state hash). */
  java?: boolean;
}

/** When pods are gone (computeLinkedPod's options): one age for all, or by each pod's period. */
export interface GoneRule {
  /** Set: every pod whose last report is older than this is gone. */
  readonly goneAfterMs?: number;
  /** Otherwise: a pod that stated its period is gone after this many of them. */
  readonly missedBeats: number;
}

/**
 * How old a pod's last report may be before the pod is gone: an explicit `goneAfterMs`; else, for
 * a pod whose last report stated its period, `missedBeats` periods; else DEFAULT_GONE_AFTER_MS.
 * Plus `tableAgeMs`, how old the pod table read is: a report made since is not in it.
 */
export function goneAfterMsOf(record: PodRecord, rule: GoneRule, tableAgeMs: number): number {
  if (rule.goneAfterMs !== undefined) return rule.goneAfterMs + tableAgeMs;
  if (record.everyMs !== undefined) return rule.missedBeats * record.everyMs + tableAgeMs;
  return DEFAULT_GONE_AFTER_MS + tableAgeMs;
}

/** `<load>:<unixMillis>`, this project's load hash value. */
const SPLIT_LOAD = /^((?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?):([0-9]{1,16})$/;
/**
 * `<load>-<unixMillis>[-<avail>]`, a pod status the Java original writes into the state hash, as its
 * `LoadInfo.build` reads it: a load from 0 to 2147483647 (it splits on `-`, so a negative load
 * fails there), a time, availability 1 or 0.
 */
const JAVA_STATUS = /^([0-9]{1,10})-([0-9]{1,16})(?:-([01]))?$/;
/** A value that starts as a number is a Java status or nothing: never a state string. */
const JAVA_LIKE = /^-?[0-9]/;
const MAX_JAVA_LOAD = 2_147_483_647;

/** A load hash value, or undefined when it does not parse. */
export function parseLoadValue(value: string): PodLoad | undefined {
  const match = SPLIT_LOAD.exec(value);
  if (!match) return undefined;
  const load = Number(match[1]);
  return Number.isFinite(load) ? { load, updatedAt: Number(match[2]) } : undefined;
}

/**
 * A state hash value as a record: a plain state string, or a Java status (`LoadInfo.join(load,
 * timestamp, state)`) read as a load report with state Ready (avail 1 or absent) or Shutdown (0).
 * Undefined for a value Java's parser refuses (a negative load, a fourth part, a non-number), and
 * with `javaOnly` (the java key layout, where only Java statuses belong) for a plain state: the
 * caller leaves it out and counts it.
 */
export function parseStateValue(value: string, javaOnly = false): PodRecord | undefined {
  const java = JAVA_STATUS.exec(value);
  if (!java) return javaOnly || JAVA_LIKE.test(value) ? undefined : { state: value };
  const load = Number(java[1]);
  if (load > MAX_JAVA_LOAD) return undefined;
  return {
    state: java[3] === '0' ? SHUTDOWN_STATE : READY_STATE,
    load: { load, updatedAt: Number(java[2]) },
    java: true,
  };
}

/**
 * A Java status's state, given the state this project holds for the pod (docs/operations.md: Draining, or an
 * operator's Shutdown, kept where Java does not read): the held one wins.
 */
export function withHeldState(record: PodRecord, held: string | undefined): PodRecord {
  return held !== undefined && record.java ? { ...record, state: held } : record;
}

/** Merges a load report into a record: the newer report wins (a pod reported in both formats). */
export function withLoad(record: PodRecord | undefined, load: PodLoad): PodRecord {
  if (record?.load && record.load.updatedAt >= load.updatedAt) return record;
  // Users placed since the older report are in the newer one's load, and a period holds for the
  // report that stated it: the newer report's writer adds its own.
  const updated: PodRecord = { ...record, load };
  delete updated.placed;
  delete updated.everyMs;
  return updated;
}

/** A report not older than `maxAgeMs`; one stamped ahead of now (another writer's clock) is fresh. */
export function isFresh(report: PodLoad, nowMs: number, maxAgeMs: number): boolean {
  return nowMs - report.updatedAt <= maxAgeMs;
}

/**
 * A pod that is gone: its state is Shutdown, or it has neither a state nor a load report (removed),
 * or its last load report is older than `rule` allows (goneAfterMsOf). Draining and merely slow
 * pods are not gone.
 */
export function isGone(
  record: PodRecord | undefined,
  nowMs: number,
  rule: GoneRule,
  tableAgeMs = 0,
): boolean {
  if (record === undefined || (record.state === undefined && record.load === undefined))
    return true;
  if (record.state === SHUTDOWN_STATE) return true;
  return (
    record.load !== undefined &&
    !isFresh(record.load, nowMs, goneAfterMsOf(record, rule, tableAgeMs))
  );
}
