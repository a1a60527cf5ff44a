import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { assetIdForPath, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { minimalPng } from '../testing/gallery-fixtures.js';

let app: FastifyInstance;
let config: Config;
let out: string;
let redis: Redis;
const id = (rel: string) => assetIdForPath(rel);
const exists = (p: string) => access(p).then(() => true, () => false);
const trashTotal = async () => (await app.inject({ url: '/api/assets/trash' })).json<{ total: number }>().total;
const del = (url: string) => app.inject({ method: 'DELETE', url });

beforeAll(async () => {
  ({ config, outputPath: out } = await testConfig('trash-routes'));
  redis = newRedis();
  await mkdir(path.join(out, 'pics'), { recursive: true });
  for (const name of ['a.png', 'b.png', 'c.png']) await writeFile(path.join(out, 'pics', name), minimalPng(8, 8));
  app = await buildServer(config, { logger: false, gallery: { watch: false } });
  await app.gallery.ready;
});

afterAll(async () => {
  await app?.close();
  await cleanup(redis, config, out);
  redis.disconnect();
});

describe('the trash beyond restore', () => {
  it('shows a trashed image: the thumbnail the gallery made, else the file itself', async () => {
    const made = await app.inject({ url: `/api/assets/${id('pics/a.png')}/thumb` });
    expect(made.statusCode).toBe(200);
    expect((await del(`/api/assets/${id('pics/a.png')}`)).statusCode).toBe(200);
    expect((await del(`/api/assets/${id('pics/b.png')}`)).statusCode).toBe(200);
    const cached = await app.inject({ url: `/api/assets/trash/${id('pics/a.png')}/thumb` });
    expect(cached.statusCode).toBe(200);
    expect(cached.headers['content-type']).toBe('image/webp');
    expect(cached.rawPayload.equals(made.rawPayload)).toBe(true);
    const file = await app.inject({ url: `/api/assets/trash/${id('pics/b.png')}/thumb` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect((await app.inject({ url: `/api/assets/trash/${id('pics/c.png')}/thumb` })).statusCode).toBe(404);
  });

  it('deletes one trashed asset for good: its folder, its record and its thumbnails go; a second try is 404', async () => {
    const a = id('pics/a.png');
    const res = await del(`/api/assets/trash/${a}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: a, purged: true });
    expect(await trashTotal()).toBe(1);
    const trashDirs = await readdir(path.join(config.dataPath, 'trash'));
    expect(trashDirs.some((d) => d.startsWith(a))).toBe(false);
    expect((await readdir(path.join(config.dataPath, 'thumbs', a.slice(0, 2))).catch(() => [])).some((n) => n.startsWith(a))).toBe(false);
    expect((await del(`/api/assets/trash/${a}`)).statusCode).toBe(404);
    // Nothing to restore any more.
    const restore = await app.inject({ method: 'POST', url: '/api/assets/restore', payload: { ids: [a] } });
    expect(restore.json()).toMatchObject({ missing: [a] });
    expect(await exists(path.join(out, 'pics/a.png'))).toBe(false);
  });

  it('empties the trash and leaves the gallery alone', async () => {
    expect((await del(`/api/assets/${id('pics/c.png')}`)).statusCode).toBe(200);
    expect(await trashTotal()).toBe(2);
    const res = await del('/api/assets/trash');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ purged: 2 });
    expect(await trashTotal()).toBe(0);
    expect(await readdir(path.join(config.dataPath, 'trash'))).toEqual([]);
    expect((await del('/api/assets/trash')).json()).toEqual({ purged: 0 });
  });

  it('validates the id', async () => {
    expect((await del('/api/assets/trash/nothex')).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/assets/trash/nothex/thumb' })).statusCode).toBe(400);
  });
});
