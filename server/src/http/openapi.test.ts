import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { OPENAPI_TAGS, documentRoute, registerOpenApi } from './openapi.js';
import { namedSchemas } from './openapi-components.js';
import { OPERATION_DOCS } from './openapi-media.js';
import { OPERATION_IDS } from './openapi-operations.js';
import { SITE_FILES, SITE_VERSION_ID, startDocumentedServer, type DocumentedServer } from '../testing/openapi-server.js';

/*
 * The OpenAPI document is what generated clients are made from: every operation has an operationId,
 * every tag is declared, the shared schemas are named components, files and streams carry their media
 * types, and the wildcard site file route has a named parameter that a client's percent-encoding does
 * not break. All of it is added to the document only: route validation and serialization stay as they
 * were (the route suites and the fuzz test run against the same schemas).
 */

interface Media {
  schema?: Schema;
}
interface Schema {
  $ref?: string;
  [key: string]: unknown;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, Media> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, Media> }>;
}
interface Doc {
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let server: DocumentedServer;
let doc: Doc;
/** The shared schemas as they were before any document was built: building one must not change them. */
const namedBefore = JSON.stringify(namedSchemas());

const operations = () => Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, op })));
const op = (method: string, p: string): Operation => {
  const found = doc.paths[p]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${p} is not in the document`);
  return found;
};

beforeAll(async () => {
  server = await startDocumentedServer('openapi');
  const res = await fetch(`${server.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
}, 30_000);

afterAll(async () => {
  await server?.close();
});

describe('operationIds', () => {
  it('gives every operation an operationId (add it to OPERATION_IDS in http/openapi-operations.ts)', () => {
    const missing = operations()
      .filter(({ op }) => !op.operationId)
      .map(({ key }) => key.replace(/\{([^}]+)\}/g, ':$1'));
    // The lines to add, keyed as the route is registered (a wildcard route by its `*`, not `:path`).
    const lines = missing.map((key) => `  '${key}': '<camelCaseName>',`).join('\n');
    expect(missing, `New routes without an operationId: add them to OPERATION_IDS in server/src/http/openapi-operations.ts (or set schema.operationId):\n${lines}\n`).toEqual([]);
  });

  it('never gives two operations the same id, and names only routes that exist', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'operationIds used twice').toEqual([]);
    const stale = Object.entries(OPERATION_IDS)
      .filter(([, id]) => !ids.includes(id))
      .map(([key]) => key);
    expect(stale, 'OPERATION_IDS entries whose route is gone (or documented under another id)').toEqual([]);
    for (const id of ids) expect(id, 'camelCase ids').toMatch(/^[a-z][A-Za-z0-9]*$/);
  });

  it('gives the ones a client author looks for the names they expect', () => {
    expect(op('post', '/api/jobs').operationId).toBe('submitJob');
    expect(op('get', '/api/jobs').operationId).toBe('listJobs');
    expect(op('get', '/api/jobs/{id}').operationId).toBe('getJob');
    expect(op('delete', '/api/jobs/{id}').operationId).toBe('cancelJob');
    expect(op('get', '/api/assets').operationId).toBe('listAssets');
    expect(op('get', '/api/assets/{id}/file').operationId).toBe('getAssetFile');
  });
});

describe('tags and servers', () => {
  it('declares, with a description, every tag an operation uses', () => {
    const declared = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
    const used = [...new Set(operations().flatMap(({ op }) => op.tags ?? []))];
    expect(used.filter((t) => !declared.has(t)), 'tags to add to OPENAPI_TAGS in http/openapi.ts').toEqual([]);
    for (const t of OPENAPI_TAGS) expect(t.description.length).toBeGreaterThan(0);
  });

  it('names its server: `/` by default, PUBLIC_URL when set', async () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const bare = Fastify();
    await registerOpenApi(bare, '0.0.0', { publicUrl: 'https://studio.example.test' });
    await bare.ready();
    expect((bare.swagger() as unknown as Doc).servers).toEqual([expect.objectContaining({ url: 'https://studio.example.test' })]);
    await bare.close();
  });

  it('marks the open routes as needing no credentials, and the storage API as taking the worker token', () => {
    expect(op('get', '/api/health').security).toEqual([]);
    expect(op('post', '/api/auth/login').security).toEqual([]);
    expect(op('put', '/api/storage/output/file').security).toEqual([{ bearerAuth: [] }]);
    expect(op('get', '/api/jobs').security).toBeUndefined(); // the document's: cookie or bearer token
    expect(Object.keys(op('get', '/api/jobs').responses)).toEqual(expect.arrayContaining(['401', '403']));
  });
});

describe('named schemas', () => {
  it('puts the shared wire formats under components.schemas and refers to them', () => {
    for (const name of ['Job', 'JobRequest', 'JobAccepted', 'JobPage', 'Asset', 'AssetPage', 'ApiError', 'CancelResponse', 'Upload', 'WorkflowGraph']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    const json = (o: Operation, status: string) => o.responses[status]?.content?.['application/json']?.schema;
    expect(json(op('get', '/api/jobs/{id}'), '200')).toEqual({ $ref: '#/components/schemas/Job' });
    expect(json(op('get', '/api/jobs'), '200')).toEqual({ $ref: '#/components/schemas/JobPage' });
    expect(json(op('get', '/api/assets'), '200')).toEqual({ $ref: '#/components/schemas/AssetPage' });
    expect(json(op('delete', '/api/jobs/{id}'), '202')).toEqual({ $ref: '#/components/schemas/CancelResponse' });
    expect(op('post', '/api/jobs').requestBody?.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/JobRequest' });
    expect(json(op('get', '/api/jobs/{id}'), '404')).toEqual({ $ref: '#/components/schemas/ApiError' });
    // Named schemas refer to each other too (a page of assets holds Asset).
    expect(JSON.stringify(doc.components.schemas.AssetPage)).toContain('"$ref":"#/components/schemas/Asset"');
  });

  it('has a target for every $ref and no named schema nothing uses', () => {
    const text = JSON.stringify(doc);
    const refs = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!));
    expect([...refs].filter((r) => !doc.components.schemas[r]), 'dangling $refs').toEqual([]);
    expect(Object.keys(doc.components.schemas).filter((n) => !refs.has(n)), 'unused components').toEqual([]);
  });
});

describe('media types', () => {
  const types = (o: Operation, status: string) => Object.keys(o.responses[status]?.content ?? {});

  it('documents file answers with their types, 206 for a range and 304 for a matching ETag', () => {
    for (const [method, p] of [
      ['get', '/api/assets/{id}/file'],
      ['get', '/api/canvas/image/{filename}'],
      ['get', '/api/uploads/{id}'],
      ['get', '/api/assets/trash/{id}/thumb'],
      ['get', '/api/storage/{root}/file'],
    ] as const) {
      const o = op(method, p);
      expect(types(o, '200').length, p).toBeGreaterThan(0);
      expect(types(o, '200').every((t) => /^(image|video)\/|^application\/octet-stream$/.test(t)), p).toBe(true);
      expect(types(o, '206'), p).toEqual(types(o, '200'));
      expect(o.responses['206']?.headers, p).toHaveProperty('content-range');
      expect(o.responses['304'], p).toBeDefined();
      expect(o.responses['304']?.content, p).toBeUndefined();
    }
    expect(types(op('get', '/api/assets/{id}/file'), '200')).toEqual(['image/*', 'video/*', 'application/octet-stream']);
    expect(types(op('get', '/api/assets/{id}/thumb'), '200')).toEqual(['image/webp']);
    expect(op('get', '/api/assets/{id}/thumb').responses['304']).toBeDefined();
    for (const method of ['get', 'post']) expect(types(op(method, '/api/assets/download'), '200')).toEqual(['application/zip']);
    expect(types(op('get', '/api/jobs/stream'), '200')).toEqual(['text/event-stream']);
    expect(types(op('get', '/metrics'), '200')).toEqual(['text/plain']);
    expect(types(op('get', '/api/comfyui/{backendId}/object_info'), '200')).toEqual(['application/json']);
  });

  it('gives every operation a documented success (the WebSocket: 101)', () => {
    const without = operations().filter(({ op: o }) => !Object.keys(o.responses).some((s) => /^(1|2|3)\d\d$/.test(s)));
    expect(without.map(({ key }) => key)).toEqual([]);
    expect(op('get', '/api/ws').responses['101']).toBeDefined();
  });

  it('declares the bodies that routes read themselves: a multipart upload, a workflow as JSON or PNG', () => {
    const upload = op('post', '/api/uploads').requestBody;
    expect(upload?.required).toBe(true);
    expect(upload?.content['multipart/form-data']?.schema).toMatchObject({ required: ['file'], properties: { file: { type: 'string', format: 'binary' } } });
    const workflow = op('post', '/api/workflows/import').requestBody;
    expect(Object.keys(workflow?.content ?? {})).toEqual(['application/json', 'image/png', 'application/octet-stream']);
    expect(JSON.stringify(workflow?.content['application/json'])).toContain('#/components/schemas/WorkflowGraph');
    expect(Object.keys(op('post', '/api/assets/download').requestBody?.content ?? {})).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });
});

describe('the site file route', () => {
  const route = '/api/sites/{assetId}/versions/{versionId}/files/{path}';

  it('is documented with a named path parameter instead of a wildcard (as any other wildcard route would be)', () => {
    expect(Object.keys(doc.paths).filter((p) => p.includes('*'))).toEqual([]);
    const other = documentRoute({ schema: { tags: ['x'] }, url: '/api/x/:id/*', route: { method: 'GET' } });
    expect(other.url).toBe('/api/x/:id/:path');
    expect(other.schema.params).toMatchObject({ properties: { path: { type: 'string' } }, required: ['path'] });
    const params = op('get', route).parameters ?? [];
    expect(params.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:assetId', 'path:versionId', 'path:path']));
    expect(types(op('get', route), '200')).toEqual(['text/plain']);
  });

  it('serves the file over HTTP when a client percent-encodes the path, as generated clients do', async () => {
    const base = `${server.url}/api/sites/${server.siteAssetId}/versions/${SITE_VERSION_ID}/files/`;
    for (const [name, text] of Object.entries(SITE_FILES)) {
      for (const sent of [encodeURIComponent(name), name]) {
        const res = await fetch(base + sent);
        expect(res.status, sent).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(await res.text()).toBe(text);
      }
    }
    expect(encodeURIComponent('src/app/page.tsx')).toBe('src%2Fapp%2Fpage.tsx');
    // Encoded traversal is still refused.
    const out = await fetch(base + encodeURIComponent('../../../site.json'));
    expect(out.status).toBeGreaterThanOrEqual(400);
    expect(out.status).toBeLessThan(500);
  });

  function types(o: Operation, status: string): string[] {
    return Object.keys(o.responses[status]?.content ?? {});
  }
});

describe('validation and serialization', () => {
  it('leaves the shared schemas the routes compile exactly as they were', () => {
    expect(JSON.stringify(namedSchemas())).toBe(namedBefore);
  });

  it('documents routes from a copy: the schema a route compiles is never changed', () => {
    const deepFreeze = <T>(o: T): T => {
      if (typeof o === 'object' && o !== null) {
        for (const v of Object.values(o)) deepFreeze(v);
        Object.freeze(o);
      }
      return o;
    };
    for (const key of [...Object.keys(OPERATION_DOCS), ...Object.keys(OPERATION_IDS)]) {
      const [method, url] = key.split(' ') as [string, string];
      const schema = deepFreeze({ tags: ['x'], params: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, response: { 400: { type: 'object' } } });
      const before = JSON.stringify(schema);
      const out = documentRoute({ schema, url, route: { method: method as 'GET' } });
      expect(JSON.stringify(schema), key).toBe(before);
      expect(out.schema, key).not.toBe(schema);
    }
  });

  it('still validates and serializes after the document was built', async () => {
    const bad = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'x', extra: 1 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed' });
    const ok = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'x' }) });
    expect(ok.status).toBe(202);
    // The 202 schema (JobAccepted) still shapes the answer: exactly its fields.
    expect(Object.keys((await ok.json()) as object).sort()).toEqual(['id', 'status']);
  });
});
