import { MalformedReplyError } from '../errors';

/** Strict readers of Redis replies: a value of the wrong shape is a MalformedReplyError, never NaN. */

const POD_ID = /^(0|[1-9][0-9]{0,9})$/;
const MAX_POD_ID = 2_147_483_647;

export function parsePodId(raw: unknown, source: string): number {
  if (typeof raw === 'string' && POD_ID.test(raw)) {
    const podId = Number(raw);
    if (podId <= MAX_POD_ID) return podId;
  }
  throw new MalformedReplyError(source, `expected a pod id, got ${show(raw)}`);
}

/** A pod id, or undefined when the value is not one (for reads that leave such entries out). */
export function parsePodIdOrUndefined(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !POD_ID.test(raw)) return undefined;
  const podId = Number(raw);
  return podId <= MAX_POD_ID ? podId : undefined;
}

export function parseOptionalPodId(raw: unknown, source: string): number | null {
  return raw === null || raw === undefined ? null : parsePodId(raw, source);
}

/** A script's 0/1 integer reply. */
export function parseFlag(raw: unknown, source: string): boolean {
  if (raw === 0 || raw === 1) return raw === 1;
  throw new MalformedReplyError(source, `expected 0 or 1, got ${show(raw)}`);
}

/** A link's epoch in a script reply: a safe integer >= 0 (0: the link has none). */
export function parseEpoch(raw: unknown, source: string): number {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  throw new MalformedReplyError(source, `expected an epoch, got ${show(raw)}`);
}

/** A link script's `{ flag, podId, epoch }` array reply. */
export function parseFlagPodIdAndEpoch(
  raw: unknown,
  source: string,
): { flag: boolean; podId: number; epoch: number } {
  if (!Array.isArray(raw) || raw.length !== 3) {
    throw new MalformedReplyError(source, `expected a three-element array, got ${show(raw)}`);
  }
  return {
    flag: parseFlag(raw[0], source),
    podId: parsePodId(raw[1], source),
    epoch: parseEpoch(raw[2], source),
  };
}

/** A link script's `{ podId, epoch }` array reply, or null for nil (no link). */
export function parseOptionalPodIdAndEpoch(
  raw: unknown,
  source: string,
): { podId: number; epoch: number } | null {
  if (raw === null) return null;
  if (!Array.isArray(raw) || raw.length !== 2) {
    throw new MalformedReplyError(source, `expected a two-element array, got ${show(raw)}`);
  }
  return { podId: parsePodId(raw[0], source), epoch: parseEpoch(raw[1], source) };
}

/** An HGETALL reply as field/value pairs (ioredis gives an object). */
export function hashEntries(raw: unknown, source: string): [string, string][] {
  if (raw === null || typeof raw !== 'object') {
    throw new MalformedReplyError(source, `expected a hash, got ${show(raw)}`);
  }
  return Object.entries(raw as Record<string, unknown>).map(([field, value]) => {
    if (typeof value !== 'string') {
      throw new MalformedReplyError(`${source} ${field}`, `expected a string, got ${show(value)}`);
    }
    return [field, value];
  });
}

/** A flat `[field, value, field, value...]` array, as HGETALL returns inside a script reply. */
export function flatHashEntries(raw: unknown, source: string): [string, string][] {
  if (!Array.isArray(raw) || raw.length % 2 !== 0 || raw.some((item) => typeof item !== 'string')) {
    throw new MalformedReplyError(source, `expected a flat field/value array, got ${show(raw)}`);
  }
  const entries: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) entries.push([raw[i] as string, raw[i + 1] as string]);
  return entries;
}

export function parseInteger(raw: unknown, source: string): number {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  throw new MalformedReplyError(source, `expected an integer, got ${show(raw)}`);
}

function show(raw: unknown): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : String(JSON.stringify(raw) ?? raw);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
