import { isIPv6 } from 'net';
import { StatefulValidationError } from '../errors';

/** docs/operations.md identifier rules, checked before any Redis call. Each throws StatefulValidationError naming the field. */

/** Not printable: controls, format characters, surrogates, unassigned, line/paragraph separators. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Zl}\p{Zp}]/u;
const CONTROL = /\p{Cc}/u;
const MAX_POD_ID = 2_147_483_647;
const MAX_SECONDS = 2_147_483_647;

/** A namespace check: the Go layout's (assertNamespace) or the key layout's own (StatefulKeys). */
export type NamespaceCheck = (value: unknown, field: string) => void;

export function assertNamespace(value: unknown, field = 'namespace'): asserts value is string {
  assertName(value, field);
}

export function assertServiceName(value: unknown, field = 'serviceName'): asserts value is string {
  assertName(value, field);
}

function assertName(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !isName(value)) {
    throw new StatefulValidationError(
      field,
      'must be 1 to 128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit',
    );
  }
}

/** NAME as a loop: names are checked twice per call on the hot path, and this is 3x a regex. */
export function isName(value: string): boolean {
  const length = value.length;
  if (length < 1 || length > 128 || !isAlphanumeric(value.charCodeAt(0))) return false;
  for (let i = 1; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!isAlphanumeric(c) && c !== 0x2e && c !== 0x5f && c !== 0x2d) return false; // . _ -
  }
  return true;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** 1 to 256 printable ASCII characters (space to ~) other than { and }: always a valid uid. */
function isPrintableAsciiUid(value: string): boolean {
  const length = value.length;
  if (length < 1 || length > 256) return false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x7b || c === 0x7d) return false;
  }
  return true;
}

export function assertUid(value: unknown, field = 'uid'): asserts value is string {
  if (typeof value !== 'string') throw new StatefulValidationError(field, 'must be a string');
  // Most uids are short printable ASCII: one pass decides, with no allocation.
  if (isPrintableAsciiUid(value)) return;
  const length = codePointLength(value);
  if (length < 1 || length > 256) {
    throw new StatefulValidationError(field, 'must be 1 to 256 characters');
  }
  if (value.includes('{') || value.includes('}') || NOT_PRINTABLE.test(value)) {
    throw new StatefulValidationError(
      field,
      'must be printable, without { } or control characters',
    );
  }
}

/** The triple that names a link. */
export function assertLink(namespace: unknown, uid: unknown, serviceName: unknown): void {
  assertNamespace(namespace);
  assertUid(uid);
  assertServiceName(serviceName);
}

/** A namespace and a service name (the pod and workload operations' pair). */
export function assertService(namespace: unknown, serviceName: unknown): void {
  assertNamespace(namespace);
  assertServiceName(serviceName);
}

export function assertPodId(value: unknown, field = 'podId'): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_POD_ID) {
    throw new StatefulValidationError(field, `must be an integer from 0 to ${MAX_POD_ID}`);
  }
}

export function assertPersistSeconds(
  value: unknown,
  field = 'persistSeconds',
): asserts value is number {
  const valid =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    (value === -1 || (value >= 1 && value <= MAX_SECONDS));
  if (!valid) {
    throw new StatefulValidationError(
      field,
      `must be -1 (persistent) or an integer from 1 to ${MAX_SECONDS} (seconds)`,
    );
  }
}

/** A state string as docs/operations.md allows it: 1 to 1024 characters, no control characters. */
export function isState(value: string): boolean {
  const length = codePointLength(value);
  return length >= 1 && length <= 1024 && !CONTROL.test(value);
}

export function assertState(value: unknown, field = 'state'): asserts value is string {
  if (typeof value !== 'string') throw new StatefulValidationError(field, 'must be a string');
  const length = codePointLength(value);
  if (length < 1 || length > 1024 || CONTROL.test(value)) {
    throw new StatefulValidationError(
      field,
      'must be 1 to 1024 characters without control characters',
    );
  }
}

export function assertLoad(value: unknown, field = 'load'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StatefulValidationError(field, 'must be a finite number >= 0');
  }
}

export function assertMaxAgeMs(value: unknown, field = 'maxAgeMs'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StatefulValidationError(field, 'must be an integer >= 0 (milliseconds)');
  }
}

const IPV4 =
  /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
/** A DNS name: dot-separated labels of letters, digits and inner hyphens, 1 to 63 each. */
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const ADDRESS_RULE =
  'must be host:port (IPv4, [IPv6] or a DNS name; port 1 to 65535), at most 255 characters';

/** A pod's address as gateways dial it (docs/gateways.md): `host:port`. */
export function assertAddress(value: unknown, field = 'address'): asserts value is string {
  if (typeof value !== 'string' || !isAddress(value)) {
    throw new StatefulValidationError(field, ADDRESS_RULE);
  }
}

/** Whether `value` is a valid `host:port` (see assertAddress). */
export function isAddress(value: string): boolean {
  if (value.length > 255) return false;
  const colon = value.lastIndexOf(':');
  if (colon < 1) return false;
  const port = value.slice(colon + 1);
  if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65_535) return false;
  const host = value.slice(0, colon);
  if (host.startsWith('[')) {
    // No zone (fe80::1%eth0: no gateway can dial it) and not the unspecified address.
    const ip = host.slice(1, -1);
    return host.endsWith(']') && !ip.includes('%') && isIPv6(ip) && !/^[0:]+$/.test(ip);
  }
  // A dotted quad is an IPv4 address or nothing: 300.1.1.1 is no DNS name either.
  if (/^[0-9.]+$/.test(host)) return IPV4.test(host) && host !== '0.0.0.0';
  return DNS_NAME.test(host);
}

export const MIN_PERIOD_MS = 100;
export const MAX_PERIOD_MS = 3_600_000;

/** A reporter's period (`everyMs`, `reportEveryMs`): an integer from 100 to 3600000 ms. */
export function assertPeriodMs(value: unknown, field = 'everyMs'): asserts value is number {
  assertIntegerIn(value, field, MIN_PERIOD_MS, MAX_PERIOD_MS, ' (ms)');
}

/** A link's fencing epoch in a request (docs/operations.md): a safe integer > 0. */
export function assertEpoch(value: unknown, field = 'epoch'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StatefulValidationError(field, 'must be an integer from 1 to 9007199254740991');
  }
}

/** An integer from `min` to `max` (an option's count or duration), the error naming both bounds. */
export function assertIntegerIn(
  value: unknown,
  field: string,
  min: number,
  max: number,
  unit = '',
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StatefulValidationError(field, `must be an integer from ${min} to ${max}${unit}`);
  }
}

/** An options object (not null, not an array); `shape` shows what is expected. */
export function assertOptionsObject(
  value: unknown,
  field: string,
  shape: string,
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StatefulValidationError(field, `must be an object (${shape})`);
  }
}

export function assertFiniteNumber(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StatefulValidationError(field, 'must be a finite number');
  }
}

/** Validates every element with `assertItem` (naming `field[i]`) and drops duplicates, keeping order. */
export function uniqueList<T>(
  value: unknown,
  field: string,
  assertItem: (item: unknown, field: string) => void,
): T[] {
  if (!Array.isArray(value)) throw new StatefulValidationError(field, 'must be an array');
  value.forEach((item, index) => assertItem(item, `${field}[${index}]`));
  return [...new Set(value as T[])];
}

/** Characters as users count them (a surrogate pair is one); long strings are cut short cheaply. */
function codePointLength(value: string): number {
  if (value.length > 4096) return value.length;
  return Array.from(value).length;
}

/** Bad input thrown by a validator, as the rejection an `async` method would have returned. */
export function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
