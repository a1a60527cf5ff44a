import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import {
  LocalFileStore,
  THUMB_RECIPE,
  s3ThumbRelPath,
  type S3FileStore,
  readStorageMark,
  safeRelPath,
  thumbAssetIdFor,
  thumbCacheEntry,
  writeThumbnail,
  type FileStore,
  type RedisKeys,
} from '@orchestrator/shared';
import type { HttpFileStore } from './http-file-store.js';

/*
 * Where the thumbnail of an output goes once the output is stored, decided like the outputs themselves
 * (worker-storage.ts): a worker that shares the server's OUTPUT_PATH *and* its thumbnail cache (the
 * server's mark is in DATA_PATH/thumbs as this worker sees it) files it there itself, under the key of
 * the file as its own stat sees it, which is the server's stat of the same file. Any other worker hands it
 * to the server's storage API, which files it (the key needs the server's size and mtime of the file).
 */

export interface ThumbnailSink {
  /** Files the thumbnail of the output at `relPath` (already stored; a site's screenshot files the site's). Throws when it cannot. */
  put(relPath: string, webp: Buffer): Promise<void>;
}

/** The server's thumbnail cache on this machine's disk. */
export class LocalThumbnailSink implements ThumbnailSink {
  readonly kind = 'shared disk';
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly output: LocalFileStore,
    private readonly cacheDir: string,
  ) {}

  async put(relPath: string, webp: Buffer): Promise<void> {
    // The file this worker has just written (no realpath walk: it is on the hot path of every job).
    const safe = safeRelPath(relPath);
    const st = safe ? await stat(path.join(this.output.root, ...safe.split('/'))).catch(() => null) : null;
    if (!st?.isFile()) throw new Error(`no output at ${relPath}`);
    const assetId = thumbAssetIdFor(relPath); // a site's screenshot: the site's thumbnail
    await writeThumbnail(thumbCacheEntry(this.cacheDir, assetId, relPath, st).file, webp, this.madeDirs);
  }
}

/** Through the server's storage API. */
export class RemoteThumbnailSink implements ThumbnailSink {
  readonly kind = 'uploads to server';
  constructor(private readonly remote: Pick<HttpFileStore, 'putThumbnail'>) {}

  put(relPath: string, webp: Buffer): Promise<void> {
    return this.remote.putThumbnail(relPath, webp, THUMB_RECIPE);
  }
}

export interface DecidingThumbnailSinkDeps {
  /** How this worker stores outputs, once decided (resolves to a LocalFileStore on a shared disk). */
  outputStore(): Promise<FileStore>;
  /** DATA_PATH/thumbs as this worker sees it. */
  cacheDir: string;
  redis: Redis;
  keys: RedisKeys;
  remote: Pick<HttpFileStore, 'putThumbnail'>;
}

/** Local when both the outputs and the cache are the server's; remote otherwise. Decided at the first thumbnail. */
export class DecidingThumbnailSink implements ThumbnailSink {
  private decided: Promise<LocalThumbnailSink | RemoteThumbnailSink> | null = null;

  constructor(private readonly d: DecidingThumbnailSinkDeps) {}

  /** The sink this worker uses (deciding it first). */
  sink(): Promise<LocalThumbnailSink | RemoteThumbnailSink> {
    this.decided ??= this.decide().catch((err: unknown) => {
      this.decided = null; // Redis hiccup: ask again next time
      throw err;
    });
    return this.decided;
  }

  async put(relPath: string, webp: Buffer): Promise<void> {
    return (await this.sink()).put(relPath, webp);
  }

  private async decide(): Promise<LocalThumbnailSink | RemoteThumbnailSink> {
    const output = await this.d.outputStore();
    if (output instanceof LocalFileStore) {
      const published = await this.d.redis.hget(this.d.keys.storage, 'thumbsMark');
      if (published && (await readStorageMark(this.d.cacheDir)) === published) return new LocalThumbnailSink(output, this.d.cacheDir);
    }
    return new RemoteThumbnailSink(this.d.remote);
  }
}

/** STORAGE=s3: the bucket's `thumbs/` folder, beside the output's own path (see s3ThumbRelPath). */
export class S3ThumbnailSink implements ThumbnailSink {
  readonly kind = 'object storage';
  constructor(private readonly thumbs: S3FileStore) {}

  put(relPath: string, webp: Buffer): Promise<void> {
    return this.thumbs.write(s3ThumbRelPath(thumbAssetIdFor(relPath)), webp);
  }
}
