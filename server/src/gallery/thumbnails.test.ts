import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { assetIdForPath, assetUrls, type Asset } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { PoolFullError } from './thumbnail-pool.js';
import { ThumbnailService, thumbVersion } from './thumbnails.js';

const run = promisify(execFile);
const hasFfmpeg = await run('ffmpeg', ['-version']).then(
  () => true,
  () => false,
);

let root: string;
let outputPath: string;
let cacheDir: string;

function asset(relPath: string, over: Partial<Asset> = {}): Asset {
  const id = assetIdForPath(relPath);
  return { id, type: 'image', fileName: path.basename(relPath), relPath, size: 0, mimeType: 'image/png', createdAt: new Date().toISOString(), ...assetUrls(id), meta: {}, ...over };
}

function service(over: Partial<ConstructorParameters<typeof ThumbnailService>[0]> = {}): ThumbnailService {
  return new ThumbnailService({ outputPath, cacheDir, ...over });
}

async function png(file: string, width: number, height: number, color = { r: 200, g: 30, b: 30 }): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: color } }).png().toFile(path.join(outputPath, file));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-thumbs-'));
  outputPath = path.join(root, 'output');
  cacheDir = path.join(root, 'data', 'thumbs');
  await run('mkdir', ['-p', outputPath]);
  await png('wide.png', 1024, 768);
  await png('small.png', 100, 50);
  await writeFile(path.join(outputPath, 'corrupt.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)]));
  await writeFile(path.join(root, 'outside.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: 'black' } }).png().toBuffer());
  await symlink(path.join(root, 'outside.png'), path.join(outputPath, 'escape.png'));
  if (hasFfmpeg) {
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=blue:s=320x240:d=1', '-pix_fmt', 'yuv420p', path.join(outputPath, 'clip.mp4')]);
  } else {
    await writeFile(path.join(outputPath, 'clip.mp4'), Buffer.from('not really a video'));
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ThumbnailService', () => {
  it('makes a WebP of at most 384 px on the long side, keeping the aspect ratio', async () => {
    const thumb = await service().forAsset(asset('wide.png'));
    expect(thumb.kind).toBe('made');
    const meta = await sharp(thumb.body).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 384, height: 288 });
  });

  it('never enlarges a small image', async () => {
    const thumb = await service().forAsset(asset('small.png'));
    expect(await sharp(thumb.body).metadata()).toMatchObject({ format: 'webp', width: 100, height: 50 });
  });

  it('serves the second request from the disk cache without a new job', async () => {
    const thumbs = service();
    const a = asset('wide.png');
    const first = await thumbs.forAsset(a); // cached by the first test already, or made now
    const started = thumbs.pool.stats().started;
    const second = await thumbs.forAsset(a);
    expect(second.kind).toBe('hit');
    expect(thumbs.pool.stats().started).toBe(started);
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('makes a new thumbnail when the file changes; the sweep deletes the old one once it is an hour old', async () => {
    const ownCache = path.join(root, 'data', 'thumbs-changing'); // the ages set below touch no other test's files
    const thumbs = service({ cacheDir: ownCache });
    await png('changing.png', 600, 600);
    const a = asset('changing.png');
    const before = await thumbs.forAsset(a);
    await png('changing.png', 600, 300, { r: 0, g: 200, b: 0 });
    await utimes(path.join(outputPath, 'changing.png'), new Date(), new Date(Date.now() + 5000));
    const after = await thumbs.forAsset(a);
    expect(after.kind).toBe('made');
    expect(before.kind === 'made' && after.kind === 'made' && before.key !== after.key).toBe(true);
    expect(await sharp(after.body).metadata()).toMatchObject({ width: 384, height: 192 });
    const shard = path.join(ownCache, a.id.slice(0, 2));
    const versions = async () => (await readdir(shard)).filter((f) => f.startsWith(a.id)).sort();
    const name = (t: typeof before) => `${a.id}-${t.kind === 'placeholder' ? '' : t.key}.webp`;
    // Writing never lists the shard folder: the old version stays until the sweep.
    expect(await versions()).toEqual([name(before), name(after)].sort());
    const everyIdLives = async (ids: readonly string[]) => new Set(ids);
    expect(await thumbs.prune(everyIdLives)).toBe(0); // under an hour old: may still be served
    const [threeHoursAgo, twoHoursAgo] = [new Date(Date.now() - 3 * 3600_000), new Date(Date.now() - 2 * 3600_000)];
    await utimes(path.join(shard, name(before)), threeHoursAgo, threeHoursAgo);
    await utimes(path.join(shard, name(after)), twoHoursAgo, twoHoursAgo);
    expect(await thumbs.prune(everyIdLives)).toBe(1);
    expect(await versions()).toEqual([name(after)]);
    expect((await thumbs.forAsset(a)).kind).toBe('hit');
  });

  it('runs one job for concurrent requests of the same thumbnail', async () => {
    const thumbs = service();
    await png('popular.png', 800, 800);
    const results = await Promise.all(Array.from({ length: 6 }, () => thumbs.forAsset(asset('popular.png'))));
    expect(results.every((r) => r.kind === 'made')).toBe(true);
    expect(thumbs.pool.stats()).toMatchObject({ started: 1, shared: 5 });
  });

  it('answers a placeholder for a corrupt image, and does not try to decode it again', async () => {
    const thumbs = service();
    const first = await thumbs.forAsset(asset('corrupt.png'));
    expect(first).toMatchObject({ kind: 'placeholder', reason: 'unreadable' });
    expect((await sharp(first.body).metadata()).format).toBe('webp');
    await thumbs.forAsset(asset('corrupt.png'));
    expect(thumbs.pool.stats().started).toBe(1);
  });

  it.skipIf(!hasFfmpeg)('makes a video poster from the first frame with ffmpeg', async () => {
    const thumb = await service().forAsset(asset('clip.mp4', { type: 'video', mimeType: 'video/mp4' }));
    expect(thumb.kind).toBe('made');
    const { data, info } = await sharp(thumb.body).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 320, height: 240 });
    expect(data[2]!).toBeGreaterThan(150); // blue
    expect(data[0]!).toBeLessThan(80);
  });

  it('answers a video placeholder, cached nowhere, when ffmpeg is absent', async () => {
    const ownCache = path.join(root, 'data', 'thumbs-no-ffmpeg');
    const thumbs = service({ cacheDir: ownCache, ffmpegPath: path.join(root, 'no-such-ffmpeg') });
    const thumb = await thumbs.forAsset(asset('clip.mp4', { type: 'video', mimeType: 'video/mp4' }));
    expect(thumb).toMatchObject({ kind: 'placeholder', reason: 'video' });
    expect((await sharp(thumb.body).metadata()).format).toBe('webp');
    expect(await readdir(ownCache).catch(() => [])).toEqual([]);
  });

  it("shows a site's screenshot, or a site placeholder without one", async () => {
    const thumbs = service();
    await png('site-shot.png', 1280, 800);
    const withShot = await thumbs.forAsset(asset('site/index.html', { type: 'site', mimeType: 'text/html', screenshot: 'site-shot.png' }));
    expect(withShot.kind).toBe('made');
    expect(await sharp(withShot.body).metadata()).toMatchObject({ width: 384, height: 240 });
    const without = await thumbs.forAsset(asset('site/index.html', { type: 'site', mimeType: 'text/html' }));
    expect(without).toMatchObject({ kind: 'placeholder', reason: 'site' });
  });

  it('refuses a file that resolves outside OUTPUT_PATH (symlink or ../) without decoding it', async () => {
    const thumbs = service();
    for (const rel of ['escape.png', '../outside.png']) {
      const err = await thumbs.forAsset(asset(rel)).catch((e: unknown) => e);
      expect(err, rel).toBeInstanceOf(HttpError);
      expect((err as HttpError).statusCode).toBe(403);
    }
    expect(thumbs.pool.stats().started).toBe(0);
  });

  it('refuses new work with PoolFullError beyond the queue cap', async () => {
    const thumbs = service({ concurrency: 1, maxQueued: 1 });
    await Promise.all(['q1.png', 'q2.png', 'q3.png'].map((f) => png(f, 4096, 4096)));
    const results = await Promise.allSettled(['q1.png', 'q2.png', 'q3.png'].map((f) => thumbs.forAsset(asset(f))));
    // which request is refused depends on which finishes locating its file last: exactly one is
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(PoolFullError);
  });

  it('prunes thumbnails of assets that are gone, once they are an hour old', async () => {
    const thumbs = service();
    const keep = asset('wide.png').id;
    await thumbs.forAsset(asset('wide.png'));
    await thumbs.forAsset(asset('popular.png'));
    const asked: string[][] = [];
    const liveOf = async (ids: readonly string[]) => {
      asked.push([...ids]);
      return new Set(ids.filter((id) => id === keep));
    };
    // Fresh: a worker may have filed it before the gallery recorded its output.
    expect(await thumbs.prune(liveOf)).toBe(0);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const shard of await readdir(cacheDir)) {
      for (const name of await readdir(path.join(cacheDir, shard))) await utimes(path.join(cacheDir, shard, name), twoHoursAgo, twoHoursAgo);
    }
    expect(await thumbs.prune(liveOf)).toBeGreaterThan(0);
    // One question per shard folder, each id once.
    expect(asked.every((ids) => new Set(ids).size === ids.length)).toBe(true);
    expect((await thumbs.forAsset(asset('wide.png'))).kind).toBe('hit');
    expect((await thumbs.forAsset(asset('popular.png'))).kind).toBe('made');
  });

  it('thumbnails a clip stored as animated WebP (a video asset in an image format) from its first frame with sharp', async () => {
    const frame = { width: 40, height: 30, channels: 3 as const, background: { r: 10, g: 120, b: 60 } };
    const frames = await Promise.all([0, 1, 2].map(() => sharp({ create: frame }).raw().toBuffer()));
    await sharp(Buffer.concat(frames), { raw: { width: 40, height: 90, channels: 3 } })
      .webp({ loop: 0, delay: [100, 100, 100] })
      .toFile(path.join(outputPath, 'clip.webp'));
    const noFfmpeg = service({ ffmpegPath: null });
    const thumb = await noFfmpeg.forAsset(asset('clip.webp', { type: 'video', mimeType: 'image/webp' }));
    expect(thumb.kind).toBe('made');
    expect(await sharp(thumb.body).metadata()).toMatchObject({ format: 'webp', width: 40 });
  });

  it('names the file version as mtime-size in base 36', () => {
    expect(thumbVersion(1234, 1700000000123.456)).toBe(`${(1700000000123).toString(36)}-${(1234).toString(36)}`);
  });
});
