import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  assetIdForPath,
  assetUrls,
  claimOutputRelPath,
  isPng,
  pngSize,
  writeJpegComment,
  writePngText,
  type Asset,
  type AssetSidecar,
  type FileStore,
  type GenerationMeta,
} from '@orchestrator/shared';
import type { OutputThumbnails } from '../storage/output-thumbnails.js';

/*
 * File helpers for providers whose results arrive as bytes (BFL, v0): sniff the image type, resolve a
 * path safely inside a root, and write an output (+ sidecar) into OUTPUT_PATH as an Asset.
 */

export type ImageType = { ext: '.png' | '.jpg' | '.webp'; mime: string };

/** The image type from its first bytes, or null for anything else. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (isPng(bytes)) return { ext: '.png', mime: 'image/png' };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { ext: '.jpg', mime: 'image/jpeg' };
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length > 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { ext: '.webp', mime: 'image/webp' };
  return null;
}

/** Pixel size of a PNG or a JPEG (from its SOF marker); null when it cannot be read cheaply. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (isPng(bytes)) return pngSize(bytes);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let pos = 2;
  while (pos + 9 < bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    const marker = bytes[pos + 1]!;
    const len = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: (bytes[pos + 5]! << 8) | bytes[pos + 6]!, width: (bytes[pos + 7]! << 8) | bytes[pos + 8]! };
    pos += 2 + len;
  }
  return null;
}

/** `rel` inside `root` after following symlinks, or null (`..`, absolute paths, a link pointing away, nothing there). */
export async function resolveInside(root: string, rel: string): Promise<string | null> {
  if (rel === '' || rel.includes('\0') || path.isAbsolute(rel)) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.resolve(realRoot, rel));
    return real.startsWith(realRoot + path.sep) ? real : null;
  } catch {
    return null;
  }
}

export interface SaveOutputOptions {
  /** OUTPUT_PATH, as this worker reaches it. */
  store: FileStore;
  jobId: string;
  /** 1-based index of the output within the job, and how many outputs the job has (default 1). */
  index: number;
  count?: number;
  bytes: Uint8Array;
  type: ImageType;
  meta: GenerationMeta;
  /** Team mode: the job's owner, recorded in the sidecar and the asset. */
  owner?: string | undefined;
  /** When the job was created (its day names the file; default: now). */
  jobCreatedAt?: string;
  /** Where the output's thumbnail goes, made from these bytes (none: the server makes it when asked). */
  thumbnails?: OutputThumbnails;
  log?: Logger;
  now?: Date;
}

/**
 * Writes the output atomically under its human name (`<day>/<day>_<prompt-slug>_<seed>_<job>.<ext>`, see
 * shared/src/output-names.ts), our metadata in the file (a PNG text chunk, a JPEG `orchestrator:` comment,
 * so a file dropped back on the page brings its settings; WebP relies on the sidecar), and `<file>.json` beside it, first; then its thumbnail. Names depend only on the job, so a
 * retry rewrites the same files and gets the same asset ids.
 */
export async function saveOutput(o: SaveOutputOptions): Promise<Asset> {
  const now = o.now ?? new Date();
  const relPath = await claimOutputRelPath(o.store, {
    createdAt: o.jobCreatedAt ?? now,
    jobId: o.jobId,
    prompt: o.meta.prompt,
    seed: o.meta.seed,
    index: o.index,
    count: o.count ?? 1,
    ext: o.type.ext,
    fallback: 'image',
  });
  const fileName = relPath.slice(relPath.lastIndexOf('/') + 1);
  const bytes =
    o.type.ext === '.png'
      ? writePngText(o.bytes, { orchestrator: JSON.stringify(o.meta) })
      : o.type.ext === '.jpg'
        ? writeJpegComment(o.bytes, `orchestrator:${JSON.stringify(o.meta)}`)
        : o.bytes;
  const createdAt = now.toISOString();
  const owner = o.owner ? { owner: o.owner } : {};
  const sidecar: AssetSidecar = { version: 1, createdAt, meta: o.meta, ...owner };
  // Encoding the thumbnail runs while the file is written (or uploaded).
  const thumb = o.thumbnails?.begin({ bytes }, o.log);
  await o.store.write(`${relPath}.json`, JSON.stringify(sidecar, null, 2));
  try {
    await o.store.write(relPath, bytes);
  } catch (err) {
    await o.store.remove(`${relPath}.json`).catch(() => undefined);
    throw err;
  }
  await thumb?.finish(relPath);
  const id = assetIdForPath(relPath);
  return { id, type: 'image', fileName, relPath, size: bytes.length, mimeType: o.type.mime, createdAt, ...assetUrls(id), meta: o.meta, ...owner };
}
