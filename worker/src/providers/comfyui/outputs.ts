import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
import type { ComfyHttpClient, HistoryEntry, ImageRef } from './http-client.js';
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

/** Output images of a history entry: type 'output' ones; 'temp' ones only when there is nothing else. */
export function outputImages(entry: HistoryEntry): ImageRef[] {
  const all: ImageRef[] = [];
  const seen = new Set<string>();
  for (const output of Object.values(entry.outputs ?? {})) {
    for (const img of Array.isArray(output?.images) ? output.images : []) {
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
  now?: Date;
  signal?: AbortSignal;
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.part`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export async function saveOutputs(o: SaveOutputsOptions): Promise<Asset[]> {
  const images = outputImages(o.entry);
  if (images.length === 0) throw new JobFailure('no_outputs', 'ComfyUI finished the prompt but reported no images');
  const now = o.now ?? new Date();
  const day = now.toISOString().slice(0, 10);
  const dir = join(o.outputPath, day);
  await mkdir(dir, { recursive: true });
  const createdAt = now.toISOString();
  const assets: Asset[] = [];
  for (const [i, image] of images.entries()) {
    const ext = (extname(image.filename) || '.png').toLowerCase();
    const fileName = `${o.jobId}_${i + 1}${ext}`;
    const relPath = `${day}/${fileName}`;
    const finalPath = join(dir, fileName);
    const tmp = join(dir, `.${fileName}.${randomBytes(4).toString('hex')}.part`);
    let size: number;
    try {
      try {
        await o.client.download(image, tmp, o.signal ? { signal: o.signal } : {});
      } catch (err) {
        throw httpFailure(err, `download of ${image.filename}`, o.backendId);
      }
      let bytes: Uint8Array = await readFile(tmp);
      if (isPng(bytes)) {
        bytes = writePngText(bytes, { orchestrator: JSON.stringify(o.meta) });
        await writeFile(tmp, bytes);
      }
      size = bytes.length;
      await rename(tmp, finalPath);
    } finally {
      await rm(tmp, { force: true });
    }
    const sidecar: AssetSidecar = { version: 1, createdAt, meta: o.meta };
    await writeAtomic(`${finalPath}.json`, JSON.stringify(sidecar, null, 2));
    const id = assetIdForPath(relPath);
    assets.push({
      id,
      type: MIME_BY_EXT[ext]?.startsWith('video/') ? 'video' : 'image',
      fileName,
      relPath,
      size,
      mimeType: MIME_BY_EXT[ext] ?? 'application/octet-stream',
      createdAt,
      ...assetUrls(id),
      meta: o.meta,
    });
  }
  return assets;
}
