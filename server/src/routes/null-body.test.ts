import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AssetStore, assetIdForPath, assetUrls, redisKeys, type Asset, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * A body that is there but is not the object the route's schema says (`null`, `3`, `"x"`, `[]`) is a
 * 400, never taken as "no body": the hostile test got 202 (a new paid job) from
 * `POST /api/assets/:id/regenerate` with the body `null`. Routes that take no body refuse one too.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const WORKER_TOKEN = 'null-body-worker-token-0123456789';
const auth = { authorization: `Bearer ${WORKER_TOKEN}` };
const relPath = '2030-01-01/comfy_1.png';
const assetId = assetIdForPath(relPath);
const WRONG_BODIES = ['null', '3', '"x"', '[]', 'true', '[{}]'];

beforeAll(async () => {
  redis = newRedis();
  ({ config, outputPath } = await testConfig('null-body', { COMFYUI_URLS: 'http://127.0.0.1:18191', WORKER_TOKEN }));
  await redis.set(
    redisKeys(config.keyPrefix).backend('comfyui-1'),
    JSON.stringify(backendRecord({ id: 'comfyui-1', url: 'http://127.0.0.1:18191', checkpoints: ['real.safetensors'] })),
  );
  const asset: Asset = {
    id: assetId,
    type: 'image',
    fileName: 'comfy_1.png',
    relPath,
    size: 1,
    mimeType: 'image/png',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...assetUrls(assetId),
    meta: { provider: 'comfyui', prompt: 'a lighthouse', model: 'real.safetensors', seed: 3 },
  };
  await new AssetStore(redis, config.keyPrefix).put(asset);
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false }, reconcile: false });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

const jobCount = async () => (await app.inject({ url: '/api/jobs' })).json<{ items: unknown[] }>().items.length;
const sendJson = (method: string, url: string, payload: string) =>
  app.inject({ method: method as 'POST', url, payload, headers: { 'content-type': 'application/json', ...auth } });

describe('bodies that are not the object a route takes', () => {
  it.each(WRONG_BODIES)('regenerate refuses the body %s with 400 and starts no job', async (body) => {
    const before = await jobCount();
    const res = await sendJson('POST', `/api/assets/${assetId}/regenerate`, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation_failed' });
    expect(await jobCount()).toBe(before);
  });

  it('regenerate still runs with no body, an empty JSON body or {}', async () => {
    for (const req of [
      { method: 'POST' as const, url: `/api/assets/${assetId}/regenerate` },
      { method: 'POST' as const, url: `/api/assets/${assetId}/regenerate`, headers: { 'content-type': 'application/json' }, payload: '' },
      { method: 'POST' as const, url: `/api/assets/${assetId}/regenerate`, payload: {} },
      { method: 'POST' as const, url: `/api/assets/${assetId}/regenerate`, payload: { seed: 'random' } },
    ]) {
      const res = await app.inject(req);
      expect(res.statusCode, res.body).toBe(202);
    }
  });

  it.each([
    ['POST', `/api/jobs/${crypto.randomUUID()}/retry`],
    ['POST', `/api/jobs/${crypto.randomUUID()}/move-to-front`],
    ['DELETE', `/api/jobs/${crypto.randomUUID()}`],
    ['DELETE', '/api/assets/0123456789abcdef'],
    ['DELETE', '/api/workflows/wf-0123456789'],
    ['POST', '/api/agents/flux/off'],
    ['DELETE', '/api/assets/trash/0123456789abcdef'],
    ['DELETE', '/api/assets/trash'],
    ['POST', '/api/auth/logout'],
    ['DELETE', '/api/tokens/0123456789abcdef'],
    ['DELETE', '/api/users/nobody'],
  ])('%s %s takes no body: a wrong one is 400 unexpected_body, none or {} goes through', async (method, url) => {
    for (const body of [...WRONG_BODIES, '{"x":1}']) {
      const res = await sendJson(method, url, body);
      expect([res.statusCode, res.json().error], `${body}: ${res.body}`).toEqual([400, 'unexpected_body']);
    }
    for (const res of [await app.inject({ method: method as 'POST', url }), await sendJson(method, url, '{}')]) {
      expect(res.statusCode, res.body).not.toBe(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  it('every operation with a JSON body refuses null, numbers, strings and arrays with 400', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> }>();
    const checked: string[] = [];
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody?.content['application/json']) continue;
        // Path parameters filled with values their patterns take, so the body is what is judged.
        const url = route
          .replace('{id}', route.startsWith('/api/jobs') ? crypto.randomUUID() : route.startsWith('/api/workflows') ? 'wf-0123456789' : assetId)
          .replace('{assetId}', assetId)
          .replace(/\{[^}]+\}/g, 'x');
        for (const body of WRONG_BODIES) {
          const res = await sendJson(method.toUpperCase(), url, body);
          expect(res.statusCode, `${method.toUpperCase()} ${url} with ${body}: ${res.body}`).toBe(400);
        }
        checked.push(`${method.toUpperCase()} ${route}`);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['POST /api/jobs', 'POST /api/assets/{id}/regenerate', 'PATCH /api/jobs/{id}', 'POST /api/workflows']));
  });
});
