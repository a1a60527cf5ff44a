import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { NUL_MESSAGE, redisKeys, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * NUL (U+0000) in any text of a request is a 400 naming the field, before anything is stored or sent on
 * (the hostile test found NUL bytes stored in names and sent on to v0). And a guard: every string a
 * route takes, as its OpenAPI document declares it, refuses NUL; a new field without `Text` fails here.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const NUL = 'a\u0000b';
const graph = { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'real.safetensors' } } };

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('nul-text', {
    COMFYUI_URLS: 'http://127.0.0.1:18190',
    BFL_API_KEY: 'bfl-nul-test',
    BFL_API_URL: 'http://127.0.0.1:1',
    V0_API_KEY: 'v0-nul-test',
    V0_API_URL: 'http://127.0.0.1:1/v1',
  }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0, gallery: { watch: false, rescan: false }, reconcile: false });
  await redis.set(
    redisKeys(config.keyPrefix).backend('comfyui-1'),
    JSON.stringify(backendRecord({ id: 'comfyui-1', url: 'http://127.0.0.1:18190', checkpoints: ['real.safetensors'] })),
  );
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

const comfy = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', model: 'real.safetensors' };
const post = (url: string, payload: unknown): InjectOptions => ({ method: 'POST', url, payload: payload as object });

const cases: { name: string; req: InjectOptions; field: string }[] = [
  { name: 'a ComfyUI prompt', req: post('/api/jobs', { ...comfy, prompt: NUL }), field: 'body/prompt' },
  { name: 'a negative prompt', req: post('/api/jobs', { ...comfy, negativePrompt: NUL }), field: 'body/negativePrompt' },
  { name: 'a model name', req: post('/api/jobs', { ...comfy, model: NUL }), field: 'body/model' },
  { name: 'a LoRA name', req: post('/api/jobs', { ...comfy, params: { loras: [{ name: NUL, strength: 1 }] } }), field: 'body/params/loras/0/name' },
  { name: 'a FLUX prompt', req: post('/api/jobs', { provider: 'flux', kind: 'image', prompt: NUL }), field: 'body/prompt' },
  { name: 'a v0 site prompt', req: post('/api/jobs', { provider: 'v0', kind: 'site', prompt: NUL }), field: 'body/prompt' },
  { name: 'a v0 system prompt', req: post('/api/jobs', { provider: 'v0', kind: 'site', prompt: 'ok', systemPrompt: NUL }), field: 'body/systemPrompt' },
  { name: 'a job checked without submitting', req: post('/api/jobs/validate', { ...comfy, prompt: NUL }), field: 'body/prompt' },
  { name: 'a site follow-up message', req: post('/api/sites/0123456789abcdef/messages', { message: NUL }), field: 'body/message' },
  { name: 'the legacy v0 message', req: post('/api/v0', { message: NUL }), field: 'body/message' },
  { name: 'the legacy v0 system prompt', req: post('/api/v0', { prompt: 'ok', system: NUL }), field: 'body/system' },
  { name: 'a workflow name', req: post('/api/workflows', { name: NUL, graph, slots: [] }), field: 'body/name' },
  { name: 'a workflow renamed', req: { method: 'PATCH', url: '/api/workflows/wf-0123456789', payload: { name: NUL } }, field: 'body/name' },
  { name: 'an import name', req: { ...post(`/api/workflows/import?name=${encodeURIComponent(NUL)}`, graph) }, field: 'querystring/name' },
  { name: 'a gallery search', req: { url: `/api/assets?q=${encodeURIComponent(NUL)}` }, field: 'querystring/q' },
  { name: 'a model search', req: { url: `/api/models?q=${encodeURIComponent(NUL)}` }, field: 'querystring/q' },
  { name: 'a model id in the path', req: { url: `/api/models/${encodeURIComponent(NUL)}` }, field: 'params/id' },
];

describe('NUL characters in request text', () => {
  for (const c of cases) {
    it(`refuses ${c.name} with 400 naming ${c.field}`, async () => {
      const res = await app.inject(c.req);
      expect(res.statusCode, res.body).toBe(400);
      const body = res.json<{ error: string; message: string; details?: { path: string; message: string }[] }>();
      expect(body.error).toBe('validation_failed');
      expect(body.details).toContainEqual({ path: c.field, message: NUL_MESSAGE });
      expect(body.message).toContain(c.field);
    });
  }

  it('refuses NUL anywhere in a workflow graph (its inputs are free-form), naming where', async () => {
    const bad = { ...graph, '2': { class_type: 'CLIPTextEncode', inputs: { text: `cat${'\u0000'}dog`, clip: ['1', 1] } } };
    for (const req of [post('/api/workflows', { name: 'w', graph: bad, slots: [] }), post('/api/workflows/import', bad)]) {
      const res = await app.inject(req);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_workflow', message: expect.stringContaining('/2/inputs/text') });
    }
    const key = await app.inject(post('/api/workflows/import', { ...graph, '2': { class_type: 'X', inputs: { ['te\u0000xt']: 1 } } }));
    expect(key.statusCode, key.body).toBe(400);
  });

  it('stored nothing and queued nothing for any of them', async () => {
    expect((await app.inject({ url: '/api/jobs' })).json()).toMatchObject({ items: [] });
    expect((await app.inject({ url: '/api/workflows' })).json()).toEqual({ items: [] });
    const jobKeys = await redis.keys(`${config.keyPrefix}:job:*`);
    expect(jobKeys).toEqual([]);
  });

  it('still takes the same requests without the NUL', async () => {
    const ok = await app.inject(post('/api/jobs', { ...comfy, prompt: 'a\tb\nc — ünïcödé 🚀' }));
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it('every string a route takes refuses NUL, as the OpenAPI document declares it', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json<OpenApiDoc>();
    const open = stringsAcceptingNul(doc);
    expect(open, 'use Text() from @orchestrator/shared (or a pattern that excludes \\u0000) for these').toEqual([]);
  });
});

type Schema = Record<string, unknown> & { $ref?: string; type?: string; pattern?: string; enum?: unknown[]; const?: unknown };
interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** "METHOD /path where/field" of every request string whose schema would take a NUL. */
function stringsAcceptingNul(doc: OpenApiDoc): string[] {
  const out: string[] = [];
  const walk = (s: Schema | undefined, at: string, seen: Set<Schema>): void => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    if (s.$ref) return walk(doc.components?.schemas?.[s.$ref.split('/').pop()!], at, seen);
    // A file (an upload, a PNG to import) is bytes, not text: NUL bytes are part of it.
    if (s.format === 'binary') return;
    if (s.type === 'string' && s.enum === undefined && s.const === undefined) {
      const takesNul = s.pattern === undefined || new RegExp(s.pattern, 'u').test('\u0000') || new RegExp(s.pattern, 'u').test('a\u0000b');
      if (takesNul) out.push(at);
    }
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) for (const sub of (s[k] as Schema[] | undefined) ?? []) walk(sub, at, seen);
    for (const [k, v] of Object.entries((s.properties as Record<string, Schema> | undefined) ?? {})) walk(v, `${at}/${k}`, seen);
    if (s.items) walk(s.items as Schema, `${at}/[]`, seen);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, `${at}/*`, seen);
  };
  for (const [route, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${route} `;
      for (const p of op.parameters ?? []) walk(p.schema, `${where}${p.in}:${p.name}`, new Set());
      for (const c of Object.values(op.requestBody?.content ?? {})) walk(c.schema, `${where}body`, new Set());
    }
  }
  return out;
}
