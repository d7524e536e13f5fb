import { StatefulValidationError } from '../../errors';

/**
 * Turns path, query and body values into the types the executor takes. docs/operations.md's rules are
 * checked by the executor itself; this layer refuses what cannot be converted and anything it does
 * not know (a field or parameter name with a typo would otherwise turn a conditional operation
 * into an unconditional one), naming the field.
 */

/** A canonical decimal integer: no sign on zero (`-0`), no leading zeros, no `+`. */
const INTEGER = /^(0|-?[1-9][0-9]*)$/;

export function integerParam(raw: unknown, field: string): number {
  if (typeof raw === 'string' && INTEGER.test(raw) && Number.isSafeInteger(Number(raw))) {
    return Number(raw);
  }
  throw new StatefulValidationError(field, 'must be an integer');
}

export function optionalIntegerParam(raw: string | undefined, field: string): number | undefined {
  return raw === undefined ? undefined : integerParam(raw, field);
}

export function booleanParam(raw: string | undefined, field: string): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new StatefulValidationError(field, 'must be true or false');
}

/** `a,b,c`, at most `max` entries; missing gives an empty list. */
export function listParam(raw: string | undefined, field: string, max: number): string[] {
  if (raw === undefined) return [];
  const items = raw.split(',');
  if (items.length > max) throw new StatefulValidationError(field, `must list at most ${max}`);
  return items;
}

/**
 * The query string's parameters, each given once, none empty, none unknown. Values stay strings;
 * `?podId=` is refused rather than read as "no podId".
 */
export function strictQuery(
  raw: unknown,
  allowed: readonly string[],
): Record<string, string | undefined> {
  const query = (raw ?? {}) as Record<string, unknown>;
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) {
      throw new StatefulValidationError(
        name,
        `is not a query parameter of this route${expected(allowed)}`,
      );
    }
    if (typeof value !== 'string') throw new StatefulValidationError(name, 'must be given once');
    if (value === '') throw new StatefulValidationError(name, 'must not be empty');
    result[name] = value;
  }
  return result;
}

/**
 * The JSON body as an object holding only `allowed` fields. Anything else (an array, a string, no
 * body, an unknown field, `-0` anywhere) is refused naming the field. `optional`: no body reads
 * as `{}`.
 */
export function strictBody(
  raw: unknown,
  allowed: readonly string[],
  options: { optional?: boolean } = {},
): Record<string, unknown> {
  if (raw === undefined && options.optional) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new StatefulValidationError('body', 'must be a JSON object');
  }
  const body = raw as Record<string, unknown>;
  for (const [field, value] of Object.entries(body)) {
    // null is never "left out": a field is given with a value, or not given.
    if (value === null) throw new StatefulValidationError(field, 'must not be null');
    if (!allowed.includes(field)) {
      throw new StatefulValidationError(field, `is not a field of this body${expected(allowed)}`);
    }
    refuseNegativeZero(value, field);
  }
  return body;
}

export function requiredField<T>(body: Record<string, unknown>, field: string): T {
  if (body[field] === undefined) throw new StatefulValidationError(field, 'is required');
  return body[field] as T;
}

export function oneOf<T extends string>(
  raw: unknown,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  throw new StatefulValidationError(field, `must be one of ${allowed.join(', ')}`);
}

/**
 * Runs a library call whose arguments come from the request, so that a refused one is named as the
 * request names it: the library says `options.maxLoad` or `report.load` where the body says
 * `maxLoad` or `load`. The library does the checking; this only renames (`from` -> `to`).
 */
export async function namedAsRequest<T>(
  from: string,
  to: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StatefulValidationError && error.field.startsWith(from)) {
      throw new StatefulValidationError(to + error.field.slice(from.length), error.reason);
    }
    throw error;
  }
}

/** A Map with numeric or string keys as a JSON object. */
export function mapToObject<K extends string | number, V>(
  map: ReadonlyMap<K, V>,
): Record<string, V> {
  const object: Record<string, V> = {};
  for (const [key, value] of map) object[String(key)] = value;
  return object;
}

/** JSON `-0` parses to a number that passes integer checks and prints as 0: refused as input. */
function refuseNegativeZero(value: unknown, field: string): void {
  if (Object.is(value, -0)) throw new StatefulValidationError(field, 'must not be -0');
  if (Array.isArray(value))
    value.forEach((item, index) => refuseNegativeZero(item, `${field}[${index}]`));
}

function expected(allowed: readonly string[]): string {
  return allowed.length === 0 ? ' (it takes none)' : ` (expected ${allowed.join(', ')})`;
}
