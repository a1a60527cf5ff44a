import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type BackendStatus, type Config, type Health, type ModelInfo } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { startFakeBfl, type FakeBfl } from '../../../test/fakes/bfl/index.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let fake: http.Server;
let fakeUrl: string;
let bfl: FakeBfl;
const SECRET = 'bfl-key-that-must-never-leave-9f8e7d';
const V0_SECRET = 'v0-key-that-must-never-leave-1a2b3c';

/** A stand-in ComfyUI answering only what the read-only proxy may forward. */
function startFakeComfy(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/system_stats') return send(200, { system: { comfyui_version: '0.3.0' }, devices: [] });
    if (req.url === '/object_info/KSampler') return send(200, { KSampler: { name: 'KSampler' } });
    if (req.url === '/history/abc-123') return send(200, { 'abc-123': { status: { completed: true } } });
    if (req.url === '/queue') return send(500, { error: 'boom' });
    return send(404, { error: 'not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function setBackend(id: string, rec: BackendStatus): Promise<void> {
  await redis.set(redisKeys(config.keyPrefix).backend(id), JSON.stringify(rec));
}

beforeAll(async () => {
  fake = await startFakeComfy();
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  bfl = await startFakeBfl({ apiKey: SECRET, credits: 1234.5 });
  ({ config, outputPath } = await testConfig('health', {
    COMFYUI_URLS: `${fakeUrl},http://127.0.0.1:1`,
    BFL_API_KEY: SECRET,
    BFL_API_URL: bfl.url,
    V0_API_KEY: V0_SECRET,
  }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0, comfyuiProxyTimeoutMs: 1000 });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
  await new Promise((r) => fake.close(r));
  await bfl.close();
});

describe('GET /api/health', () => {
  it('is degraded with every backend offline when no worker has reported', async () => {
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    const h = res.json<Health>();
    expect(h.status).toBe('degraded');
    expect(h.redis.ok).toBe(true);
    expect(h.redis.latencyMs).toBeTypeOf('number');
    expect(h.backends.map((b) => [b.id, b.online, b.error])).toEqual([
      ['comfyui-1', false, 'no live worker is checking this backend'],
      ['comfyui-2', false, 'no live worker is checking this backend'],
    ]);
    expect(Object.keys(h.queues).sort()).toEqual(['comfyui', 'flux', 'v0']);
    expect(h.workers.live).toBe(0);
    expect(h.providers).toEqual({ flux: { configured: true, credits: 1234.5 }, v0: { configured: true } });
  });

  it('reports a fresh backend record online with version, devices and our queue depth', async () => {
    await setBackend('comfyui-1', backendRecord({ id: 'comfyui-1', url: fakeUrl, version: '0.3.9', queueRemaining: 2 }));
    const post = await app.inject({ method: 'POST', url: '/api/jobs', payload: { provider: 'comfyui', kind: 'image', prompt: 'x' } });
    expect(post.statusCode).toBe(202);
    const h = (await app.inject({ url: '/api/health' })).json<Health>();
    expect(h.status).toBe('ok');
    expect(h.backends[0]).toMatchObject({ id: 'comfyui-1', online: true, simulated: true, version: '0.3.9', queueRemaining: 2, queueDepth: 1 });
    expect(h.backends[0]!.devices[0]).toMatchObject({ name: 'cuda:0 Fake GPU', vramTotal: 24e9 });
    expect(h.backends[1]).toMatchObject({ id: 'comfyui-2', online: false });
    expect(h.queues.comfyui).toEqual({ waiting: 1, active: 0 });
  });

  it('counts only workers whose heartbeat is recent', async () => {
    const now = Date.now();
    await redis.zadd(redisKeys(config.keyPrefix).workers, now, 'worker-live', now - 60_000, 'worker-dead');
    const h = (await app.inject({ url: '/api/health' })).json<Health>();
    expect(h.workers.live).toBe(1);
  });

  it('answers 200 with redis.ok false when Redis cannot be reached', async () => {
    const { config: down, outputPath: out } = await testConfig('health-down', { REDIS_URL: 'redis://127.0.0.1:1', COMFYUI_URLS: 'http://127.0.0.1:1' });
    const other = await buildServer(down, { logger: false });
    try {
      const res = await other.inject({ url: '/api/health' });
      expect(res.statusCode).toBe(200);
      const h = res.json<Health>();
      expect(h.status).toBe('degraded');
      expect(h.redis.ok).toBe(false);
      expect(h.backends[0]).toMatchObject({ online: false });
      const jobs = await other.inject({ url: '/api/jobs' });
      expect(jobs.statusCode).toBe(503);
      expect(jobs.json()).toMatchObject({ error: 'redis_unavailable' });
    } finally {
      await other.close();
      await cleanup(redis, down, out);
    }
  });
});

describe('GET /api/backends', () => {
  it('reports a record older than 30 s offline, and keeps the /api/comfyui/status alias', async () => {
    await setBackend('comfyui-2', backendRecord({ id: 'comfyui-2', url: 'http://127.0.0.1:1', checkedAt: new Date(Date.now() - 60_000).toISOString() }));
    const list = (await app.inject({ url: '/api/backends' })).json<BackendStatus[]>();
    expect(list.map((b) => b.id)).toEqual(['comfyui-1', 'comfyui-2']);
    expect(list[1]).toMatchObject({ online: false, error: 'no live worker is checking this backend' });
    const alias = (await app.inject({ url: '/api/comfyui/status' })).json<BackendStatus[]>();
    expect(alias.map((b) => b.id)).toEqual(['comfyui-1', 'comfyui-2']);
  });
});

describe('models', () => {
  it('merges the checkpoints of every backend', async () => {
    await setBackend('comfyui-1', backendRecord({ id: 'comfyui-1', url: fakeUrl, checkpoints: ['a.safetensors', 'SDXL/b.safetensors'] }));
    await setBackend('comfyui-2', backendRecord({ id: 'comfyui-2', url: 'http://127.0.0.1:1', checkpoints: ['a.safetensors'] }));
    const { items } = (await app.inject({ url: '/api/models' })).json<{ items: ModelInfo[] }>();
    expect(items.map(({ id, name, family, folder, file, backends }) => ({ id, name, family, folder, file, backends }))).toEqual([
      { id: 'checkpoints/a.safetensors', name: 'a', family: 'unknown', folder: 'checkpoints', file: 'a.safetensors', backends: ['comfyui-1', 'comfyui-2'] },
      { id: 'checkpoints/SDXL/b.safetensors', name: 'b', family: 'sdxl', folder: 'checkpoints', file: 'SDXL/b.safetensors', backends: ['comfyui-1'] },
    ]);
    expect((await app.inject({ url: '/api/models/list' })).json()).toMatchObject({ items });
  });

  it('answers one model by URL-encoded file name, 404 when unknown', async () => {
    const res = await app.inject({ url: `/api/models/${encodeURIComponent('SDXL/b.safetensors')}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'checkpoints/SDXL/b.safetensors' });
    expect((await app.inject({ url: '/api/models/info/a.safetensors' })).json()).toMatchObject({ id: 'checkpoints/a.safetensors' });
    expect((await app.inject({ url: '/api/models/zzz.safetensors' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/models/info/zzz.safetensors' })).statusCode).toBe(404);
  });
});

describe('read-only ComfyUI proxy', () => {
  it('forwards the allow-listed paths', async () => {
    expect((await app.inject({ url: '/api/comfyui/comfyui-1/system_stats' })).json()).toMatchObject({ system: { comfyui_version: '0.3.0' } });
    expect((await app.inject({ url: '/api/comfyui/comfyui-1/object_info/KSampler' })).json()).toHaveProperty('KSampler');
    expect((await app.inject({ url: '/api/comfyui/comfyui-1/history/abc-123' })).json()).toHaveProperty('abc-123');
  });

  it('answers 502 JSON when the backend is unreachable or fails, 404 for anything else', async () => {
    const down = await app.inject({ url: '/api/comfyui/comfyui-2/system_stats' });
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ error: 'backend_unreachable' });
    const failing = await app.inject({ url: '/api/comfyui/comfyui-1/queue' });
    expect(failing.statusCode).toBe(502);
    for (const url of ['/api/comfyui/comfyui-1/prompt', '/api/comfyui/comfyui-1/view', '/api/comfyui/comfyui-1/upload/image']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    expect((await app.inject({ method: 'POST', url: '/api/comfyui/comfyui-1/queue', payload: {} })).statusCode).toBe(404);
    // A node name cannot smuggle another path to the backend.
    expect((await app.inject({ url: '/api/comfyui/comfyui-1/object_info/..%2Fprompt' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/comfyui/comfyui-1/object_info/..' })).statusCode).toBe(404);
  });
});

describe('secrets', () => {
  it('never returns the value of BFL_API_KEY or V0_API_KEY, and /api/selfcheck aliases health', async () => {
    const urls = [
      '/api/health',
      '/api/selfcheck',
      '/api/backends',
      '/api/models',
      '/api/jobs',
      '/api/assets',
      '/api/openapi.json',
      '/api/docs',
      '/api/docs/json',
      '/',
      '/api/nothing',
      '/api/jobs/not-a-uuid',
    ];
    for (const url of urls) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain(SECRET);
      expect(res.body, url).not.toContain(V0_SECRET);
      expect(JSON.stringify(res.headers), url).not.toContain(SECRET);
    }
    expect((await app.inject({ url: '/api/selfcheck' })).json()).toHaveProperty('providers.flux.configured', true);
  });
});
