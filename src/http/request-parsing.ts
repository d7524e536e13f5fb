import { StatefulValidationError } from '../errors';

/**
 * Turns path, query and body values into the types the executor takes. Rules of SPEC §2 are
 * checked by the executor itself; this layer only refuses what cannot be converted, naming the field.
 */

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

export function integerParam(raw: unknown, field: string): number {
  if (typeof raw === 'string' && INTEGER.test(raw) && Number.isSafeInteger(Number(raw)))
    return Number(raw);
  throw new StatefulValidationError(field, 'must be an integer');
}

export function optionalIntegerParam(raw: unknown, field: string): number | undefined {
  return raw === undefined || raw === '' ? undefined : integerParam(raw, field);
}

export function booleanParam(raw: unknown, field: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new StatefulValidationError(field, 'must be true or false');
}

/** `a,b,c`; empty or missing gives an empty list. */
export function listParam(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === '') return [];
  if (typeof raw !== 'string')
    throw new StatefulValidationError(field, 'must be a comma-separated list');
  return raw.split(',');
}

/** The JSON body as an object; anything else (array, string, missing) is refused. */
export function objectBody(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new StatefulValidationError('body', 'must be a JSON object');
  }
  return raw as Record<string, unknown>;
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

/** A Map with numeric or string keys as a JSON object. */
export function mapToObject<K extends string | number, V>(
  map: ReadonlyMap<K, V>,
): Record<string, V> {
  const object: Record<string, V> = {};
  for (const [key, value] of map) object[String(key)] = value;
  return object;
}
