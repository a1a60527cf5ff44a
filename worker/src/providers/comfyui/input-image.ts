import { readFile, readdir, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { AssetStore } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';

/*
 * The input image of an image-to-video job: an upload (DATA_PATH/uploads/<id>.<ext>) or a gallery asset
 * (its file under OUTPUT_PATH, through the AssetStore record), read and sent to the backend with
 * `POST /upload/image` (protocol §1.8). The returned name is what LoadImage takes.
 */

const ID = /^[A-Za-z0-9-]{1,64}$/;
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif']);
const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

export interface InputImage {
  bytes: Buffer;
  ext: string;
}

async function inside(base: string, path: string): Promise<string | null> {
  try {
    const [b, p] = await Promise.all([realpath(base), realpath(path)]);
    return p.startsWith(b.endsWith(sep) ? b : b + sep) ? p : null;
  } catch {
    return null;
  }
}

export async function resolveInputImage(id: string, o: { dataPath: string; outputPath: string; assets?: Pick<AssetStore, 'get'> }): Promise<InputImage> {
  if (!ID.test(id)) throw new JobFailure('invalid_input', `Input image id "${id}" is not an upload or asset id`);
  const uploads = join(o.dataPath, 'uploads');
  const names = await readdir(uploads).catch(() => [] as string[]);
  const upload = names.find((n) => n.startsWith(`${id}.`) && IMAGE_EXT.has(extname(n).toLowerCase()));
  let path: string | null = upload ? await inside(uploads, join(uploads, upload)) : null;
  if (!path && o.assets) {
    const asset = await o.assets.get(id).catch(() => null);
    if (asset && IMAGE_EXT.has(extname(asset.relPath).toLowerCase())) path = await inside(o.outputPath, join(o.outputPath, asset.relPath));
  }
  if (!path) throw new JobFailure('invalid_input', `Input image "${id}" is neither an upload nor an image in the gallery`);
  return { bytes: await readFile(path), ext: extname(path).toLowerCase() };
}

/** Sends the image to the backend's input folder; returns the name to bind to LoadImage. */
export async function uploadToBackend(baseUrl: string, name: string, image: InputImage, timeoutMs = 30_000): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image.bytes)], { type: MIME[image.ext] ?? 'application/octet-stream' }), `${name}${image.ext}`);
  form.append('type', 'input');
  form.append('overwrite', 'true');
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/upload/image`, { method: 'POST', body: form, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new JobFailure('backend_error', `Could not upload the input image to ${baseUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new JobFailure('backend_error', `ComfyUI refused the input image upload (HTTP ${res.status})`);
  const body = (await res.json().catch(() => ({}))) as { name?: unknown; subfolder?: unknown };
  if (typeof body.name !== 'string' || body.name === '') throw new JobFailure('backend_error', 'ComfyUI answered the upload without a file name');
  return typeof body.subfolder === 'string' && body.subfolder ? `${body.subfolder}/${body.name}` : body.name;
}
