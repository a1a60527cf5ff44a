import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join } from 'node:path';
import {
  assetIdForPath,
  assetUrls,
  isPng,
  writePngText,
  type Asset,
  type AssetSidecar,
  type GenerationMeta,
} from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { ComfyHttpError, type ComfyHttpClient, type HistoryEntry, type ImageRef } from './http-client.js';
import { httpFailure } from './errors.js';

/*
 * Brings a finished prompt's images home: OUTPUT_PATH/<yyyy-mm-dd>/<jobId>_<n>.<ext>, with ComfyUI's
 * own PNG chunks kept and ours (`orchestrator`) added, plus a `<file>.json` sidecar. Files appear
 * atomically (temp name, then rename), and the names depend only on the job, so a retry rewrites
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
  outputPath: string;
  jobId: string;
  entry: HistoryEntry;
  meta: GenerationMeta;
  /** The prompt made a video (e.g. SVD's animated WebP): its files are 'video' assets with these facts. */
  video?: { frames: number; fps: number };
  now?: Date;
  signal?: AbortSignal;
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.part`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Brings one output to `tmp`: a PNG through memory, as it gets our text chunk anyway (one download,
 * one write), anything else (video) streamed to disk. Returns the size written.
 */
async function fetchOutput(o: SaveOutputsOptions, image: ImageRef, ext: string, tmp: string, dirMade: Promise<unknown>): Promise<number> {
  const opts = o.signal ? { signal: o.signal } : {};
  try {
    if (ext !== '.png') {
      await dirMade;
      return (await o.client.download(image, tmp, opts)).size;
    }
    let bytes: Uint8Array = (await o.client.viewBytes(image, opts)).bytes;
    if (isPng(bytes)) bytes = writePngText(bytes, { orchestrator: JSON.stringify(o.meta) });
    await dirMade;
    await writeFile(tmp, bytes);
    return bytes.length;
  } catch (err) {
    if (err instanceof ComfyHttpError) throw httpFailure(err, `download of ${image.filename}`, o.backendId);
    throw err;
  }
}

export async function saveOutputs(o: SaveOutputsOptions): Promise<Asset[]> {
  const images = outputImages(o.entry);
  if (images.length === 0) throw new JobFailure('no_outputs', 'ComfyUI finished the prompt but reported no images');
  const now = o.now ?? new Date();
  const day = now.toISOString().slice(0, 10);
  const dir = join(o.outputPath, day);
  // Made while the first download runs; everything written into the folder waits for it.
  const dirMade = mkdir(dir, { recursive: true });
  dirMade.catch(() => undefined); // awaited below; a failure surfaces there
  const createdAt = now.toISOString();
  const sidecar = JSON.stringify({ version: 1, createdAt, meta: o.meta } satisfies AssetSidecar, null, 2);
  const assets: Asset[] = [];
  for (const [i, image] of images.entries()) {
    const ext = (extname(image.filename) || '.png').toLowerCase();
    const fileName = `${o.jobId}_${i + 1}${ext}`;
    const relPath = `${day}/${fileName}`;
    const finalPath = join(dir, fileName);
    const tmp = join(dir, `.${fileName}.${randomBytes(4).toString('hex')}.part`);
    // The sidecar is written while the file downloads, and lands first: whoever sees the file
    // appear (the gallery watcher) finds its metadata already there.
    const sidecarWritten = dirMade.then(() => writeAtomic(`${finalPath}.json`, sidecar));
    const [fetched, written] = await Promise.allSettled([fetchOutput(o, image, ext, tmp, dirMade), sidecarWritten]);
    const size = fetched.status === 'fulfilled' ? fetched.value : 0;
    try {
      if (fetched.status === 'rejected') throw fetched.reason;
      if (written.status === 'rejected') throw written.reason;
      await rename(tmp, finalPath);
    } catch (err) {
      await Promise.all([rm(tmp, { force: true }), rm(`${finalPath}.json`, { force: true })]);
      throw err;
    }
    const id = assetIdForPath(relPath);
    assets.push({
      id,
      type: o.video || MIME_BY_EXT[ext]?.startsWith('video/') ? 'video' : 'image',
      fileName,
      relPath,
      size,
      mimeType: MIME_BY_EXT[ext] ?? 'application/octet-stream',
      createdAt,
      ...assetUrls(id),
      meta: o.meta,
      ...(o.video && ext === '.webp' ? { animated: true } : {}),
      ...(o.video && Number.isFinite(o.video.frames) ? { frames: o.video.frames } : {}),
      ...(o.video && Number.isFinite(o.video.fps) ? { fps: o.video.fps } : {}),
    });
  }
  return assets;
}
