import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import sharp from 'sharp';
import {
  LocalFileStore,
  THUMB_RECIPE,
  VideoPosters,
  assetIdForPath,
  makeThumbnail,
  markStorageFolders,
  redisKeys,
  thumbCacheEntry,
  type GenerationMeta,
} from '@orchestrator/shared';
import { TEST_REDIS_URL } from '../../../test/harness/redis.js';
import { saveOutput } from '../cloud/files.js';
import { HttpFileStore } from './http-file-store.js';
import { OutputThumbnails } from './output-thumbnails.js';
import { DecidingThumbnailSink, LocalThumbnailSink, RemoteThumbnailSink, type ThumbnailSink } from './thumbnail-sink.js';

/*
 * The worker's thumbnails of its own outputs: the bytes the server would make, filed where the server
 * looks (a shared disk) or handed to its storage API (another machine), and never a reason for a job to fail.
 */

let root: string;
let outputPath: string;
let cacheDir: string;
let redis: Redis;
const prefix = `test-worker-thumbs-${Date.now().toString(36)}`;
const keys = redisKeys(prefix);
const log = pino({ level: 'silent' });
const meta: GenerationMeta = { jobId: '0a1b2c3d-0000-4000-8000-000000000000', provider: 'flux', prompt: 'a red fox in the snow', seed: 5 };

async function cachedThumbnails(): Promise<string[]> {
  const entries = await readdir(cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.webp')).map((e) => e.name);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-worker-thumbs-'));
  outputPath = path.join(root, 'output');
  cacheDir = path.join(root, 'thumbs');
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  await markStorageFolders(redis, keys.storage, { output: outputPath, uploads: path.join(root, 'uploads'), thumbs: cacheDir });
});

afterAll(async () => {
  await redis.del(keys.storage);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
});

describe('the thumbnail of an output', () => {
  it('is made from the bytes in hand, identical to what the server makes from the stored file, and filed under the server\'s cache key', async () => {
    const png = await sharp({ create: { width: 1024, height: 768, channels: 3, background: { r: 200, g: 90, b: 20 } } }).png().toBuffer();
    const store = new LocalFileStore(outputPath);
    const thumbnails = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log);
    const asset = await saveOutput({ store, jobId: meta.jobId!, index: 1, bytes: png, type: { ext: '.png', mime: 'image/png' }, meta, jobCreatedAt: '2030-03-04T05:06:07.000Z', thumbnails });
    expect(asset.relPath).toBe('2030-03-04/2030-03-04_a-red-fox-in-the-snow_5_0a1b2c3d.png');
    const file = path.join(outputPath, asset.relPath);
    const entry = thumbCacheEntry(cacheDir, asset.id, asset.relPath, await stat(file));
    const body = await readFile(entry.file);
    expect(body.equals(await makeThumbnail(file))).toBe(true);
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width: 384, height: 288 });
  });

  it('a retry of the job rewrites the same file and files the thumbnail of the current version (the old one waits for the server\'s sweep)', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: 'green' } }).png().toBuffer();
    const store = new LocalFileStore(outputPath);
    const thumbnails = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log);
    const jobId = 'ffeeddcc-0000-4000-8000-000000000000';
    const save = () => saveOutput({ store, jobId, index: 1, bytes: png, type: { ext: '.png', mime: 'image/png' }, meta: { ...meta, jobId }, jobCreatedAt: '2030-03-04T05:06:07.000Z', thumbnails });
    const first = await save();
    await new Promise((r) => setTimeout(r, 20)); // a new mtime
    const second = await save();
    expect(second.relPath).toBe(first.relPath);
    expect(second.id).toBe(first.id);
    const mine = (await cachedThumbnails()).filter((n) => n.startsWith(`${first.id}-`));
    const entry = thumbCacheEntry(cacheDir, first.id, first.relPath, await stat(path.join(outputPath, first.relPath)));
    expect(mine).toContain(path.basename(entry.file));
    expect(mine).toHaveLength(2);
  });

  it('never fails the output: undecodable bytes, a sink that throws, a video without ffmpeg', async () => {
    const before = await cachedThumbnails();
    const failing: ThumbnailSink = { put: async () => Promise.reject(new Error('disk on fire')) };
    const store = new LocalFileStore(outputPath);
    const broken = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
    const a = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log).begin({ bytes: broken });
    await store.write('2030-03-04/broken.png', broken);
    await expect(a.finish('2030-03-04/broken.png')).resolves.toBeUndefined();
    const good = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'blue' } }).png().toBuffer();
    const b = new OutputThumbnails(failing, log).begin({ bytes: good });
    await expect(b.finish('2030-03-04/any.png')).resolves.toBeUndefined();
    await writeFile(path.join(root, 'clip.mp4'), 'not really a video');
    const c = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log, { ffmpegPath: null }).begin({ file: path.join(root, 'clip.mp4'), video: true });
    await expect(c.finish('2030-03-04/clip.mp4')).resolves.toBeUndefined();
    expect(await cachedThumbnails()).toEqual(before);
  });
});

describe('the thumbnail of a video output', () => {
  const ffmpeg = new VideoPosters();

  it('an animated WebP (SVD) is an image to sharp: its first frame, one page, as the server makes it', async () => {
    const frames = await Promise.all(
      ['red', 'lime', 'blue'].map((background) => sharp({ create: { width: 512, height: 320, channels: 3, background } }).png().toBuffer()),
    );
    const clip = await sharp(frames, { join: { animated: true } }).webp({ delay: 100, loop: 0 }).toBuffer();
    expect((await sharp(clip).metadata()).pages).toBe(3);
    const store = new LocalFileStore(outputPath);
    const tmp = path.join(root, 'clip.webp');
    await writeFile(tmp, clip);
    const pending = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log).begin({ file: tmp, video: false });
    const rel = '2030-03-04/2030-03-04_video_5_0a1b2c3d.webp';
    await store.writeFrom(rel, tmp);
    await pending.finish(rel);
    const file = path.join(outputPath, rel);
    const body = await readFile(thumbCacheEntry(cacheDir, assetIdForPath(rel), rel, await stat(file)).file).catch(() => null);
    expect(body).not.toBeNull();
    expect(body!.equals(await makeThumbnail(file))).toBe(true);
    const meta = await sharp(body!).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 384, height: 240 });
    expect(meta.pages ?? 1).toBe(1);
    const { dominant } = await sharp(body!).stats();
    expect(dominant.r).toBeGreaterThan(200); // the first frame (red), not another
  });

  it.runIf(process.platform !== 'win32')('an mp4 gets its poster, the first frame through ffmpeg, the same bytes the server makes', async (ctx) => {
    if (!(await ffmpeg.isAvailable())) return ctx.skip();
    const tmp = path.join(root, 'clip.mp4');
    await promisify(execFile)('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', tmp]);
    const store = new LocalFileStore(outputPath);
    const pending = new OutputThumbnails(new LocalThumbnailSink(store, cacheDir), log).begin({ file: tmp, video: true });
    const rel = '2030-03-04/2030-03-04_video_5_0a1b2c3d.mp4';
    await store.writeFrom(rel, tmp);
    await pending.finish(rel);
    const file = path.join(outputPath, rel);
    const body = await readFile(thumbCacheEntry(cacheDir, assetIdForPath(rel), rel, await stat(file)).file);
    expect(body.equals(await makeThumbnail((await ffmpeg.firstFrame(file))!))).toBe(true);
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width: 384, height: 216 });
  });
});

describe('names that another job holds', () => {
  it("a job whose short name is another job's output writes under its whole id; each job's retry rewrites its own files", async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'white' } }).png().toBuffer();
    const store = new LocalFileStore(outputPath);
    const save = (jobId: string) =>
      saveOutput({ store, jobId, index: 1, bytes: png, type: { ext: '.png', mime: 'image/png' }, meta: { ...meta, jobId }, jobCreatedAt: '2030-05-06T00:00:00.000Z' });
    const first = await save('5a5a5a5a-0000-4000-8000-000000000001');
    const twin = await save('5a5a5a5a-0000-4000-8000-000000000002'); // the same first 8 hex digits, prompt, seed and day
    expect(first.relPath).toBe('2030-05-06/2030-05-06_a-red-fox-in-the-snow_5_5a5a5a5a.png');
    expect(twin.relPath).toBe('2030-05-06/2030-05-06_a-red-fox-in-the-snow_5_5a5a5a5a000040008000000000000002.png');
    expect((await save('5a5a5a5a-0000-4000-8000-000000000001')).relPath).toBe(first.relPath);
    expect((await save('5a5a5a5a-0000-4000-8000-000000000002')).relPath).toBe(twin.relPath);
    const sidecar = JSON.parse(await readFile(path.join(outputPath, `${first.relPath}.json`), 'utf8')) as { meta: GenerationMeta };
    expect(sidecar.meta.jobId).toBe('5a5a5a5a-0000-4000-8000-000000000001');
  });
});

describe('where a worker files its thumbnails', () => {
  const remote = { putThumbnail: async () => undefined };

  it('in the server\'s cache itself when it shares the outputs and the cache (both marks match)', async () => {
    const sink = new DecidingThumbnailSink({ outputStore: async () => new LocalFileStore(outputPath), cacheDir, redis, keys, remote });
    expect(await sink.sink()).toBeInstanceOf(LocalThumbnailSink);
  });

  it('through the storage API when the cache is not the server\'s, or the outputs go through it anyway', async () => {
    const otherCache = new DecidingThumbnailSink({ outputStore: async () => new LocalFileStore(outputPath), cacheDir: path.join(root, 'elsewhere'), redis, keys, remote });
    expect(await otherCache.sink()).toBeInstanceOf(RemoteThumbnailSink);
    const remoteOutputs = new DecidingThumbnailSink({ outputStore: async () => ({ kind: 'uploads to server' }) as never, cacheDir, redis, keys, remote });
    expect(await remoteOutputs.sink()).toBeInstanceOf(RemoteThumbnailSink);
    const noMark = new DecidingThumbnailSink({ outputStore: async () => new LocalFileStore(outputPath), cacheDir, redis, keys: redisKeys(`${prefix}-none`), remote });
    expect(await noMark.sink()).toBeInstanceOf(RemoteThumbnailSink);
  });

  it('hands the storage API the bytes with the recipe it followed', async () => {
    const calls: unknown[][] = [];
    const sink = new RemoteThumbnailSink({ putThumbnail: async (...args: unknown[]) => void calls.push(args) });
    const body = Buffer.from('RIFF0000WEBPVP8 ');
    await sink.put('2030-03-04/x.png', body);
    expect(calls).toEqual([['2030-03-04/x.png', body, THUMB_RECIPE]]);
  });
});

describe('the hand-off of a thumbnail over HTTP', () => {
  it('tries twice, briefly, then gives up (the job is never held for a thumbnail), sending the recipe and the bytes', async () => {
    const seen: { url: string; type: string | undefined; recipe: string | undefined; bytes: number }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', type: req.headers['content-type'], recipe: req.headers['x-thumbnail-recipe'] as string | undefined, bytes: Buffer.concat(chunks).length });
        res.writeHead(503).end('restarting');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const store = new HttpFileStore({ root: 'output', address: async () => ({ url, token: 't' }), log, retryBaseMs: 10 });
      const thumbnails = new OutputThumbnails(new RemoteThumbnailSink(store), log);
      const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: 'black' } }).png().toBuffer();
      await expect(store.putThumbnail('2030-03-04/x.png', await makeThumbnail(png), THUMB_RECIPE)).rejects.toThrow(/did not take PUT/);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatchObject({ url: '/api/storage/output/thumb?path=2030-03-04%2Fx.png', type: 'image/webp', recipe: THUMB_RECIPE });
      expect(seen[0]!.bytes).toBeGreaterThan(0);
      // Through OutputThumbnails the failure is only logged.
      await expect(thumbnails.begin({ bytes: png }).finish('2030-03-04/x.png')).resolves.toBeUndefined();
      expect(seen).toHaveLength(4);
    } finally {
      server.close();
    }
  });
});
