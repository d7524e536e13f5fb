import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'fs';
import { createRequire } from 'module';
import { dirname, join } from 'path';

/** Swagger UI's files served under /docs, and their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * `/docs` (Swagger UI) and `/docs/json` (the document). Swagger UI's files are served from
 * swagger-ui-dist directly: @nestjs/swagger would need @fastify/static, whose current major needs
 * Node 22.
 */
export function serveDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: 'docs/json',
  });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const assetsDir = dirname(createRequire(__filename).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  for (const [file, type] of Object.entries(ASSETS)) {
    fastify.get(`/docs/${file}`, (_request, reply) => {
      let content = cache.get(file);
      if (!content) cache.set(file, (content = readFileSync(join(assetsDir, file))));
      void reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
    });
  }
  fastify.get('/docs/swagger-initializer.js', (_request, reply) => {
    void reply.type('application/javascript; charset=utf-8').send(INITIALIZER);
  });
  fastify.get('/docs', (_request, reply) => {
    void reply.type('text/html; charset=utf-8').send(PAGE);
  });
  // The page's links are relative to /docs: /docs/ would resolve them one level too deep.
  fastify.get('/docs/', (_request, reply) => void reply.redirect('../docs'));
}

const INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: './docs/json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Stateful routing store API</title>
    <link rel="stylesheet" href="./docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="./docs/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./docs/swagger-ui-bundle.js"></script>
    <script src="./docs/swagger-ui-standalone-preset.js"></script>
    <script src="./docs/swagger-initializer.js"></script>
  </body>
</html>
`;
