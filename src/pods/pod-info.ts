import type { MalformedEntries } from '../core/malformed-entries';
import { flatHashEntries, parsePodIdOrUndefined } from '../core/reply-parsers';
import { isAddress, isState, MAX_PERIOD_MS } from '../core/validators';
import { withHeldState, type PodRecord } from './pod-status';

/** What this project keeps of one pod in the service's info hash (`P:{ns:state:svc}:info`). */
export interface PodInfo {
  address?: string;
  /** The period a report stated, and that report's time. */
  everyMs?: { period: number; since: number };
  /** Users placed on it, and the time of the load report they count from. */
  placed?: { count: number; since: number };
  /** In the Java status format: the state held for it where Java does not read (docs/operations.md). */
  state?: string;
}

const FIELD = /^(0|[1-9][0-9]{0,9}):(address|everyMs|placed|state)$/;
const PERIOD = /^([1-9][0-9]{2,6}):([0-9]{1,16})$/;
const PLACED = /^([1-9][0-9]{0,9}):([0-9]{1,16})$/;

/**
 * The info hash (`HGETALL` as a flat array) as pod id -> info. A field of another name is left for
 * a later version to read; a value that does not parse is left out and counted.
 */
export function parsePodInfo(
  raw: unknown,
  infoKey: string,
  malformed: MalformedEntries,
): Map<number, PodInfo> {
  const info = new Map<number, PodInfo>();
  for (const [field, value] of flatHashEntries(raw, infoKey)) {
    const match = FIELD.exec(field);
    const podId = match ? parsePodIdOrUndefined(match[1]) : undefined;
    if (match === null) continue;
    const parsed = podId === undefined ? undefined : parseValue(match[2], value);
    if (parsed === undefined) {
      malformed.note('info', infoKey, `${JSON.stringify(field)} -> ${JSON.stringify(value)}`);
      continue;
    }
    info.set(podId!, { ...info.get(podId!), ...parsed });
  }
  return info;
}

function parseValue(what: string, value: string): PodInfo | undefined {
  if (what === 'address') return isAddress(value) ? { address: value } : undefined;
  if (what === 'state') return isState(value) ? { state: value } : undefined;
  if (what === 'everyMs') {
    const stated = PERIOD.exec(value);
    const period = stated ? Number(stated[1]) : MAX_PERIOD_MS + 1;
    return period <= MAX_PERIOD_MS ? { everyMs: { period, since: Number(stated![2]) } } : undefined;
  }
  const placed = PLACED.exec(value);
  return placed ? { placed: { count: Number(placed[1]), since: Number(placed[2]) } } : undefined;
}

/**
 * A known pod's record with its info. A period holds for the report that stated it, placements
 * count from the report they name: a newer report (without a period; with the placements in its
 * load) ends either.
 */
export function withInfo(record: PodRecord, info: PodInfo): PodRecord {
  const current = record.load?.updatedAt;
  const everyMs = info.everyMs?.since === current ? info.everyMs?.period : undefined;
  const placed = info.placed?.since === current ? info.placed?.count : undefined;
  return {
    ...withHeldState(record, info.state),
    ...(info.address !== undefined && { address: info.address }),
    ...(everyMs !== undefined && { everyMs }),
    ...(placed !== undefined && { placed }),
  };
}
