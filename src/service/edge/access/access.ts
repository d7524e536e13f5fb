import { timingSafeEqual } from 'crypto';
import { hashToken, type TokenGrant } from './token-grants';
import { OPERATION_ACTIONS, ROLE_ACTIONS } from './permissions';

/** API_TOKEN's longest allowed length: every comparison covers this many bytes. */
const TOKEN_WIDTH = 256;

/**
 * Compares a presented token with API_TOKEN in constant time whatever its length (up to the
 * longest token allowed): both are zero-padded to TOKEN_WIDTH bytes and compared whole, and the
 * lengths are compared after. Padding rather than hashing: a SHA-256 per request was about a third
 * of the gateway route's own CPU (`npm run bench -- --only=gateway`); tokens of API_TOKENS_FILE,
 * kept only as hashes, pay it.
 */
class TokenComparison {
  private readonly expected: Buffer;
  private readonly scratch = Buffer.alloc(TOKEN_WIDTH);

  constructor(private readonly token: string) {
    this.expected = Buffer.alloc(TOKEN_WIDTH);
    this.expected.write(token, 'latin1');
  }

  matches(presented: string): boolean {
    if (presented.length > TOKEN_WIDTH) return false; // no configured token is that long
    this.scratch.fill(0);
    this.scratch.write(presented, 'latin1');
    const same = timingSafeEqual(this.scratch, this.expected);
    return same && presented.length === this.token.length;
  }
}

/** API_TOKEN's grant: everything, everywhere. */
const ADMIN: TokenGrant = { hash: Buffer.alloc(32), role: 'admin', name: 'API_TOKEN' };

/** Where a request acts: the route's path parameters, and `?namespace=` of the routes without one. */
export interface RequestScope {
  ns?: string;
  svc?: string;
  podId?: string;
}

/**
 * Who may call what (docs/http-api.md, "Roles"): API_TOKEN (admin) and the grants of
 * API_TOKENS_FILE, which can be replaced while the service runs (a reload).
 */
export class Access {
  private readonly admin?: TokenComparison;

  constructor(
    adminToken: string | undefined,
    private grants: readonly TokenGrant[] = [],
  ) {
    if (adminToken !== undefined) this.admin = new TokenComparison(adminToken);
  }

  /** The grants of a reloaded tokens file; API_TOKEN stays. */
  replace(grants: readonly TokenGrant[]): void {
    this.grants = grants;
  }

  /** The presented token's grant, or undefined; every grant is compared, in constant time. */
  identify(presented: string): TokenGrant | undefined {
    if (this.admin?.matches(presented)) return ADMIN;
    if (this.grants.length === 0 || presented.length > TOKEN_WIDTH) return undefined;
    const hash = hashToken(presented);
    let found: TokenGrant | undefined;
    for (const grant of this.grants) {
      if (timingSafeEqual(hash, grant.hash) && found === undefined) found = grant;
    }
    return found;
  }

  /** Why `grant` may not call `operation` with this scope, or undefined when it may. */
  refusal(grant: TokenGrant, operation: string, scope: RequestScope): string | undefined {
    const action = OPERATION_ACTIONS[operation];
    const who = `the ${grant.role} token (${grant.name})`;
    if (grant.role !== 'admin' && (action === undefined || !ROLE_ACTIONS[grant.role].has(action))) {
      return `${who} may not call ${operation}`;
    }
    if (grant.namespaces !== undefined) {
      if (scope.ns === undefined) {
        return `${who} may act on its namespaces only: name one (?namespace=)`;
      }
      if (!grant.namespaces.has(scope.ns)) return `${who} may not act on namespace ${scope.ns}`;
    }
    if (grant.services !== undefined && scope.svc !== undefined && !grant.services.has(scope.svc)) {
      return `${who} may not act on service ${scope.svc}`;
    }
    if (
      grant.pods !== undefined &&
      scope.podId !== undefined &&
      !grant.pods.has(Number(scope.podId))
    ) {
      return `${who} may not act for pod ${scope.podId}`;
    }
    return undefined;
  }
}
