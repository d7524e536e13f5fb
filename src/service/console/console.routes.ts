import type { FastifyInstance } from 'fastify';
import { CONSOLE_HTML } from './console-page';
import { CONSOLE_JS } from './console-script';
import { CONSOLE_CSS } from './console-style';

/** Each of the console's three files, its type, and no file from anywhere else (CSP). */
const FILES: [string, string, string][] = [
  ['/console', 'text/html; charset=utf-8', CONSOLE_HTML],
  ['/console/console.js', 'application/javascript; charset=utf-8', CONSOLE_JS],
  ['/console/console.css', 'text/css; charset=utf-8', CONSOLE_CSS],
];

/**
 * The operators' console (docs/operating.md, `CONSOLE=true`): a page that holds no data itself and calls the
 * `/v1` API, so API_TOKEN protects what it shows and does, as for any other client.
 */
export function serveConsole(fastify: FastifyInstance): void {
  for (const [url, type, content] of FILES) {
    fastify.get(url, (_request, reply) => {
      void reply
        .type(type)
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(content);
    });
  }
}
