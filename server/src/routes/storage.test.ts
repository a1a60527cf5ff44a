import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { THUMBS_FOLDER, THUMB_RECIPE, assetIdForPath, assetUrls, makeThumbnail, readStorageMark, redisKeys, siteAssetId, thumbCacheEntry, type Config } from '@orchestrator/shared';
import { ThumbnailService } from '../gallery/thumbnails.js';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/* The storage API workers on other machines use: worker token, safe paths, atomic checked writes. */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let auth: Record<string, string>;

const put = (rel: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({ method: 'PUT', url: `/api/storage/output/file?path=${encodeURIComponent(rel)}`, payload: body, headers: { ...auth, 'content-type': 'application/octet-stream', ...headers } });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('storage'));
  redis = newRedis();
  app = await buildServer(config, { logger: false, reconcile: false });
  await app.ready();
  auth = { authorization: `Bearer ${await redis.hget(redisKeys(config.keyPrefix).storage, 'token')}` };
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('the storage mark', () => {
  it('marks the output and uploads folders and the thumbnail cache with the ids it publishes in Redis, and keeps a worker token there', async () => {
    const stored = await redis.hgetall(redisKeys(config.keyPrefix).storage);
    expect(stored.outputMark).toBe(await readStorageMark(config.outputPath));
    expect(stored.uploadsMark).toBe(await readStorageMark(path.join(config.dataPath, 'uploads')));
    expect(stored.thumbsMark).toBe(await readStorageMark(path.join(config.dataPath, THUMBS_FOLDER)));
    expect(stored.token!.length).toBeGreaterThanOrEqual(32);
  });
});

describe('/api/storage', () => {
  it('refuses requests without the worker token (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: auth.authorization!.replace('Bearer ', 'Basic ') }]) {
      const res = await app.inject({ method: 'GET', url: '/api/storage/output/list?path=x', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect((await app.inject({ method: 'PUT', url: '/api/storage/output/file?path=a.png', payload: 'x', headers: { 'content-type': 'application/octet-stream' } })).statusCode).toBe(401);
  });

  it('stores a file atomically, checks its SHA-256, reads and lists it back, and removes it', async () => {
    const res = await put('2030-01-01/a.png', 'first', { 'x-content-sha256': sha('first') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ size: 5, sha256: sha('first') });
    const again = await put('2030-01-01/a.png', 'first');
    expect(again.statusCode).toBe(200);
    expect(await readdir(path.join(outputPath, '2030-01-01'))).toEqual(['a.png']);
    const mismatch = await put('2030-01-01/a.png', 'second', { 'x-content-sha256': sha('other') });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toMatchObject({ error: 'checksum_mismatch' });
    expect(await readFile(path.join(outputPath, '2030-01-01', 'a.png'), 'utf8')).toBe('first');
    const read = await app.inject({ url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe('first');
    expect((await app.inject({ url: '/api/storage/output/list?path=2030-01-01', headers: auth })).json()).toEqual({ names: ['a.png'] });
    expect((await app.inject({ method: 'DELETE', url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(404);
  });

  it('replaces a folder with a set of files at once, refusing names it cannot write', async () => {
    const files = [
      { name: 'index.html', data: Buffer.from('<h1>v1</h1>').toString('base64') },
      { name: 'a', data: Buffer.from('file').toString('base64') },
      { name: 'a/b', data: Buffer.from('clash').toString('base64') },
    ];
    const res = await app.inject({ method: 'PUT', url: '/api/storage/output/dir?path=sites/c1/v1', payload: { files }, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ refused: ['a/b'] });
    expect((await readdir(path.join(outputPath, 'sites', 'c1', 'v1'))).sort()).toEqual(['a', 'index.html']);
  });

  it('refuses paths that leave the folder or touch the server\'s mark, and bad bodies', async () => {
    for (const rel of ['../escape.png', '/etc/passwd', 'a/../../b', 'a//b', 'C:/x', 'a\\b', './a']) {
      const res = await put(rel, 'x');
      expect(res.statusCode, rel).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_path' });
    }
    expect((await put('.orchestrator/mark.json', '{}')).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/storage/output/file?path=..%2F..%2Fetc%2Fpasswd', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/storage/elsewhere/file?path=a', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/storage/output/file', headers: auth })).statusCode).toBe(400);
    const json = await app.inject({ method: 'PUT', url: '/api/storage/output/file?path=x.png', payload: { a: 1 }, headers: auth });
    expect(json.statusCode).toBe(415);
    const dir = await app.inject({ method: 'PUT', url: '/api/storage/output/dir?path=sites/c2/v1', payload: { files: 'nope' }, headers: auth });
    expect(dir.statusCode).toBe(400);
    expect(await readStorageMark(outputPath)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('PUT /api/storage/output/thumb', () => {
  const rel = '2030-01-02/2030-01-02_a-fox_7_0a1b2c3d.png';
  const putThumb = (path_: string, body: Buffer, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'PUT',
      url: `/api/storage/output/thumb?path=${encodeURIComponent(path_)}`,
      payload: body,
      headers: { ...auth, 'content-type': 'image/webp', 'x-thumbnail-recipe': THUMB_RECIPE, ...headers },
    });

  it('files a worker\'s thumbnail under the key of the stored file, where the thumb route finds it without decoding', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
    expect((await put(rel, png)).statusCode).toBe(200);
    const webp = await makeThumbnail(png);
    const res = await putThumb(rel, webp);
    expect(res.statusCode, res.body).toBe(200);
    const id = assetIdForPath(rel);
    const entry = thumbCacheEntry(path.join(config.dataPath, THUMBS_FOLDER), id, rel, await stat(path.join(outputPath, rel)));
    expect(res.json()).toEqual({ key: entry.key });
    expect((await readFile(entry.file)).equals(webp)).toBe(true);
    const thumbs = new ThumbnailService({ outputPath, cacheDir: path.join(config.dataPath, THUMBS_FOLDER), ffmpegPath: null });
    const asset = { id, type: 'image' as const, fileName: path.basename(rel), relPath: rel, size: png.length, mimeType: 'image/png', createdAt: new Date().toISOString(), ...assetUrls(id), meta: {} };
    const served = await thumbs.forAsset(asset);
    expect(served.kind).toBe('hit');
    expect(thumbs.pool.stats().started).toBe(0);
  });

  it('refuses a thumbnail of another recipe, one that is no WebP, one for an output not stored, and one without the token', async () => {
    const webp = await makeThumbnail(await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toBuffer());
    expect((await putThumb(rel, webp, { 'x-thumbnail-recipe': 'webp-256-q90' })).json()).toMatchObject({ error: 'thumbnail_recipe_mismatch' });
    expect((await putThumb(rel, webp, { 'x-thumbnail-recipe': 'webp-256-q90' })).statusCode).toBe(409);
    expect((await putThumb(rel, Buffer.from('RIFF0000AVI LIST0000'))).json()).toMatchObject({ error: 'not_webp' });
    expect((await putThumb('2030-01-02/never-stored.png', webp)).statusCode).toBe(404);
    expect((await putThumb('../escape.png', webp)).statusCode).toBe(400);
    expect((await putThumb('.orchestrator/mark.json', webp)).statusCode).toBe(403);
    expect((await putThumb(rel, webp, { 'content-type': 'application/octet-stream' })).statusCode).toBe(415);
    expect((await putThumb(rel, webp, { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await putThumb(rel, webp, { 'content-type': 'image/webp; codecs=vp8' })).statusCode).toBe(200); // parameters are fine
    expect((await putThumb(rel, Buffer.alloc(3 * 1024 * 1024, 1))).statusCode).toBe(413);
    const anonymous = await app.inject({ method: 'PUT', url: `/api/storage/output/thumb?path=${rel}`, payload: webp, headers: { 'content-type': 'image/webp' } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('a worker that died between its output and the thumbnail', () => {
  it('loses nothing: the stored output gets its thumbnail made on first request, the same bytes the worker would have handed over', async () => {
    const rel = '2030-01-03/2030-01-03_a-crashed-worker_9_0d0e0f10.png';
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 240, g: 200, b: 10 } } }).png().toBuffer();
    expect((await put(rel, png)).statusCode).toBe(200); // the output landed; the worker died before PUT …/thumb
    const id = assetIdForPath(rel);
    const thumbs = new ThumbnailService({ outputPath, cacheDir: path.join(config.dataPath, THUMBS_FOLDER), ffmpegPath: null });
    const asset = { id, type: 'image' as const, fileName: path.basename(rel), relPath: rel, size: png.length, mimeType: 'image/png', createdAt: new Date().toISOString(), ...assetUrls(id), meta: {} };
    const made = await thumbs.forAsset(asset);
    expect(made.kind).toBe('made');
    const workerWouldHave = await makeThumbnail(png);
    expect(made.body.equals(workerWouldHave)).toBe(true);
    // The restarted worker's retry hands the thumbnail over late: taken, one cache file, served as a hit.
    const late = await app.inject({
      method: 'PUT',
      url: `/api/storage/output/thumb?path=${encodeURIComponent(rel)}`,
      payload: workerWouldHave,
      headers: { ...auth, 'content-type': 'image/webp', 'x-thumbnail-recipe': THUMB_RECIPE },
    });
    expect(late.statusCode).toBe(200);
    expect((await thumbs.forAsset(asset)).kind).toBe('hit');
    const shard = await readdir(path.join(config.dataPath, THUMBS_FOLDER, id.slice(0, 2)));
    expect(shard.filter((n) => n.startsWith(`${id}-`))).toHaveLength(1);
  });
});

describe("PUT /api/storage/output/thumb for a site's screenshot", () => {
  it("files it as the site's thumbnail (the site asset's id, the screenshot's key)", async () => {
    const rel = 'sites/chat_thumb1/.screenshots/ver_1.png';
    const png = await sharp({ create: { width: 1280, height: 800, channels: 3, background: 'white' } }).png().toBuffer();
    expect((await put(rel, png)).statusCode).toBe(200);
    const webp = await makeThumbnail(png);
    const res = await app.inject({
      method: 'PUT',
      url: `/api/storage/output/thumb?path=${encodeURIComponent(rel)}`,
      payload: webp,
      headers: { ...auth, 'content-type': 'image/webp', 'x-thumbnail-recipe': THUMB_RECIPE },
    });
    expect(res.statusCode, res.body).toBe(200);
    const entry = thumbCacheEntry(path.join(config.dataPath, THUMBS_FOLDER), siteAssetId('chat_thumb1'), rel, await stat(path.join(outputPath, rel)));
    expect((await readFile(entry.file)).equals(webp)).toBe(true);
  });
});
