import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);

/** A throw-away CA, a server certificate for localhost/127.0.0.1 and a client certificate, made with openssl. */
export class TestCertificates {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TestCertificates> {
    const dir = mkdtempSync(join(tmpdir(), 'stateful-tls-'));
    const file = (name: string) => join(dir, name);
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=stateful-test-ca',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
    );
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    for (const [name, subject, extensions] of [
      ['server', '/CN=localhost', ['-extfile', file('server.ext')]],
      ['client', '/CN=stateful-test-client', []],
    ] as const) {
      await openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        subject,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
      );
      await openssl(
        'x509',
        '-req',
        '-days',
        '1',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.crt'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file(`${name}.crt`),
        ...extensions,
      );
    }
    return new TestCertificates(dir);
  }

  path(name: 'ca.crt' | 'server.crt' | 'server.key' | 'client.crt' | 'client.key'): string {
    return join(this.dir, name);
  }

  read(name: 'ca.crt' | 'client.crt' | 'client.key'): Buffer {
    return readFileSync(this.path(name));
  }

  /** redis-server arguments for TLS only (plain port off) on `port`, client certificates required. */
  serverArgs(port: number): string[] {
    return [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      this.path('server.crt'),
      '--tls-key-file',
      this.path('server.key'),
      '--tls-ca-cert-file',
      this.path('ca.crt'),
      '--tls-auth-clients',
      'yes',
    ];
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
