import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AssetStore, JobStore, assetIdForPath, newJob, type Asset, type ComfyJobRequest, type Config, type Job } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { a1111Infotext, comfyGraph, minimalPng, pngWithText } from '../testing/gallery-fixtures.js';

let app: FastifyInstance;
let config: Config;
let out: string;
let redis: Redis;
let jobs: JobStore;
const JOB_ID = '0b5c3f1e-2a4d-4c6e-8f00-112233445566';
const id = (rel: string) => assetIdForPath(rel);
const exists = (p: string) => access(p).then(() => true, () => false);

async function write(rel: string, bytes: Buffer | string): Promise<void> {
  await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
  await writeFile(path.join(out, rel), bytes);
}
const get = (url: string) => app.inject({ url });
const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
type PageBody = { items: Asset[]; nextCursor?: string; total: number };

beforeAll(async () => {
  ({ config, outputPath: out } = await testConfig('gallery-routes', { COMFYUI_URLS: 'http://127.0.0.1:18188' }));
  redis = newRedis();
  jobs = new JobStore(redis, config.keyPrefix);
  const ours = { jobId: JOB_ID, provider: 'comfyui', prompt: 'a lighthouse at dusk', model: 'sd_xl_base_1.0.safetensors', seed: 42 };
  await write('2030-01-01/job.png', pngWithText(16, 16, { orchestrator: JSON.stringify(ours) }));
  await write('2030-01-01/job.png.json', JSON.stringify({ version: 1, createdAt: '2030-01-01T00:00:05Z', meta: ours }));
  await write('comfy/ComfyUI_00001_.png', pngWithText(16, 16, { prompt: JSON.stringify(comfyGraph({ prompt: 'a red fox', seed: 7, width: 1004 })) }));
  await write('a1111.png', pngWithText(16, 16, { parameters: a1111Infotext({ prompt: 'a castle' }) }));
  await write('plain.png', minimalPng(4, 4));
  const job: Job = { ...newJob(JOB_ID, { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { seed: 42, steps: 8 } }, new Date()), status: 'completed' };
  await jobs.create(job);
  app = await buildServer(config, { logger: false, gallery: { watch: false } });
  await app.gallery.ready;
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, out);
  redis.disconnect();
});

describe('GET /api/assets', () => {
  it('answers the first page from the startup rescan, with total and metadata', async () => {
    const res = await get('/api/assets');
    expect(res.statusCode).toBe(200);
    const body = res.json<PageBody>();
    expect(body.total).toBe(4);
    expect(body.items.find((a) => a.fileName === 'job.png')).toMatchObject({ width: 16, height: 16, createdAt: '2030-01-01T00:00:05.000Z', meta: { jobId: JOB_ID } });
  });

  it('takes filters, search, sort and dates as query parameters', async () => {
    await expect(get('/api/assets?q=fox').then((r) => r.json<PageBody>().items.map((a) => a.fileName))).resolves.toEqual(['ComfyUI_00001_.png']);
    expect((await get('/api/assets?model=sd_xl_base_1.0.safetensors&type=image')).json<PageBody>().total).toBe(2);
    expect((await get('/api/assets?sort=name&order=asc&limit=2')).json<PageBody>().items.map((a) => a.fileName)).toEqual(['a1111.png', 'ComfyUI_00001_.png']);
    expect((await get('/api/assets?from=2030-01-01T00:00:00Z&to=2030-01-01T00:00:10Z')).json<PageBody>().total).toBe(1);
    expect((await get(`/api/assets?to=${Date.parse('2029-01-01T00:00:00Z')}`)).json<PageBody>().total).toBe(3);
    expect((await get('/api/assets?offset=3&limit=10')).json<PageBody>().items).toHaveLength(1);
  });

  it('lists models with counts', async () => {
    const body = (await get('/api/assets/models')).json<{ items: { model: string; count: number }[] }>();
    expect(body.items).toEqual([
      { model: 'dreamshaper_8', count: 1 },
      { model: 'sd_xl_base_1.0.safetensors', count: 2 },
    ]);
  });

  const bad = [
    ['a bad cursor', '/api/assets?cursor=not-a-cursor'],
    ['limit 0', '/api/assets?limit=0'],
    ['limit 201', '/api/assets?limit=201'],
    ['an unknown sort', '/api/assets?sort=colour'],
    ['an unknown order', '/api/assets?order=up'],
    ['an unknown type', '/api/assets?type=audio'],
    ['a bad date', '/api/assets?from=yesterday'],
    ['an impossible date', '/api/assets?to=2030-13-45'],
    ['from after to', '/api/assets?from=2031-01-01&to=2030-01-01'],
    ['cursor and offset', `/api/assets?offset=1&cursor=${Buffer.from('g1.1.0.00000000').toString('base64url')}`],
    ['a negative offset', '/api/assets?offset=-1'],
    ['an unknown parameter', '/api/assets?colour=red'],
    ['a bad trash cursor', '/api/assets/trash?cursor=zzz'],
  ] as const;
  for (const [what, url] of bad) {
    it(`answers ${what} with a JSON 400`, async () => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    });
  }
});

describe('delete, trash and restore', () => {
  it('moves the file and its sidecar to the trash, lists it there, and restores it', async () => {
    const rel = '2030-01-01/job.png';
    const del = await app.inject({ method: 'DELETE', url: `/api/assets/${id(rel)}` });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ id: id(rel), trashed: true });
    expect(await exists(path.join(out, rel))).toBe(false);
    expect(await exists(path.join(out, `${rel}.json`))).toBe(false);
    expect((await get(`/api/assets/${id(rel)}`)).statusCode).toBe(404);
    const trash = (await get('/api/assets/trash')).json<{ items: { id: string; asset: Asset }[]; total: number }>();
    expect(trash.total).toBe(1);
    expect(trash.items[0]).toMatchObject({ id: id(rel), asset: { relPath: rel } });

    const restored = await post('/api/assets/restore', { ids: [id(rel), 'ffffffffffffffff'] });
    expect(restored.json()).toEqual({ restored: [id(rel)], missing: ['ffffffffffffffff'], conflicts: [] });
    expect(await readFile(path.join(out, `${rel}.json`), 'utf8')).toContain(JOB_ID);
    expect((await get(`/api/assets/${id(rel)}`)).json()).toMatchObject({ relPath: rel, meta: { jobId: JOB_ID } });
    expect((await get('/api/assets/trash')).json<{ total: number }>().total).toBe(0);
  });

  it('deletes in bulk, reporting unknown ids as missing', async () => {
    const res = await post('/api/assets/delete', { ids: [id('plain.png'), id('a1111.png'), 'ffffffffffffffff'] });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ deleted: string[]; missing: string[] }>();
    expect(body.deleted.sort()).toEqual([id('plain.png'), id('a1111.png')].sort());
    expect(body.missing).toEqual(['ffffffffffffffff']);
    expect((await get('/api/assets')).json<PageBody>().total).toBe(2);
    expect((await app.inject({ method: 'DELETE', url: '/api/assets/ffffffffffffffff' })).statusCode).toBe(404);
  });

  it('refuses to restore over a file that took the old path (409-style conflict)', async () => {
    await write('plain.png', minimalPng(9, 9));
    const res = await post('/api/assets/restore', { ids: [id('plain.png'), id('a1111.png')] });
    expect(res.json()).toEqual({ restored: [id('a1111.png')], missing: [], conflicts: [id('plain.png')] });
    expect((await get('/api/assets/trash')).json<{ total: number }>().total).toBe(1);
  });

  it('validates the id lists', async () => {
    for (const payload of [{ ids: [] }, { ids: ['nothex'] }, { ids: Array.from({ length: 501 }, () => 'ffffffffffffffff') }, {}, { ids: ['ffffffffffffffff'], extra: 1 }]) {
      expect((await post('/api/assets/delete', payload)).statusCode).toBe(400);
      expect((await post('/api/assets/restore', payload)).statusCode).toBe(400);
    }
  });
});

describe('POST /api/assets/:id/regenerate', () => {
  it('re-enqueues the job request found through meta.jobId, with a new seed when asked', async () => {
    const res = await post(`/api/assets/${id('2030-01-01/job.png')}/regenerate`, { seed: 1234 });
    expect(res.statusCode).toBe(202);
    const { id: jobId, status } = res.json<{ id: string; status: string }>();
    expect(status).toBe('queued');
    expect((await jobs.get(jobId))?.request).toEqual({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { seed: 1234, steps: 8 } });
    const random = await post(`/api/assets/${id('2030-01-01/job.png')}/regenerate`, { seed: 'random' });
    const seed = ((await jobs.get(random.json<{ id: string }>().id))?.request as ComfyJobRequest).params?.seed;
    expect(seed).toBeTypeOf('number');
    const plain = await app.inject({ method: 'POST', url: `/api/assets/${id('2030-01-01/job.png')}/regenerate` });
    expect(plain.statusCode, plain.body).toBe(202);
  });

  it('rebuilds a ComfyUI request from the file metadata when there is no job', async () => {
    const res = await post(`/api/assets/${id('comfy/ComfyUI_00001_.png')}/regenerate`, {});
    expect(res.statusCode).toBe(202);
    const job = await jobs.get(res.json<{ id: string }>().id);
    // width 1004 is not a multiple of 8: left out rather than failing the whole request.
    expect(job?.request).toMatchObject({ provider: 'comfyui', prompt: 'a red fox', model: 'sd_xl_base_1.0.safetensors', params: { seed: 7, steps: 20, cfg: 7, height: 512 } });
    expect((job?.request as ComfyJobRequest).params).not.toHaveProperty('width');
  });

  it('answers 409 when the asset cannot be re-run, 404 when unknown, 400 for a bad seed', async () => {
    await write('another.png', minimalPng(2, 2));
    await app.gallery.indexer.syncPath('another.png');
    const res = await post(`/api/assets/${id('another.png')}/regenerate`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'not_regenerable', message: expect.stringContaining('not made by a job') });
    expect((await post('/api/assets/ffffffffffffffff/regenerate', {})).statusCode).toBe(404);
    expect((await post(`/api/assets/${id('another.png')}/regenerate`, { seed: -1 })).statusCode).toBe(400);
    expect((await post(`/api/assets/${id('another.png')}/regenerate`, { seed: 'lucky' })).statusCode).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('documents every gallery route with its parameters', async () => {
    const doc = (await get('/api/openapi.json')).json<{ paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>();
    for (const p of ['/api/assets', '/api/assets/models', '/api/assets/trash', '/api/assets/{id}', '/api/assets/delete', '/api/assets/restore', '/api/assets/{id}/regenerate']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const names = (doc.paths['/api/assets']!.get!.parameters ?? []).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['limit', 'cursor', 'offset', 'type', 'model', 'from', 'to', 'q', 'sort', 'order']));
  });
});

describe('legacy aliases', () => {
  it('keeps /api/canvas/list and serves /api/canvas/image/:filename through the index', async () => {
    const list = (await get('/api/canvas/list?limit=2')).json<{ items: Asset[] }>();
    expect(list.items).toHaveLength(2);
    const direct = await get('/api/canvas/image/another.png');
    expect(direct.statusCode).toBe(200);
    expect(direct.headers['content-type']).toBe('image/png');
    const nested = await get('/api/canvas/image/ComfyUI_00001_.png');
    expect(nested.statusCode).toBe(200);
    expect((await get('/api/canvas/image/unindexed.png')).statusCode).toBe(404);
    await new AssetStore(redis, config.keyPrefix).remove(id('another.png'));
    expect((await get('/api/canvas/image/another.png')).statusCode).toBe(404);
  });
});
