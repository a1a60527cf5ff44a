import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { assetIdForPath } from '../assets.js';
import { SITES_DIR, isV0Id, siteAssetId } from '../sites.js';
import { THUMB_RECIPE } from './thumbnail-recipe.js';
import { writeAtomic } from '../write-atomic.js';

/*
 * Where a thumbnail is cached, for whoever writes it (the server when asked for one, the worker for its
 * own outputs, the server again for a worker that hands one over) and whoever reads it (the thumb route,
 * the trash view): `<DATA_PATH>/thumbs/<first two hex of the asset id>/<asset id>-<content key>.webp`.
 * The content key hashes the recipe, the path, the size and the mtime of the file, so a changed file gets
 * a new thumbnail and finding one needs a stat, never a decode. A file changed in place leaves its older
 * thumbnail behind until the server's periodic sweep (thumbnail-sweep.ts) deletes superseded versions:
 * looking for them on every write would list a shard folder of thousands of names per thumbnail.
 */

/** The cache folder, under DATA_PATH. */
export const THUMBS_FOLDER = 'thumbs';

const SCREENSHOT = new RegExp(`^${SITES_DIR}/([^/]+)/\\.screenshots/([^/]+)\\.[a-z0-9]+$`);

/**
 * The asset whose thumbnail the file at `relPath` is: its own, or for a site's screenshot
 * (`sites/<chat>/.screenshots/<version>.<ext>`) the site's, whose thumbnail that screenshot is.
 */
export function thumbAssetIdFor(relPath: string): string {
  const shot = SCREENSHOT.exec(relPath);
  return shot && isV0Id(shot[1]!) && isV0Id(shot[2]!) ? siteAssetId(shot[1]!) : assetIdForPath(relPath);
}

/** The content key of a file's thumbnail (40 hex). `mtimeMs` as fs.stat gives it (fractional ms included). */
export function thumbCacheKey(relPath: string, size: number, mtimeMs: number): string {
  return createHash('sha1').update(`${THUMB_RECIPE}\0${relPath}\0${size}\0${mtimeMs}`).digest('hex');
}

/** The cache file of an asset's thumbnail of that key. */
export function thumbCacheFile(cacheDir: string, assetId: string, key: string): string {
  return path.join(cacheDir, assetId.slice(0, 2), `${assetId}-${key}.webp`);
}

/** A short version of the file's identity: `?v=` with this value makes a thumbnail URL immutable. */
export function thumbVersion(size: number, mtimeMs: number): string {
  return `${Math.floor(mtimeMs).toString(36)}-${size.toString(36)}`;
}

export interface ThumbCacheEntry {
  key: string;
  /** The cache file. */
  file: string;
  /** thumbVersion of the source file. */
  version: string;
}

/** Everything the cache rule says about the thumbnail of asset `assetId`, the file at `relPath` under OUTPUT_PATH as fs.stat sees it. */
export function thumbCacheEntry(cacheDir: string, assetId: string, relPath: string, st: { size: number; mtimeMs: number }): ThumbCacheEntry {
  const key = thumbCacheKey(relPath, st.size, st.mtimeMs);
  return { key, file: thumbCacheFile(cacheDir, assetId, key), version: thumbVersion(st.size, st.mtimeMs) };
}

/**
 * Writes a thumbnail atomically (temp file + rename: a reader sees none or all of it). `madeDirs` remembers
 * shard folders already made (a hot path on the server); pass none to always make sure.
 */
export async function writeThumbnail(cacheFile: string, body: Uint8Array, madeDirs?: Set<string>): Promise<void> {
  const dir = path.dirname(cacheFile);
  if (!madeDirs?.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  try {
    await writeAtomic(cacheFile, body, '.tmp'); // the sweep (server/src/gallery/thumbnails.ts) deletes stale `*.tmp`
  } catch (err) {
    madeDirs?.delete(dir);
    throw err;
  }
}

/** Cache files (paths) ordered newest first by mtime: the current version of an asset's thumbnail leads. */
export async function newestFirst(files: readonly string[]): Promise<string[]> {
  if (files.length < 2) return [...files];
  const dated = await Promise.all(files.map(async (file) => ({ file, mtime: (await stat(file).catch(() => null))?.mtimeMs ?? 0 })));
  return dated.sort((a, b) => b.mtime - a.mtime).map((d) => d.file);
}
