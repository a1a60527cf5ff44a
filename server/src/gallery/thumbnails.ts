import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { VideoPosters, makeThumbnail, newestFirst, thumbCacheEntry, writeThumbnail, type Asset } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { WorkPool } from './thumbnail-pool.js';
import { placeholder, type PlaceholderKind } from './thumbnail-placeholder.js';
import type { LiveAssetIds, ThumbnailPruner } from './thumbnail-sweep.js';

/*
 * Thumbnails, as the recipe and the cache rule in shared/src/thumbnails say (WebP, 384 px on the long
 * side, one decode by sharp; cached on disk under `<cacheDir>/<id[0:2]>/<asset id>-<content key>.webp`,
 * the key hashing the recipe, path, size and mtime). The worker writes the thumbnails of its own outputs
 * there before their job completes, so this service makes them for everything else (files from
 * ComfyUI itself, copies, imports) or when the worker could not. Work runs in a bounded pool; see
 * thumbnail-pool.ts.
 */

export { THUMB_SIZE, thumbVersion } from '@orchestrator/shared';
const MAX_REMEMBERED_FAILURES = 10_000;

export interface ThumbnailOptions {
  outputPath: string;
  /** Where thumbnails are cached (DATA_PATH/thumbs). */
  cacheDir: string;
  /** ffmpeg to run for video posters; null never runs one. Default: `ffmpeg` from PATH, if it runs. */
  ffmpegPath?: string | null;
  /** Jobs at once; default: see defaultConcurrency. */
  concurrency?: number;
  /** Distinct thumbnails allowed to wait; beyond it callers get PoolFullError. */
  maxQueued?: number;
}

/**
 * One job more than there are cores (at most 4): a job also waits (reading the file, writing the cache,
 * handing work between libuv's and libvips' threads), and a core left idle meanwhile is throughput lost.
 * Each job gets one libvips thread: PNG decoding, the bulk of the work, is sequential anyway, and jobs
 * side by side use the cores better than one job split across them.
 */
function defaultConcurrency(cores: number): number {
  return Math.max(1, Math.min(cores + 1, 4));
}

/** Where a thumbnail comes from, found without decoding anything (cheap enough for a 304). */
export type ThumbSource =
  | { kind: 'placeholder'; reason: PlaceholderKind }
  | { kind: 'file'; assetId: string; realPath: string; decoder: 'image' | 'video'; key: string; version: string; cacheFile: string };

export type Thumbnail =
  | { kind: 'hit' | 'made'; body: Buffer; key: string; version: string }
  | { kind: 'placeholder'; body: Buffer; reason: PlaceholderKind };

export class ThumbnailService implements ThumbnailPruner {
  readonly pool: WorkPool<Buffer | null>;
  private readonly posters: VideoPosters;
  private readonly failed = new Map<string, true>();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly options: ThumbnailOptions) {
    const cores = availableParallelism();
    const concurrency = options.concurrency ?? defaultConcurrency(cores);
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
    if (!st?.isFile()) throw new HttpError('not_found', 'No such file');
    const entry = thumbCacheEntry(this.options.cacheDir, asset.id, relPath, st);
    return { kind: 'file', assetId: asset.id, realPath, decoder, key: entry.key, version: entry.version, cacheFile: entry.file };
  }

  /** The thumbnail of a located source: from the cache, or made in the pool (PoolFullError when full). */
  async render(source: ThumbSource, signal?: AbortSignal): Promise<Thumbnail> {
    if (source.kind === 'placeholder') return { kind: 'placeholder', reason: source.reason, body: await placeholder(source.reason) };
    const fallback: PlaceholderKind = source.decoder === 'video' ? 'video' : 'unreadable';
    // The cache first: a worker may have written the thumbnail of a file this process once failed to read.
    const cached = await readFile(source.cacheFile).catch(() => null);
    if (cached) return { kind: 'hit', body: cached, key: source.key, version: source.version };
    if (this.failed.has(source.key)) return { kind: 'placeholder', reason: fallback, body: await placeholder(fallback) };
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
      body = await makeThumbnail(input);
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

  /** Writes atomically (temp file + rename); older versions of the asset's thumbnail go in the sweep (prune). */
  private store(source: Extract<ThumbSource, { kind: 'file' }>, body: Buffer): Promise<void> {
    return writeThumbnail(source.cacheFile, body, this.madeDirs);
  }

  /**
   * Deletes, a shard folder at a time: thumbnails of assets that are gone, superseded versions (an asset
   * with several keeps its newest: a file changed in place got a new key), and temp files left by a crash.
   * `liveOf` answers which of a shard's asset ids still exist (one batch, not a call per file). Nothing
   * less than an hour old goes: a worker files an output's thumbnail before the gallery records the
   * output, and a version being superseded may still be served. For the periodic sweep; returns how many
   * files were deleted.
   */
  async prune(liveOf: LiveAssetIds): Promise<number> {
    let deleted = 0;
    const shards = await readdir(this.options.cacheDir).catch(() => [] as string[]);
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const dir = path.join(this.options.cacheDir, shard);
      const names = await readdir(dir).catch(() => [] as string[]);
      const byAsset = new Map<string, string[]>();
      for (const name of names) {
        if (!name.endsWith('.webp')) continue;
        const id = name.slice(0, 16);
        const versions = byAsset.get(id);
        if (versions) versions.push(path.join(dir, name));
        else byAsset.set(id, [path.join(dir, name)]);
      }
      const live = await liveOf([...byAsset.keys()]);
      const doomed = names.filter((n) => n.endsWith('.tmp')).map((n) => path.join(dir, n));
      for (const [id, versions] of byAsset) {
        if (!live.has(id)) doomed.push(...versions);
        else if (versions.length > 1) doomed.push(...(await newestFirst(versions)).slice(1));
      }
      for (const file of doomed) {
        const st = await stat(file).catch(() => null);
        if (st && Date.now() - st.mtimeMs > 3600_000) deleted += await unlink(file).then(() => 1, () => 0);
      }
    }
    return deleted;
  }
}

