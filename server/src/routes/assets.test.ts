import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AssetStore, assetIdForPath, assetUrls, type Asset, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let outside: string;
let redis: Redis;
let png: Buffer;
const SECRET_TEXT = 'top secret outside the output folder';

function asset(relPath: string, createdAt: string, mimeType = 'image/png'): Asset {
  const id = assetIdForPath(relPath);
  return { id, type: 'image', fileName: path.basename(relPath), relPath, size: 0, mimeType, createdAt, ...assetUrls(id), meta: { prompt: relPath } };
}

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('assets'));
  redis = newRedis();
  outside = await mkdtemp(path.join(tmpdir(), 'orch-outside-'));
  await writeFile(path.join(outside, 'secret.txt'), SECRET_TEXT);
  png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(92, 7)]);
  await writeFile(path.join(outputPath, 'img.png'), png);
  await writeFile(path.join(outputPath, 'page.html'), '<script>alert(1)</script>');
  await symlink(path.join(outside, 'secret.txt'), path.join(outputPath, 'escape.png'));
  const store = new AssetStore(redis, config.keyPrefix);
  await store.put(asset('img.png', '2030-01-01T00:00:01Z'));
  await store.put(asset('page.html', '2030-01-01T00:00:02Z', 'text/html'));
  await store.put(asset('escape.png', '2030-01-01T00:00:03Z'));
  await store.put(asset('../secret.txt', '2030-01-01T00:00:04Z'));
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false } }); // fixed records, no indexer
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  await rm(outside, { recursive: true, force: true });
  redis.disconnect();
});

const id = (rel: string) => assetIdForPath(rel);

describe('asset index routes', () => {
  it('lists assets newest first with cursor pages', async () => {
    const first = (await app.inject({ url: '/api/assets?limit=3' })).json<{ items: Asset[]; nextCursor?: string }>();
    expect(first.items.map((a) => a.relPath)).toEqual(['../secret.txt', 'escape.png', 'page.html']);
    const second = (await app.inject({ url: `/api/assets?limit=3&cursor=${first.nextCursor}` })).json<{ items: Asset[]; nextCursor?: string }>();
    expect(second.items.map((a) => a.relPath)).toEqual(['img.png']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('answers one asset, 404 for an unknown id', async () => {
    expect((await app.inject({ url: `/api/assets/${id('img.png')}` })).json()).toMatchObject({ relPath: 'img.png' });
    expect((await app.inject({ url: '/api/assets/ffffffffffffffff' })).statusCode).toBe(404);
  });

  it('keeps the legacy /api/canvas/list alias', async () => {
    const res = await app.inject({ url: '/api/canvas/list' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: Asset[] }>().items).toHaveLength(4);
  });
});

describe('GET /api/assets/:id/file', () => {
  const url = () => `/api/assets/${id('img.png')}/file`;

  it('streams the whole file with its type, length, Accept-Ranges and nosniff', async () => {
    const res = await app.inject({ url: url() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(png.length));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.rawPayload.equals(png)).toBe(true);
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await app.inject({ method: 'HEAD', url: url() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(png.length));
    expect(res.rawPayload.length).toBe(0);
  });

  it('answers ranges with 206 and Content-Range', async () => {
    const head = await app.inject({ url: url(), headers: { range: 'bytes=0-9' } });
    expect(head.statusCode).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-9/${png.length}`);
    expect(head.headers['content-length']).toBe('10');
    expect(head.rawPayload.equals(png.subarray(0, 10))).toBe(true);
    const tail = await app.inject({ url: url(), headers: { range: 'bytes=-5' } });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(png.subarray(png.length - 5))).toBe(true);
    const open = await app.inject({ url: url(), headers: { range: 'bytes=95-' } });
    expect(open.headers['content-range']).toBe(`bytes 95-99/${png.length}`);
  });

  it('answers 416 for a range past the end, and ignores ranges it does not support', async () => {
    const res = await app.inject({ url: url(), headers: { range: `bytes=${png.length}-` } });
    expect(res.statusCode).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${png.length}`);
    expect(res.json()).toMatchObject({ error: 'range_not_satisfiable' });
    const multi = await app.inject({ url: url(), headers: { range: 'bytes=0-1,5-6' } });
    expect(multi.statusCode).toBe(200);
  });

  it('serves a WebP thumbnail, never the file itself (routes/asset-files.test.ts covers thumbnails)', async () => {
    const res = await app.inject({ url: `/api/assets/${id('img.png')}/thumb` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.rawPayload.equals(png)).toBe(false);
  });

  it('never serves a recorded HTML type inline', async () => {
    const res = await app.inject({ url: `/api/assets/${id('page.html')}/file` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
  });

  it('refuses index records that point outside the output folder, directly or by symlink', async () => {
    for (const rel of ['../secret.txt', 'escape.png']) {
      const res = await app.inject({ url: `/api/assets/${id(rel)}/file` });
      expect(res.statusCode, rel).toBe(403);
      expect(res.body).not.toContain(SECRET_TEXT);
    }
  });
});

describe('GET /api/canvas/image/:filename (legacy)', () => {
  it('serves a file of the output folder by name, typed from its bytes', async () => {
    const res = await app.inject({ url: '/api/canvas/image/img.png' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const range = await app.inject({ url: '/api/canvas/image/img.png', headers: { range: 'bytes=0-3' } });
    expect(range.statusCode).toBe(206);
  });

  const attempts = [
    ['../ (encoded slash)', `/api/canvas/image/..%2F${path.basename(outside ?? 'x')}%2Fsecret.txt`],
    ['%2e%2e%2f', '/api/canvas/image/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['absolute path', '/api/canvas/image/%2Fetc%2Fpasswd'],
    ['NUL byte', '/api/canvas/image/img.png%00.txt'],
    ['dot-dot alone', '/api/canvas/image/..'],
    ['symlink escape', '/api/canvas/image/escape.png'],
    ['missing file', '/api/canvas/image/nothing.png'],
  ] as const;

  for (const [name, url] of attempts) {
    it(`refuses ${name} with a 4xx JSON error`, async () => {
      const res = await app.inject({ url: url.replace('orch-outside-x', path.basename(outside)) });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).not.toContain(SECRET_TEXT);
      expect(res.body).not.toContain('root:');
    });
  }

  it('never reaches outside with a raw ../ (the URL is normalised before routing)', async () => {
    const res = await app.inject({ url: '/api/canvas/image/../../../etc/passwd' });
    expect(res.body).not.toContain('root:');
    expect(res.headers['content-type']).not.toBe('application/octet-stream');
  });

  it('refuses an escape through a relative ../ to the real outside folder with 403', async () => {
    const res = await app.inject({ url: `/api/canvas/image/..%2F${path.basename(outside)}%2Fsecret.txt` });
    expect(res.statusCode).toBe(403);
  });

  it('sends an HTML file as an attachment, never inline', async () => {
    const res = await app.inject({ url: '/api/canvas/image/page.html' });
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
  });
});
