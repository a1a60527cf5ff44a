import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import {
  assetIdForPath,
  assetUrls,
  isPng,
  writePngText,
  type Asset,
  type AssetSidecar,
  type FileStore,
  type GenerationMeta,
} from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { ComfyHttpError, type ComfyHttpClient, type HistoryEntry, type ImageRef } from './http-client.js';
import { httpFailure } from './errors.js';

/*
 * Brings a finished prompt's images home: OUTPUT_PATH/<yyyy-mm-dd>/<jobId>_<n>.<ext> (through the
 * worker's output store: the shared disk, or the server's storage API), with ComfyUI's own PNG chunks
 * kept and ours (`orchestrator`) added, plus a `<file>.json` sidecar. Files appear atomically, and the
 * names depend only on the job, so a retry rewrites the same files and gets the same asset ids.
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
  now?: Date;
  signal?: AbortSignal;
}

/**
 * Brings one output to its place: a PNG through memory, as it gets our text chunk anyway (one download,
 * one write), anything else (video) streamed to a temp file and from there to the store. Returns its size.
 */
async function storeOutput(o: SaveOutputsOptions, image: ImageRef, ext: string, relPath: string): Promise<number> {
  const opts = o.signal ? { signal: o.signal } : {};
  try {
    if (ext !== '.png') {
      const dir = await mkdtemp(join(tmpdir(), 'orch-output-'));
      try {
        const tmp = join(dir, `output${ext}`);
        const { size } = await o.client.download(image, tmp, opts);
        await o.store.writeFrom(relPath, tmp);
        return size;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    let bytes: Uint8Array = (await o.client.viewBytes(image, opts)).bytes;
    if (isPng(bytes)) bytes = writePngText(bytes, { orchestrator: JSON.stringify(o.meta) });
    await o.store.write(relPath, bytes);
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
  const createdAt = now.toISOString();
  const owner = o.owner ? { owner: o.owner } : {};
  const sidecar = JSON.stringify({ version: 1, createdAt, meta: o.meta, ...owner } satisfies AssetSidecar, null, 2);
  const assets: Asset[] = [];
  /** Files written so far: a failure (a full disk) takes them all back, so a job's outputs appear all or none. */
  const written: string[] = [];
  for (const [i, image] of images.entries()) {
    const ext = (extname(image.filename) || '.png').toLowerCase();
    const fileName = `${o.jobId}_${i + 1}${ext}`;
    const relPath = `${day}/${fileName}`;
    let size: number;
    try {
      // The sidecar lands first: whoever sees the file appear (the gallery watcher) finds its metadata there.
      await o.store.write(`${relPath}.json`, sidecar);
      written.push(`${relPath}.json`);
      size = await storeOutput(o, image, ext, relPath);
      written.push(relPath);
    } catch (err) {
      for (const rel of written.reverse()) await o.store.remove(rel).catch(() => undefined);
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
      ...owner,
      ...(o.video && ext === '.webp' ? { animated: true } : {}),
      ...(o.video && Number.isFinite(o.video.frames) ? { frames: o.video.frames } : {}),
      ...(o.video && Number.isFinite(o.video.fps) ? { fps: o.video.fps } : {}),
    });
  }
  return assets;
}
