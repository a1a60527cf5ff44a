import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import {
  assetIdForPath,
  assetUrls,
  claimOutputRelPath,
  isPng,
  outputExt,
  writePngText,
  type Asset,
  type AssetSidecar,
  type FileStore,
  type GenerationMeta,
} from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import type { OutputThumbnails, PendingThumbnail } from '../../storage/output-thumbnails.js';
import { ComfyHttpError, type ComfyHttpClient, type HistoryEntry, type ImageRef } from './http-client.js';
import { httpFailure } from './errors.js';
import { withFileSize } from './output-meta.js';

/*
 * Brings a finished prompt's images home under human names, OUTPUT_PATH/<day>/<day>_<prompt-slug>_<seed>_
 * <job>[_<n>].<ext> (shared/src/output-names.ts; through the worker's output store: the shared disk, or the
 * server's storage API), with ComfyUI's own PNG chunks kept and ours (`orchestrator`) added, plus a
 * `<file>.json` sidecar, and the thumbnail of each made from the bytes in hand. Files appear atomically,
 * and the names depend only on the job (its creation day, not the day it is saved), so a retry rewrites
 * the same files and gets the same asset ids.
 */

const MIME_BY_EXT: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/**
 * Output files of a history entry (`images`, and `gifs` from VideoHelperSuite's video node): type 'output'
 * ones; 'temp' ones only when there is nothing else.
 */
export function outputImages(entry: HistoryEntry): ImageRef[] {
  const all: ImageRef[] = [];
  const seen = new Set<string>();
  for (const output of Object.values(entry.outputs ?? {})) {
    const files = [...(Array.isArray(output?.images) ? output.images : []), ...(Array.isArray(output?.gifs) ? output.gifs : [])];
    for (const img of files) {
      if (!img || typeof img.filename !== 'string') continue;
      const key = `${img.type}|${img.subfolder}|${img.filename}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({ filename: img.filename, subfolder: img.subfolder ?? '', type: img.type ?? 'output' });
    }
  }
  const saved = all.filter((i) => i.type === 'output');
  return saved.length > 0 ? saved : all.filter((i) => i.type === 'temp');
}

export interface SaveOutputsOptions {
  client: ComfyHttpClient;
  backendId: string;
  /** OUTPUT_PATH, as this worker reaches it. */
  store: FileStore;
  jobId: string;
  entry: HistoryEntry;
  meta: GenerationMeta;
  /** Team mode: the job's owner, recorded in the sidecar and the asset. */
  owner?: string | undefined;
  /** The prompt made a video (e.g. SVD's animated WebP): its files are 'video' assets with these facts. */
  video?: { frames: number; fps: number };
  /** When the job was created (its day names the files; default: now). */
  jobCreatedAt?: string;
  /** Where each output's thumbnail goes (none: the server makes them when asked). */
  thumbnails?: OutputThumbnails;
  log?: Logger;
  now?: Date;
  signal?: AbortSignal;
}

/** The first bytes of a file (enough for an image header). */
async function fileHead(path: string, n = 64 * 1024): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Brings one output to its place: a PNG through memory, as it gets our text chunk anyway (one download,
 * one write), anything else (video) streamed to a temp file and from there to the store; its thumbnail is
 * made meanwhile, from the same bytes, and filed once the output is stored. Returns its size.
 */
async function storeOutput(
  o: SaveOutputsOptions,
  image: ImageRef,
  ext: string,
  relPath: string,
  sidecarFor: (meta: GenerationMeta) => string,
): Promise<{ size: number; meta: GenerationMeta }> {
  const opts = o.signal ? { signal: o.signal } : {};
  let thumb: PendingThumbnail | undefined;
  try {
    if (ext !== '.png') {
      const dir = await mkdtemp(join(tmpdir(), 'orch-output-'));
      try {
        const tmp = join(dir, `output${ext}`);
        const { size } = await o.client.download(image, tmp, opts);
        // Issue 14: a WebP / JPEG's own size from its header (an MP4's is not read: the meta keeps the graph's).
        const meta = withFileSize(o.meta, await fileHead(tmp));
        if (meta !== o.meta) await o.store.write(`${relPath}.json`, sidecarFor(meta));
        thumb = o.thumbnails?.begin({ file: tmp, video: MIME_BY_EXT[ext]?.startsWith('video/') ?? false }, o.log);
        await o.store.writeFrom(relPath, tmp);
        await thumb?.finish(relPath);
        return { size, meta };
      } finally {
        // A thumbnail still reading the temp file (the write failed) is done with it first.
        await thumb?.settled();
        await rm(dir, { recursive: true, force: true });
      }
    }
    let bytes: Uint8Array = (await o.client.viewBytes(image, opts)).bytes;
    // Issue 14: the file's own size in its metadata (a graph may rescale); the sidecar is corrected before the file lands.
    const meta = withFileSize(o.meta, bytes);
    if (meta !== o.meta) await o.store.write(`${relPath}.json`, sidecarFor(meta));
    if (isPng(bytes)) bytes = writePngText(bytes, { orchestrator: JSON.stringify(meta) });
    thumb = o.thumbnails?.begin({ bytes }, o.log);
    await o.store.write(relPath, bytes);
    await thumb?.finish(relPath);
    return { size: bytes.length, meta };
  } catch (err) {
    if (err instanceof ComfyHttpError) throw httpFailure(err, `download of ${image.filename}`, o.backendId);
    throw err;
  }
}

export async function saveOutputs(o: SaveOutputsOptions): Promise<Asset[]> {
  const images = outputImages(o.entry);
  if (images.length === 0) throw new JobFailure('no_outputs', 'ComfyUI finished the prompt but reported no images');
  const now = o.now ?? new Date();
  const createdAt = now.toISOString();
  const owner = o.owner ? { owner: o.owner } : {};
  const sidecarFor = (meta: GenerationMeta) => JSON.stringify({ version: 1, createdAt, meta, ...owner } satisfies AssetSidecar, null, 2);
  const sidecar = sidecarFor(o.meta);
  const assets: Asset[] = [];
  /** Files written so far: a failure (a full disk) takes them all back, so a job's outputs appear all or none. */
  const written: string[] = [];
  for (const [i, image] of images.entries()) {
    const ext = outputExt(extname(image.filename) || '.png');
    const isVideo = Boolean(o.video || MIME_BY_EXT[ext]?.startsWith('video/'));
    const relPath = await claimOutputRelPath(o.store, {
      createdAt: o.jobCreatedAt ?? now,
      jobId: o.jobId,
      prompt: o.meta.prompt,
      seed: o.meta.seed,
      index: i + 1,
      count: images.length,
      ext,
      fallback: isVideo ? 'video' : 'image',
    }).catch(async (err: unknown) => {
      for (const rel of written.reverse()) await o.store.remove(rel).catch(() => undefined);
      throw err;
    });
    const fileName = relPath.slice(relPath.lastIndexOf('/') + 1);
    let stored: { size: number; meta: GenerationMeta };
    try {
      // The sidecar lands first: whoever sees the file appear (the gallery watcher) finds its metadata there.
      await o.store.write(`${relPath}.json`, sidecar);
      written.push(`${relPath}.json`);
      stored = await storeOutput(o, image, ext, relPath, sidecarFor);
      written.push(relPath);
    } catch (err) {
      for (const rel of written.reverse()) await o.store.remove(rel).catch(() => undefined);
      throw err;
    }
    const id = assetIdForPath(relPath);
    assets.push({
      id,
      type: isVideo ? 'video' : 'image',
      fileName,
      relPath,
      size: stored.size,
      mimeType: MIME_BY_EXT[ext] ?? 'application/octet-stream',
      createdAt,
      ...assetUrls(id),
      meta: stored.meta,
      ...owner,
      ...(o.video && ext === '.webp' ? { animated: true } : {}),
      ...(o.video && Number.isFinite(o.video.frames) ? { frames: o.video.frames } : {}),
      ...(o.video && Number.isFinite(o.video.fps) ? { fps: o.video.fps } : {}),
    });
  }
  return assets;
}
