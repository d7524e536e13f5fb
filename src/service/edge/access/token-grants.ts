import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { ROLES, type Role } from './permissions';

/** One token's grant: its role and scope, and the token only as its SHA-256. */
export interface TokenGrant {
  /** SHA-256 of the token: tokens are never kept in memory as they are. */
  readonly hash: Buffer;
  readonly role: Role;
  /** Undefined: every namespace (`["*"]`). */
  readonly namespaces?: ReadonlySet<string>;
  /** Undefined: every service. */
  readonly services?: ReadonlySet<string>;
  /** Undefined: every pod (pod tokens only). */
  readonly pods?: ReadonlySet<number>;
  /** How the entry is named in messages: `tokens[2]`, or `API_TOKEN`. */
  readonly name: string;
}

/** A refused tokens file: the message names the entry and what is wrong with it. */
export class TokensFileError extends Error {}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** API_TOKEN: an admin token for everything. */
export function adminGrant(token: string): TokenGrant {
  return { hash: hashToken(token), role: 'admin', name: 'API_TOKEN' };
}

const TOKEN = /^[\x21-\x7e]{16,256}$/;
const FIELDS = new Set(['token', 'role', 'namespaces', 'services', 'pods']);

/**
 * Reads and checks `API_TOKENS_FILE`: `{ "tokens": [ { "token", "role", "namespaces", "services"?,
 * "pods"? } ] }`. `assertNamespace` and `assertServiceName` are the key layout's checks.
 */
export function readTokensFile(
  path: string,
  assertNamespace: (value: unknown, field: string) => void,
  assertServiceName: (value: unknown, field: string) => void,
): TokenGrant[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TokensFileError(`cannot read the file ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TokensFileError(`is not valid JSON (${(error as Error).message})`);
  }
  const tokens = (parsed as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new TokensFileError('must be { "tokens": [ ... ] } with at least one token');
  }
  const seen = new Set<string>();
  return tokens.map((entry: unknown, index) => {
    const name = `tokens[${index}]`;
    const grant = readGrant(entry, name, assertNamespace, assertServiceName);
    const key = grant.hash.toString('hex');
    if (seen.has(key)) throw new TokensFileError(`${name}.token is given twice`);
    seen.add(key);
    return grant;
  });
}

function readGrant(
  entry: unknown,
  name: string,
  assertNamespace: (value: unknown, field: string) => void,
  assertServiceName: (value: unknown, field: string) => void,
): TokenGrant {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new TokensFileError(`${name} must be an object { token, role, namespaces }`);
  }
  const { token, role, namespaces, services, pods } = entry as Record<string, unknown>;
  const unknown = Object.keys(entry).find((field) => !FIELDS.has(field));
  if (unknown)
    throw new TokensFileError(
      `${name}.${unknown} is not a field (token, role, namespaces, services, pods)`,
    );
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw new TokensFileError(
      `${name}.token must be 16 to 256 visible ASCII characters (no spaces)`,
    );
  }
  if (!ROLES.includes(role as Role)) {
    throw new TokensFileError(`${name}.role must be one of ${ROLES.join(', ')}`);
  }
  const names = list(namespaces, `${name}.namespaces`, (value, field) => {
    if (value !== '*') check(assertNamespace, value, field);
  });
  if (names === undefined || names.length === 0) {
    throw new TokensFileError(
      `${name}.namespaces is required: the namespaces it may act on, or ["*"]`,
    );
  }
  const serviceNames = list(services, `${name}.services`, (value, field) =>
    check(assertServiceName, value, field),
  );
  const podIds = list(pods, `${name}.pods`, (value, field) => {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0 ||
      value > 2_147_483_647
    ) {
      throw new TokensFileError(`${field} must be a pod id (an integer from 0 to 2147483647)`);
    }
  });
  if (podIds !== undefined && role !== 'pod') {
    throw new TokensFileError(`${name}.pods is for pod tokens only`);
  }
  return {
    hash: hashToken(token),
    role: role as Role,
    ...(!names.includes('*') && { namespaces: new Set(names as string[]) }),
    ...(serviceNames !== undefined && { services: new Set(serviceNames as string[]) }),
    ...(podIds !== undefined && { pods: new Set(podIds as number[]) }),
    name,
  };
}

function list(
  value: unknown,
  field: string,
  checkItem: (item: unknown, field: string) => void,
): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TokensFileError(`${field} must be an array`);
  const items: unknown[] = value;
  items.forEach((item, index) => checkItem(item, `${field}[${index}]`));
  return items;
}

/** A library check, its error turned into one naming the file's entry. */
function check(
  assert: (value: unknown, field: string) => void,
  value: unknown,
  field: string,
): void {
  try {
    assert(value, field);
  } catch (error) {
    throw new TokensFileError((error as Error).message.replace(/^Invalid /, ''));
  }
}
