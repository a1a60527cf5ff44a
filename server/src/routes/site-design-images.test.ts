import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { AssetStore, JobStore, V0_ATTACHMENT_MAX_BYTES, assetIdForPath, assetUrls, siteAssetId, type Asset, type Config, type V0JobRequest, type V0SiteManifest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../test/fakes/v0/index.js';
import { api, latest } from '../../../test/fakes/v0/testkit.js';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * Pictures in design edits (an upload or a gallery image replacing an image's src): the follow-up job
 * names them as attachments (downscaled when large) and its message says which attachment replaces
 * which src; bad ids are 400, pictures over the input limits 413. And the preview proxy's upstream
 * timeout, PREVIEW_UPSTREAM_TIMEOUT_MS, against a slow demo host.
 */

let fake: FakeV0;
let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;

const CHAT = 'pictureChat1';
const VERSION = 'pictureVer01';
const assetId = siteAssetId(CHAT);
const IMG = 'body > main:nth-of-type(1) > img:nth-of-type(1)';
const H1 = 'body > main:nth-of-type(1) > h1:nth-of-type(1)';
const BOUNDARY = '----orchestrator-design-images';
const TIMEOUT_MS = 1000;

const png = (w: number, h: number, rgb = { r: 200, g: 40, b: 40 }) => sharp({ create: { width: w, height: h, channels: 3, background: rgb } }).png().toBuffer();

async function upload(bytes: Buffer, filename: string): Promise<string> {
  const payload = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const res = await app.inject({ method: 'POST', url: '/api/uploads', payload, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

async function galleryImage(rel: string, bytes: Buffer, type: Asset['type'] = 'image'): Promise<string> {
  await mkdir(path.dirname(path.join(outputPath, rel)), { recursive: true });
  await writeFile(path.join(outputPath, rel), bytes);
  const id = assetIdForPath(rel);
  await new AssetStore(redis, config.keyPrefix).put({ id, type, fileName: path.basename(rel), relPath: rel, size: bytes.length, mimeType: 'image/png', createdAt: new Date().toISOString(), ...assetUrls(id), meta: {} });
  return id;
}

const edits = (...list: object[]) => app.inject({ method: 'POST', url: `/api/sites/${assetId}/design-edits`, payload: { versionId: VERSION, edits: list } });
const srcEdit = (image: object, selector = IMG) => ({ selector, kind: 'attr', name: 'src', before: '/placeholder.svg', after: 'a picture', image });
async function storedRequest(id: string): Promise<V0JobRequest> {
  const request = (await new JobStore(redis, config.keyPrefix).get(id))?.request;
  if (request?.provider !== 'v0') throw new Error(`job ${id} is not a v0 job`);
  return request;
}

beforeAll(async () => {
  fake = await startFakeV0({ syncMs: 0 });
  const demoUrl = latest((await api(fake, 'POST', '/chats', { message: 'A bakery with pictures' })).json).demoUrl as string;
  redis = newRedis();
  ({ config, outputPath } = await testConfig('site-design-images', {
    V0_API_URL: fake.url,
    V0_API_KEY: fake.apiKey,
    PREVIEW_PORT: '0',
    PREVIEW_DEMO_HOSTS: 'localhost,127.0.0.1',
    PREVIEW_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  }));
  const dir = path.join(outputPath, 'sites', CHAT);
  await mkdir(path.join(dir, VERSION, 'app'), { recursive: true });
  await writeFile(path.join(dir, VERSION, 'app/page.tsx'), '<main>\n  <img src="/placeholder.svg" />\n  <h1>Bakery</h1>\n</main>\n');
  const manifest: V0SiteManifest = {
    version: 1,
    chatId: CHAT,
    webUrl: `${fake.demoHost}/chat/${CHAT}`,
    prompt: 'a bakery',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    meta: { provider: 'v0', prompt: 'a bakery' },
    versions: [{ id: VERSION, status: 'completed', createdAt: '2026-01-01T00:00:00.000Z', demoUrl, files: ['app/page.tsx'], filesSaved: true }],
  };
  await writeFile(path.join(dir, 'site.json'), JSON.stringify(manifest));
  app = await buildServer(config, { logger: false, backendCacheMs: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
  await fake.close();
});

describe('design edits with pictures', () => {
  it('names an uploaded picture as attachment 1, and says which src it replaces, with file and line', async () => {
    const bytes = await png(64, 32);
    const upload1 = await upload(bytes, 'hero.png');
    const res = await edits(srcEdit({ source: 'upload', id: upload1 }), { selector: H1, kind: 'text', before: 'Bakery', after: 'Panaderia' });
    expect(res.statusCode).toBe(202);
    const request = await storedRequest(res.json<{ id: string }>().id);
    // Small enough to send as it is: the job names the upload itself.
    expect(request).toMatchObject({ provider: 'v0', followUp: { assetId, chatId: CHAT }, attachments: [upload1] });
    const lines = request.prompt.split('\n');
    expect(lines).toContain('One picture is attached to this message, in order: attachment 1 (hero.png).');
    expect(lines).toContain(`1. Attribute src of the <img> at \`${IMG}\`: "/placeholder.svg" → attachment 1 (hero.png) — in app/page.tsx, line 2`);
    expect(lines).toContain(`2. Text of the <h1> at \`${H1}\`: "Bakery" → "Panaderia" — in app/page.tsx, line 3`);
    expect(request.prompt).not.toContain('a picture');
  });

  it('numbers different pictures by first use (a gallery image and an upload), the same picture once', async () => {
    const gallery = await galleryImage('pics/sunset.png', await png(40, 40, { r: 250, g: 150, b: 20 }));
    const up = await upload(await png(20, 20), 'logo.png');
    const second = 'body > main:nth-of-type(1) > img:nth-of-type(2)';
    const res = await edits(srcEdit({ source: 'asset', id: gallery }), srcEdit({ source: 'upload', id: up }, second), srcEdit({ source: 'asset', id: gallery }, '#hero'));
    expect(res.statusCode).toBe(202);
    const request = await storedRequest(res.json<{ id: string }>().id);
    expect(request.attachments).toEqual([gallery, up]);
    expect(request.prompt).toContain('2 pictures are attached to this message, in order: attachment 1 (sunset.png), attachment 2 (logo.png).');
    expect(request.prompt).toContain(`→ attachment 2 (logo.png)`);
    expect(request.prompt.match(/→ attachment 1 \(sunset\.png\)/g)).toHaveLength(2);
  });

  it('downscales a picture over 2048 px into an upload of its own, which the job names instead', async () => {
    const big = await sharp({ create: { width: 3000, height: 1500, channels: 3, background: { r: 10, g: 90, b: 200 } } }).png().toBuffer();
    const original = await upload(big, 'panorama.png');
    const res = await edits(srcEdit({ source: 'upload', id: original }));
    expect(res.statusCode).toBe(202);
    const [copy] = (await storedRequest(res.json<{ id: string }>().id)).attachments!;
    expect(copy).not.toBe(original);
    const meta = (await app.inject({ url: `/api/uploads/${copy!}/meta` })).json<{ width: number; height: number; size: number; type: string; originalName: string }>();
    expect(meta).toMatchObject({ width: 2048, height: 1024, type: 'image/jpeg', originalName: 'panorama.png' });
    expect(meta.size).toBeLessThanOrEqual(V0_ATTACHMENT_MAX_BYTES);
  });

  it.each([
    ['an upload that does not exist', () => srcEdit({ source: 'upload', id: '00000000-0000-4000-8000-000000000000' }), 'input_image_not_found'],
    ['a gallery asset that does not exist', () => srcEdit({ source: 'asset', id: '0123456789abcdef' }), 'input_image_not_found'],
    ['an asset id given as an upload', () => srcEdit({ source: 'upload', id: '0123456789abcdef' }), 'validation_failed'],
    ['a malformed id', () => srcEdit({ source: 'upload', id: '../../etc/passwd' }), 'validation_failed'],
    ['a picture on a text edit', () => ({ selector: H1, kind: 'text', before: 'a', after: 'b', image: { source: 'asset', id: '0123456789abcdef' } }), 'validation_failed'],
    ['an object URL as src', () => ({ selector: IMG, kind: 'attr', name: 'src', before: '/a.png', after: 'blob:http://127.0.0.1:3002/0f0f' }), 'validation_failed'],
    ['a data URI as src', () => ({ selector: IMG, kind: 'attr', name: 'src', before: '/a.png', after: 'data:image/png;base64,AAAA' }), 'validation_failed'],
    ['a URL of our own files as src', () => ({ selector: IMG, kind: 'attr', name: 'src', before: '/a.png', after: 'http://127.0.0.1:3002/api/uploads/x' }), 'validation_failed'],
  ])('refuses %s with 400', async (_what, edit, code) => {
    const res = await edits(edit());
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toBe(code);
  });

  it('refuses more than 4 different pictures (400), a video asset (400), and a picture over 40 MP (413)', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(async (n) => upload(await png(8 + n, 8), `p${n}.png`)));
    const five = await edits(...ids.map((id, n) => srcEdit({ source: 'upload', id }, `body > img:nth-of-type(${n + 1})`)));
    expect(five.statusCode).toBe(400);
    expect(five.json<{ message: string }>().message).toMatch(/at most 4 different pictures/);
    const clip = await galleryImage('pics/clip.webp', await png(8, 8), 'video');
    expect((await edits(srcEdit({ source: 'asset', id: clip }))).json()).toMatchObject({ error: 'validation_failed', message: expect.stringContaining('not a picture') });
    const huge = await galleryImage('pics/huge.png', await sharp({ create: { width: 7000, height: 6000, channels: 3, background: '#fff' } }).png().toBuffer());
    const res = await edits(srcEdit({ source: 'asset', id: huge }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'image_too_large', message: expect.stringMatching(/7000×6000.*at most 40 MP/) });
  });

  it('checks a site job posted with attachments the same way (POST /api/jobs)', async () => {
    const job = (body: object) => app.inject({ method: 'POST', url: '/api/jobs', payload: { provider: 'v0', kind: 'site', prompt: 'use this picture', ...body } });
    expect((await job({ attachments: ['00000000-0000-4000-8000-000000000000'] })).json()).toMatchObject({ error: 'input_image_not_found' });
    expect((await job({ attachments: ['0123456789abcdef'], import: { chatId: CHAT } })).statusCode).toBe(400);
    const up = await upload(await png(16, 16), 'ok.png');
    const res = await job({ attachments: [up] });
    expect(res.statusCode).toBe(202);
    expect((await storedRequest(res.json<{ id: string }>().id)).attachments).toEqual([up]);
  });
});

describe('preview upstream timeout', () => {
  it('answers 504 within PREVIEW_UPSTREAM_TIMEOUT_MS when the demo host is slower, saying so', async () => {
    const { url } = (await app.inject({ url: `/api/sites/${assetId}/preview`, headers: { host: '127.0.0.1:3002' } })).json<{ url: string }>();
    fake.faults.demoDelayMs = 5000;
    try {
      const t0 = Date.now();
      const res = await fetch(url);
      const took = Date.now() - t0;
      expect(res.status).toBe(504);
      expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(took).toBeLessThan(TIMEOUT_MS + 2500);
      expect(await res.json()).toEqual({ error: 'preview_upstream', message: 'The site did not answer within 1 s (PREVIEW_UPSTREAM_TIMEOUT_MS); reload to try again.' });
    } finally {
      fake.faults.demoDelayMs = 0;
    }
    expect((await fetch(url)).status).toBe(200);
  });
});
