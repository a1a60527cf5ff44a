import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { AssetStore, assetIdForPath, assetUrls, type Asset, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { errorHandler } from '../http/error-handler.js';
import { PoolFullError } from '../gallery/thumbnail-pool.js';
import { ThumbnailService } from '../gallery/thumbnails.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { assetFileRoutes } from './asset-files.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let outside: string;
let redis: Redis;
let png: Buffer;
const SECRET = 'top secret outside the output folder';

function asset(relPath: string, over: Partial<Asset> = {}): Asset {
  const id = assetIdForPath(relPath);
  return { id, type: 'image', fileName: path.basename(relPath), relPath, size: 0, mimeType: 'image/png', createdAt: '2030-01-01T00:00:00Z', ...assetUrls(id), meta: {}, ...over };
}
const id = (rel: string) => assetIdForPath(rel);

/** The routes alone, with a thumbnail service of the test's choosing. */
async function miniApp(thumbnails: ThumbnailService): Promise<FastifyInstance> {
  const mini = Fastify().withTypeProvider();
  mini.setValidatorCompiler(TypeBoxValidatorCompiler);
  mini.setErrorHandler(errorHandler);
  await mini.register(assetFileRoutes, { redis, config, thumbnails });
  return mini as unknown as FastifyInstance;
}

beforeAll(async () => {
  outside = await mkdtemp(path.join(tmpdir(), 'orch-files-outside-'));
  ({ config, outputPath } = await testConfig('asset-files', { DATA_PATH: outside }));
  redis = newRedis();
  await writeFile(path.join(outside, 'secret.txt'), SECRET);
  png = await sharp({ create: { width: 1000, height: 500, channels: 3, background: 'teal' } }).png().toBuffer();
  await writeFile(path.join(outputPath, 'img.png'), png);
  await writeFile(path.join(outputPath, 'broken.png'), Buffer.concat([png.subarray(0, 8), Buffer.alloc(64, 1)]));
  await writeFile(path.join(outputPath, 'Ünïcode name.png'), png);
  await symlink(path.join(outside, 'secret.txt'), path.join(outputPath, 'escape.png'));
  const store = new AssetStore(redis, config.keyPrefix);
  for (const rel of ['img.png', 'broken.png', 'Ünïcode name.png', 'escape.png', '../secret.txt', '/etc/passwd', 'a\0b.png']) await store.put(asset(rel));
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false } }); // fixed records, no indexer
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  await rm(outside, { recursive: true, force: true });
  redis.disconnect();
});

describe('GET /api/assets/:id/file', () => {
  const url = () => `/api/assets/${id('img.png')}/file`;

  it('streams the file inline with its type, length, nosniff, ETag and Last-Modified', async () => {
    const res = await app.inject({ url: url() });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'image/png', 'content-length': String(png.length), 'x-content-type-options': 'nosniff', 'accept-ranges': 'bytes' });
    expect(res.headers['content-disposition']).toBe(`inline; filename="img.png"; filename*=UTF-8''img.png`);
    expect(res.headers.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(res.headers['last-modified']).toBeDefined();
    expect(res.rawPayload.equals(png)).toBe(true);
  });

  it('sends an attachment named after the file with ?download=1', async () => {
    const res = await app.inject({ url: `/api/assets/${id('Ünïcode name.png')}/file?download=1` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="_n_code name.png"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20name.png`);
  });

  it('answers 304 to a matching If-None-Match or a not-older If-Modified-Since', async () => {
    const first = await app.inject({ url: url() });
    const etag = first.headers.etag as string;
    const byTag = await app.inject({ url: url(), headers: { 'if-none-match': `"nope", ${etag}` } });
    expect(byTag.statusCode).toBe(304);
    expect(byTag.rawPayload.length).toBe(0);
    const byDate = await app.inject({ url: url(), headers: { 'if-modified-since': first.headers['last-modified'] as string } });
    expect(byDate.statusCode).toBe(304);
    expect((await app.inject({ url: url(), headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
  });

  it('answers ranges: first bytes, suffix, open-ended (206), past the end (416)', async () => {
    const first = await app.inject({ url: url(), headers: { range: 'bytes=0-9' } });
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-9/${png.length}`);
    expect(first.rawPayload.equals(png.subarray(0, 10))).toBe(true);
    const suffix = await app.inject({ url: url(), headers: { range: 'bytes=-5' } });
    expect(suffix.statusCode).toBe(206);
    expect(suffix.rawPayload.equals(png.subarray(png.length - 5))).toBe(true);
    const open = await app.inject({ url: url(), headers: { range: 'bytes=20-' } });
    expect(open.headers['content-range']).toBe(`bytes 20-${png.length - 1}/${png.length}`);
    expect(open.rawPayload.equals(png.subarray(20))).toBe(true);
    const past = await app.inject({ url: url(), headers: { range: `bytes=${png.length}-` } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${png.length}`);
  });

  it('answers several ranges with the whole file (200), as RFC 9110 allows', async () => {
    const res = await app.inject({ url: url(), headers: { range: 'bytes=0-1,5-6' } });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(png)).toBe(true);
  });

  it('honours If-Range: the range only while the ETag still matches', async () => {
    const etag = (await app.inject({ url: url() })).headers.etag as string;
    expect((await app.inject({ url: url(), headers: { range: 'bytes=0-3', 'if-range': etag } })).statusCode).toBe(206);
    expect((await app.inject({ url: url(), headers: { range: 'bytes=0-3', 'if-range': '"stale"' } })).statusCode).toBe(200);
  });
});

describe('GET /api/assets/:id/thumb', () => {
  const url = (q = '') => `/api/assets/${id('img.png')}/thumb${q}`;

  it('answers a 384 px WebP, made once and then served from the cache', async () => {
    const first = await app.inject({ url: url() });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/webp');
    expect(first.headers['x-thumbnail']).toBe('made');
    expect(await sharp(first.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 384, height: 192 });
    const second = await app.inject({ url: url() });
    expect(second.headers['x-thumbnail']).toBe('hit');
    expect(second.headers.etag).toBe(first.headers.etag);
  });

  it('is immutable for a URL carrying the current version, short-lived otherwise, and 304 on its ETag', async () => {
    const plain = await app.inject({ url: url() });
    expect(plain.headers['cache-control']).toBe('public, max-age=60');
    const stale = await app.inject({ url: url('?v=0-0') });
    expect(stale.headers['cache-control']).toBe('public, max-age=60');
    const { stat } = await import('node:fs/promises');
    const st = await stat(path.join(outputPath, 'img.png'));
    const v = `${Math.floor(st.mtimeMs).toString(36)}-${st.size.toString(36)}`;
    const versioned = await app.inject({ url: url(`?v=${v}`) });
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const revalidated = await app.inject({ url: url(), headers: { 'if-none-match': plain.headers.etag as string } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.rawPayload.length).toBe(0);
  });

  it('answers a placeholder WebP (200, no ETag) for a file that does not decode', async () => {
    const res = await app.inject({ url: `/api/assets/${id('broken.png')}/thumb` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-thumbnail']).toBe('placeholder');
    expect(res.headers.etag).toBeUndefined();
    expect((await sharp(res.rawPayload).metadata()).format).toBe('webp');
  });

  it('answers 503 with Retry-After when the thumbnail queue is full', async () => {
    const busy = {
      locate: async () => ({ kind: 'file', key: 'k'.repeat(40), version: 'v' }),
      render: async () => {
        throw new PoolFullError('full');
      },
    } as unknown as ThumbnailService;
    const mini = await miniApp(busy);
    const res = await mini.inject({ url: url() });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ error: 'thumbnails_busy' });
    await mini.close();
  });

  it('answers a full thumbnail pool in the error shape, and says not to cache it', async () => {
    const busy = {
      locate: async () => ({ kind: 'file', key: 'k'.repeat(40), version: 'v' }),
      render: async () => {
        throw new PoolFullError('full');
      },
    } as unknown as ThumbnailService;
    const mini = await miniApp(busy);
    const res = await mini.inject({ url: url() });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: 'thumbnails_busy', message: expect.any(String) });
    await mini.close();
  });

  it('drops queued thumbnail work when the clients that asked for it go away', async () => {
    const thumbs = new ThumbnailService({ outputPath, cacheDir: path.join(outside, 'thumbs-abort'), concurrency: 1 });
    const rels = ['slow-0.png', 'slow-1.png', 'slow-2.png', 'slow-3.png'];
    const noise = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: 'gray', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png().toBuffer();
    const store = new AssetStore(redis, config.keyPrefix);
    for (const rel of rels) {
      await writeFile(path.join(outputPath, rel), noise);
      await store.put(asset(rel));
    }
    const mini = await miniApp(thumbs);
    await mini.listen({ port: 0, host: '127.0.0.1' });
    const { port } = mini.server.address() as AddressInfo;
    // The pool's one slot is held until the clients have gone, so every request waits in the queue
    // however slowly a busy machine delivers them.
    let release: (value: null) => void = () => undefined;
    const blocker = thumbs.pool.run('blocker', () => new Promise<null>((resolve) => (release = resolve)));
    const requests = rels.map((rel) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/assets/${id(rel)}/thumb` });
      const done = new Promise<number>((resolve) => {
        req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
        req.on('error', () => resolve(-1));
      });
      return { req, done };
    });
    const until = Date.now() + 10_000;
    while (thumbs.pool.stats().queued < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(thumbs.pool.stats()).toMatchObject({ running: 1, queued: 4 });
    for (const r of requests.slice(1)) r.req.destroy();
    expect(await Promise.all(requests.slice(1).map((r) => r.done))).toEqual([-1, -1, -1]);
    await waitForDropped(thumbs, 3);
    release(null);
    await blocker;
    expect(await requests[0]!.done).toBe(200);
    // The blocker and the one request still wanted ran; the three abandoned ones never started.
    expect(thumbs.pool.stats()).toMatchObject({ started: 2, dropped: 3, queued: 0 });
    await mini.close();
  });
});

/** Waits until the pool has dropped `n` tasks (the server sees a client go only once its socket closes). */
async function waitForDropped(thumbs: ThumbnailService, n: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (thumbs.pool.stats().dropped < n && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
}

describe('file routes never leave OUTPUT_PATH', () => {
  const attempts = [
    ['../ in the id', '/api/assets/..%2F..%2Fetc%2Fpasswd/ROUTE'],
    ['%2e%2e%2f in the id', '/api/assets/%2e%2e%2f%2e%2e%2fsecret.txt/ROUTE'],
    ['an absolute path as the id', '/api/assets/%2Fetc%2Fpasswd/ROUTE'],
    ['a NUL byte in the id', '/api/assets/0123456789abcdef%00/ROUTE'],
    ['an unknown id', '/api/assets/ffffffffffffffff/ROUTE'],
    ['a record whose path is ../', `/api/assets/${id('../secret.txt')}/ROUTE`],
    ['a record whose path is absolute', `/api/assets/${id('/etc/passwd')}/ROUTE`],
    ['a record whose path has a NUL byte', `/api/assets/${id('a\0b.png')}/ROUTE`],
    ['a record pointing at a symlink that escapes', `/api/assets/${id('escape.png')}/ROUTE`],
  ] as const;

  for (const route of ['file', 'thumb']) {
    for (const [name, template] of attempts) {
      it(`${route}: refuses ${name} with a 4xx JSON error`, async () => {
        const res = await app.inject({ url: template.replace('ROUTE', route) });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).not.toContain(SECRET);
        expect(res.body).not.toContain('root:');
      });
    }
  }

  it('answers 403 (not 404) for the escaping symlink and the ../ record', async () => {
    for (const rel of ['escape.png', '../secret.txt', '/etc/passwd']) {
      expect((await app.inject({ url: `/api/assets/${id(rel)}/file` })).statusCode, rel).toBe(403);
      expect((await app.inject({ url: `/api/assets/${id(rel)}/thumb` })).statusCode, rel).toBe(403);
    }
  });
});
