import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Asset } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { WorkPool } from './thumbnail-pool.js';
import { placeholder, type PlaceholderKind } from './thumbnail-placeholder.js';
import { VideoPosters } from './video-poster.js';

/*
 * Thumbnails: WebP, 384 px on the long side, made by sharp in one decode, cached on disk under
 * `<cacheDir>/<first two hex of the asset id>/<asset id>-<content key>.webp`. The content key hashes the
 * recipe, the path, the size and the mtime, so a changed file gets a new thumbnail (and the old one is
 * deleted when the new one is written). Work runs in a bounded pool; see thumbnail-pool.ts.
 */

export const THUMB_SIZE = 384;
const THUMB_QUALITY = 75;
/** libwebp effort 2 of 6: half the encode time of the default 4 for the same size at 384 px. */
const THUMB_EFFORT = 2;
/** Part of every key: changing the size or quality here remakes every thumbnail. */
const RECIPE = `webp-${THUMB_SIZE}-q${THUMB_QUALITY}-e${THUMB_EFFORT}-1`;
/** 10,000 × 10,000: far above any generated image, far below what would exhaust memory. */
const MAX_INPUT_PIXELS = 100_000_000;
const MAX_REMEMBERED_FAILURES = 10_000;

export interface ThumbnailOptions {
  outputPath: string;
  /** Where thumbnails are cached (DATA_PATH/thumbs). */
  cacheDir: string;
  /** ffmpeg to run for video posters; null never runs one. Default: `ffmpeg` from PATH, if it runs. */
  ffmpegPath?: string | null;
  /** Jobs at once; default: one per core, at most 3 (sharp runs on libuv's pool of 4 threads). */
  concurrency?: number;
  /** Distinct thumbnails allowed to wait; beyond it callers get PoolFullError. */
  maxQueued?: number;
}

/** Where a thumbnail comes from, found without decoding anything (cheap enough for a 304). */
export type ThumbSource =
  | { kind: 'placeholder'; reason: PlaceholderKind }
  | { kind: 'file'; assetId: string; realPath: string; decoder: 'image' | 'video'; key: string; version: string; cacheFile: string };

export type Thumbnail =
  | { kind: 'hit' | 'made'; body: Buffer; key: string; version: string }
  | { kind: 'placeholder'; body: Buffer; reason: PlaceholderKind };

/** A short version of the file's identity: `?v=` with this value makes a thumbnail URL immutable. */
export function thumbVersion(size: number, mtimeMs: number): string {
  return `${Math.floor(mtimeMs).toString(36)}-${size.toString(36)}`;
}

export class ThumbnailService {
  readonly pool: WorkPool<Buffer | null>;
  private readonly posters: VideoPosters;
  private readonly failed = new Map<string, true>();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly options: ThumbnailOptions) {
    const cores = availableParallelism();
    const concurrency = options.concurrency ?? Math.max(1, Math.min(cores, 3));
    // One libvips thread per job (jobs run side by side), and no operation cache: every file is read
    // once, and the cache would only hold memory.
    sharp.concurrency(Math.max(1, Math.floor(cores / concurrency)));
    sharp.cache(false);
    this.pool = new WorkPool({ concurrency, maxQueued: options.maxQueued ?? 256 });
    this.posters = new VideoPosters(options.ffmpegPath === undefined ? 'ffmpeg' : options.ffmpegPath);
  }

  /** Finds the source of an asset's thumbnail. Throws 403/404 (HttpError) like the file route. */
  async locate(asset: Asset): Promise<ThumbSource> {
    let relPath = asset.relPath;
    // An animated WebP/GIF clip is a video asset in an image format: sharp reads its first frame.
    let decoder: 'image' | 'video' = asset.mimeType.startsWith('video/') ? 'video' : 'image';
    if (asset.type === 'site') {
      // A site's thumbnail is its screenshot (a path under OUTPUT_PATH, guarded like any other).
      if (!asset.screenshot) return { kind: 'placeholder', reason: 'site' };
      relPath = asset.screenshot;
      decoder = 'image';
    }
    const realPath = await resolveInside(this.options.outputPath, relPath);
    const st = await stat(realPath).catch(() => null);
    if (!st?.isFile()) throw new HttpError(404, 'not_found', 'No such file');
    const key = createHash('sha1').update(`${RECIPE}\0${relPath}\0${st.size}\0${st.mtimeMs}`).digest('hex');
    const cacheFile = path.join(this.options.cacheDir, asset.id.slice(0, 2), `${asset.id}-${key}.webp`);
    return { kind: 'file', assetId: asset.id, realPath, decoder, key, version: thumbVersion(st.size, st.mtimeMs), cacheFile };
  }

  /** The thumbnail of a located source: from the cache, or made in the pool (PoolFullError when full). */
  async render(source: ThumbSource, signal?: AbortSignal): Promise<Thumbnail> {
    if (source.kind === 'placeholder') return { kind: 'placeholder', reason: source.reason, body: await placeholder(source.reason) };
    const fallback: PlaceholderKind = source.decoder === 'video' ? 'video' : 'unreadable';
    if (this.failed.has(source.key)) return { kind: 'placeholder', reason: fallback, body: await placeholder(fallback) };
    const cached = await readFile(source.cacheFile).catch(() => null);
    if (cached) return { kind: 'hit', body: cached, key: source.key, version: source.version };
    const body = await this.pool.run(source.key, () => this.make(source), signal);
    if (!body) return { kind: 'placeholder', reason: fallback, body: await placeholder(fallback) };
    return { kind: 'made', body, key: source.key, version: source.version };
  }

  async forAsset(asset: Asset, signal?: AbortSignal): Promise<Thumbnail> {
    return this.render(await this.locate(asset), signal);
  }

  /** Null when only a placeholder can be shown (corrupt file, or a video without ffmpeg). */
  private async make(source: Extract<ThumbSource, { kind: 'file' }>): Promise<Buffer | null> {
    let input: string | Buffer = source.realPath;
    let body: Buffer;
    try {
      if (source.decoder === 'video') {
        const frame = await this.posters.firstFrame(source.realPath);
        if (!frame) return null; // no ffmpeg: not this file's fault, so not remembered as a failure
        input = frame;
      }
      body = await sharp(input, { failOn: 'none', limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true })
        .rotate()
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: THUMB_QUALITY, effort: THUMB_EFFORT })
        .toBuffer();
    } catch {
      this.rememberFailure(source.key);
      return null;
    }
    await this.store(source, body).catch(() => undefined); // a read-only cache still serves the thumbnail
    return body;
  }

  private rememberFailure(key: string): void {
    if (this.failed.size >= MAX_REMEMBERED_FAILURES) this.failed.delete(this.failed.keys().next().value!);
    this.failed.set(key, true);
  }

  /** Writes atomically (temp file + rename), then deletes the asset's thumbnails of older versions. */
  private async store(source: Extract<ThumbSource, { kind: 'file' }>, body: Buffer): Promise<void> {
    const dir = path.dirname(source.cacheFile);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const tmp = `${source.cacheFile}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, source.cacheFile);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      this.madeDirs.delete(dir);
      throw err;
    }
    const mine = path.basename(source.cacheFile);
    for (const name of await readdir(dir)) {
      if (name.startsWith(`${source.assetId}-`) && name.endsWith('.webp') && name !== mine) {
        await unlink(path.join(dir, name)).catch(() => undefined);
      }
    }
  }

  /**
   * Deletes cached thumbnails of assets that are gone (`isLive` says which ids still exist) and temp
   * files left by a crash. For a periodic sweep; returns how many files were deleted.
   */
  async prune(isLive: (assetId: string) => boolean | Promise<boolean>): Promise<number> {
    let deleted = 0;
    const shards = await readdir(this.options.cacheDir).catch(() => [] as string[]);
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const dir = path.join(this.options.cacheDir, shard);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const file = path.join(dir, name);
        if (await this.isStale(file, name, isLive)) deleted += await unlink(file).then(() => 1, () => 0);
      }
    }
    return deleted;
  }

  private async isStale(file: string, name: string, isLive: (assetId: string) => boolean | Promise<boolean>): Promise<boolean> {
    if (!name.endsWith('.tmp')) return !(await isLive(name.slice(0, 16)));
    const st = await stat(file).catch(() => null);
    return st !== null && Date.now() - st.mtimeMs > 3600_000;
  }
}
