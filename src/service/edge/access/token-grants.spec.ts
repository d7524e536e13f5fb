import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { assertNamespace, assertServiceName } from '../../../core/validators';
import { Access } from './access';
import { hashToken, readTokensFile, TokensFileError } from './token-grants';

const TOKEN = 'a-token-of-sixteen-chars';

describe('API_TOKENS_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'grants-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (content: unknown) => {
    const path = join(dir, 'tokens.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return readTokensFile(path, assertNamespace, assertServiceName);
  };
  const refusal = (content: unknown) => {
    try {
      read(content);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(TokensFileError);
      return (error as Error).message;
    }
  };

  it('reads grants, keeping tokens only as hashes', () => {
    const [grant] = read({
      tokens: [{ token: TOKEN, role: 'pod', namespaces: ['prod'], services: ['game'], pods: [3] }],
    });
    expect(grant).toMatchObject({ role: 'pod', name: 'tokens[0]' });
    expect(grant.hash.equals(hashToken(TOKEN))).toBe(true);
    expect(JSON.stringify(grant)).not.toContain(TOKEN);
    expect([...grant.namespaces!]).toEqual(['prod']);
    expect([...grant.pods!]).toEqual([3]);
    const [all] = read({ tokens: [{ token: TOKEN, role: 'read', namespaces: ['*'] }] });
    expect(all.namespaces).toBeUndefined();
  });

  it('refuses a bad file with one line naming the entry', () => {
    const entry = (fields: Record<string, unknown>) => ({
      tokens: [
        { token: TOKEN, role: 'gateway', namespaces: ['prod'] },
        { token: `${TOKEN}-2`, ...fields },
      ],
    });
    expect(refusal('{not json')).toMatch(/^is not valid JSON/);
    expect(refusal({ tokens: [] })).toMatch(/at least one token/);
    expect(refusal(entry({ role: 'root', namespaces: ['prod'] }))).toBe(
      'tokens[1].role must be one of pod, gateway, read, admin',
    );
    expect(refusal(entry({ role: 'read', namespaces: ['pr od'] }))).toMatch(
      /^tokens\[1\]\.namespaces\[0\]: /,
    );
    expect(refusal(entry({ role: 'read' }))).toMatch(/^tokens\[1\]\.namespaces is required/);
    expect(refusal(entry({ role: 'gateway', namespaces: ['prod'], pods: [1] }))).toBe(
      'tokens[1].pods is for pod tokens only',
    );
    expect(refusal(entry({ role: 'read', namespaces: ['prod'], scope: 1 }))).toMatch(
      /^tokens\[1\]\.scope is not a field/,
    );
    expect(refusal({ tokens: [{ token: 'short', role: 'read', namespaces: ['*'] }] })).toBe(
      'tokens[0].token must be 16 to 256 visible ASCII characters (no spaces)',
    );
    expect(
      refusal({
        tokens: [
          { token: TOKEN, role: 'read', namespaces: ['*'] },
          { token: TOKEN, role: 'admin', namespaces: ['*'] },
        ],
      }),
    ).toBe('tokens[1].token is given twice');
  });

  it('identifies a token among the grants, API_TOKEN as admin', () => {
    const grants = read({
      tokens: [
        { token: TOKEN, role: 'pod', namespaces: ['prod'], pods: [3] },
        { token: `${TOKEN}-gw`, role: 'gateway', namespaces: ['*'] },
      ],
    });
    const access = new Access('the-admin-token-xyz', grants);
    expect(access.identify(TOKEN)?.name).toBe('tokens[0]');
    expect(access.identify(`${TOKEN}-gw`)?.role).toBe('gateway');
    expect(access.identify('the-admin-token-xyz')?.role).toBe('admin');
    expect(access.identify('nobody-knows-this-one')).toBeUndefined();
    const pod = access.identify(TOKEN)!;
    expect(
      access.refusal(pod, 'reportPodStatus', { ns: 'prod', svc: 'game', podId: '3' }),
    ).toBeUndefined();
    expect(access.refusal(pod, 'reportPodStatus', { ns: 'prod', svc: 'game', podId: '4' })).toBe(
      'the pod token (tokens[0]) may not act for pod 4',
    );
    expect(access.refusal(pod, 'setLinkedPod', { ns: 'prod' })).toBe(
      'the pod token (tokens[0]) may not call setLinkedPod',
    );
    // An operation with no rule is an admin's only.
    expect(
      access.refusal(access.identify(`${TOKEN}-gw`)!, 'someNewOperation', { ns: 'prod' }),
    ).toMatch(/may not call someNewOperation/);
  });
});
