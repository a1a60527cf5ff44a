import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let bare: FastifyInstance;
let config: Config;
let outputPath: string;
let webDist: string;
let redis: Redis;

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('spa'));
  redis = newRedis();
  webDist = await mkdtemp(path.join(tmpdir(), 'orch-web-'));
  await mkdir(path.join(webDist, 'assets'));
  await writeFile(path.join(webDist, 'index.html'), '<!doctype html><title>SPA</title><div id="root"></div>');
  await writeFile(path.join(webDist, 'assets', 'index-AbC123.js'), 'console.log(1)');
  app = await buildServer(config, { logger: false, webDist });
  bare = await buildServer(config, { logger: false, webDist: path.join(webDist, 'missing') });
});

afterAll(async () => {
  await app.close();
  await bare.close();
  await cleanup(redis, config, outputPath);
  await rm(webDist, { recursive: true, force: true });
  redis.disconnect();
});

describe('static SPA', () => {
  it('serves index.html at / without caching it', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>SPA</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('caches hashed assets for good', async () => {
    const res = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('falls back to index.html for client routes, but not for /api', async () => {
    const page = await app.inject({ url: '/gallery/some-id' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>SPA</title>');
    const api = await app.inject({ url: '/api/unknown/thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found' });
  });

  it('says to run npm run build when web/dist is missing', async () => {
    const res = await bare.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build');
  });
});

describe('OpenAPI', () => {
  it('documents every API route at /api/openapi.json and serves the docs page', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      'POST /api/jobs',
      'GET /api/jobs',
      'GET /api/jobs/{id}',
      'DELETE /api/jobs/{id}',
      'POST /api/jobs/{id}/retry',
      'GET /api/jobs/stream',
      'GET /api/ws',
      'GET /api/assets',
      'GET /api/assets/{id}',
      'GET /api/assets/{id}/file',
      'GET /api/assets/{id}/thumb',
      'GET /api/models',
      'GET /api/models/{id}',
      'GET /api/backends',
      'GET /api/health',
      'GET /api/comfyui/{backendId}/system_stats',
      'GET /api/comfyui/{backendId}/object_info',
      'GET /api/comfyui/{backendId}/object_info/{node}',
      'GET /api/comfyui/{backendId}/queue',
      'GET /api/comfyui/{backendId}/history/{promptId}',
      'GET /api/canvas/list',
      'GET /api/canvas/image/{filename}',
      'GET /api/models/list',
      'GET /api/models/info/{name}',
      'GET /api/comfyui/status',
      'GET /api/selfcheck',
    ]) {
      expect(routes, r).toContain(r);
    }
    const docs = await app.inject({ url: '/api/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
  });
});
