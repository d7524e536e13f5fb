import { Validator } from '@seriousme/openapi-schema-validator';
import { useService } from './support/service-testbed';

type Schema = { $ref?: string; type?: string; [key: string]: unknown };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema; example?: unknown }> }>;
  security?: Record<string, unknown>[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
};

/** The OpenAPI document at /docs/json: valid, and complete enough for "Try it out" and generated clients. */
describe('OpenAPI document', () => {
  const svc = useService();
  let document: Document;
  const v1 = () =>
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method, op })),
      );

  beforeAll(async () => {
    document = (await svc.request('GET', '/docs/json')).body as Document;
  });

  it('is a valid OpenAPI document', async () => {
    const result = await new Validator().validate(
      JSON.parse(JSON.stringify(document)) as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every /v1 route', () => {
    const routes = v1().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(routes.sort()).toEqual(
      [
        'PUT /v1/namespaces/{ns}/services/{svc}/pods/{podId}/state',
        'GET /v1/namespaces/{ns}/services/{svc}/pods/{podId}/state',
        'GET /v1/namespaces/{ns}/services/{svc}/pods',
        'DELETE /v1/namespaces/{ns}/services/{svc}/pods/{podId}',
        'PUT /v1/namespaces/{ns}/services/{svc}/pods/{podId}/load',
        'GET /v1/namespaces/{ns}/services/{svc}/loads',
        'PUT /v1/namespaces/{ns}/services/{svc}/workload',
        'GET /v1/namespaces/{ns}/services/{svc}/workload',
        'GET /v1/namespaces/{ns}/workloads',
        'PUT /v1/namespaces/{ns}/users/{uid}/links/{svc}',
        'POST /v1/namespaces/{ns}/users/{uid}/links/{svc}/compute',
        'GET /v1/namespaces/{ns}/users/{uid}/links/{svc}',
        'GET /v1/namespaces/{ns}/users/{uid}/links/{svc}/owner',
        'DELETE /v1/namespaces/{ns}/users/{uid}/links/{svc}',
        'GET /v1/namespaces/{ns}/users/{uid}/links',
        'POST /v1/namespaces/{ns}/services/{svc}/links/batch-get',
        'PUT /v1/namespaces/{ns}/services/{svc}/pods/{podId}/status',
        'GET /v1/namespaces/{ns}/services/{svc}/pods/{podId}/users',
        'POST /v1/namespaces/{ns}/services/{svc}/pods/{podId}/release',
        'GET /v1/namespaces/{ns}/services/{svc}/addresses',
        'GET /v1/namespaces/{ns}/services/{svc}/route',
        'GET /v1/services',
        'GET /v1/namespaces/{ns}/services/{svc}/overview',
        'GET /v1/namespaces/{ns}/users/{uid}/overview',
      ].sort(),
    );
  });

  it('every operation has a one-line summary', () => {
    const all = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })),
    );
    const without = all.filter(({ op }) => !(op as { summary?: string }).summary);
    expect(without.map(({ route }) => route)).toEqual([]);
  });

  it("the compute body's example excludes a pod id a user would write", () => {
    const properties = (
      document.components.schemas.ComputeLinkBody as {
        properties: Record<string, { example?: unknown }>;
      }
    ).properties;
    expect(properties.excludePods.example).toEqual([2]);
  });

  it('every PUT and POST documents a JSON request body with a schema, so "Try it out" can send one', () => {
    for (const { path, method, op } of v1().filter(
      ({ method }) => method === 'put' || method === 'post',
    )) {
      const schema = op.requestBody?.content['application/json']?.schema;
      expect({ route: `${method} ${path}`, ref: schema?.$ref }).toEqual({
        route: `${method} ${path}`,
        ref: expect.stringMatching(/^#\/components\/schemas\/\w+Body$/),
      });
      const name = schema!.$ref!.split('/').pop()!;
      expect(
        Object.keys(document.components.schemas[name].properties ?? {}).length,
      ).toBeGreaterThan(0);
    }
  });

  it('path parameters are typed with their limits: podId an integer, names with their pattern', () => {
    for (const { path, op } of v1()) {
      const params = Object.fromEntries(
        (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p]),
      );
      for (const name of (path.match(/\{(\w+)\}/g) ?? []).map((segment) => segment.slice(1, -1))) {
        expect({ path, name, required: params[name]?.required }).toEqual({
          path,
          name,
          required: true,
        });
      }
      if (params.podId)
        expect(params.podId.schema).toEqual({ type: 'integer', minimum: 0, maximum: 2147483647 });
      if (params.ns)
        expect(params.ns.schema).toMatchObject({ type: 'string', pattern: expect.any(String) });
      if (params.uid) expect(params.uid.schema).toMatchObject({ type: 'string', maxLength: 256 });
    }
  });

  it('numeric query parameters are integers, not strings', () => {
    const query = v1().flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.in === 'query'));
    const types = Object.fromEntries(query.map((p) => [p.name, p.schema?.type]));
    expect(types).toEqual({
      cursor: 'string',
      count: 'integer',
      epoch: 'integer',
      maxAgeMs: 'integer',
      services: 'string',
      namespace: 'string',
      users: 'boolean',
      persistentOnly: 'boolean',
      persistSeconds: 'integer',
      podId: 'integer',
      uid: 'string',
    });
  });

  it('every route lists its error responses with the error schema', () => {
    const errorBody = '#/components/schemas/ErrorBody';
    for (const { path, method, op } of v1()) {
      const expected = ['400', '401', '403', '503'];
      if (op.requestBody) expected.push('408', '413', '415');
      if (method === 'get' && /\/(state|workload|links\/\{svc\})$/.test(path)) expected.push('404');
      for (const status of expected) {
        expect({
          route: `${method} ${path}`,
          status,
          schema: op.responses[status]?.content?.['application/json']?.schema?.$ref,
        }).toEqual({
          route: `${method} ${path}`,
          status,
          schema: errorBody,
        });
      }
      expect(Object.keys(op.responses).some((status) => /^2/.test(status))).toBe(true);
    }
    // Each error shows its own example (Swagger UI showed the 400 body under every status).
    for (const { op } of v1()) {
      for (const [status, response] of Object.entries(op.responses).filter(([code]) =>
        /^[45]/.test(code),
      )) {
        const example = response.content?.['application/json']?.example as
          { statusCode?: number } | undefined;
        if (status !== '409' || example?.statusCode !== undefined)
          expect(example?.statusCode).toBe(Number(status));
      }
    }
    const link = document.paths['/v1/namespaces/{ns}/users/{uid}/links/{svc}'].put;
    expect(link.responses['409'].content?.['application/json'].schema.$ref).toBe(
      '#/components/schemas/TryLinkConflictResponse',
    );
  });

  it('the token is an opaque bearer token (not a JWT) required by every /v1 route', () => {
    expect(document.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      description: expect.any(String),
    });
    for (const { op } of v1()) expect(op.security).toEqual([{ bearer: [] }]);
  });

  it('serves Swagger UI and its assets', async () => {
    const page = await svc.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-initializer.js']) {
      expect(page.body).toContain(`./docs/${asset}`);
      const response = await fetch(`${svc.baseUrl}/docs/${asset}`);
      expect(response.status).toBe(200);
    }
  });
});
