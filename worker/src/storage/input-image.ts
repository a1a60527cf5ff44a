import { extname } from 'node:path';
import { MAX_INPUT_IMAGE_PIXELS, describePixels, inputImagePixelsOk, type AssetStore, type FileStore } from '@orchestrator/shared';
import { imageSize } from '../cloud/files.js';
import { JobFailure } from '../errors.js';

/*
 * A job's input image by id: an upload (`<id>.<png|jpg|webp|jpeg|gif>` in the server's uploads folder)
 * or a gallery asset (its file in OUTPUT_PATH, through its record). Read through the worker's stores,
 * so it works whether or not the worker shares the server's disk.
 */

const ID = /^[A-Za-z0-9-]{1,64}$/;
export const INPUT_IMAGE_EXTS = ['.png', '.jpg', '.webp', '.jpeg', '.gif'] as const;

export interface InputImage {
  bytes: Buffer;
  /** Lowercase, with its dot. */
  ext: string;
}

export interface InputImageSources {
  uploads: FileStore;
  output: FileStore;
  assets?: Pick<AssetStore, 'get'>;
}

/** The image, or null when `id` is neither an upload nor an image asset. Refuses files over `maxBytes`. */
export async function readInputImage(id: string, s: InputImageSources, maxBytes: number): Promise<InputImage | null> {
  if (!ID.test(id)) throw new JobFailure('invalid_input', `Input image id "${id}" is not an upload or asset id`);
  let found: { store: FileStore; rel: string } | null = null;
  for (const ext of INPUT_IMAGE_EXTS) {
    if ((await s.uploads.size(`${id}${ext}`)) !== null) {
      found = { store: s.uploads, rel: `${id}${ext}` };
      break;
    }
  }
  if (!found && s.assets) {
    const asset = await s.assets.get(id).catch(() => null);
    if (asset && (INPUT_IMAGE_EXTS as readonly string[]).includes(extname(asset.relPath).toLowerCase())) found = { store: s.output, rel: asset.relPath };
  }
  if (!found) return null;
  const size = await found.store.size(found.rel);
  if (size === null) return null;
  if (size > maxBytes) throw new JobFailure('invalid_input', `Input image ${id} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  const bytes = await found.store.read(found.rel);
  if (!bytes) return null;
  // Uploads were checked when they arrived; a gallery image (or an upload kept from before) may declare any size.
  const pixels = imageSize(bytes);
  if (pixels && !inputImagePixelsOk(pixels.width, pixels.height)) {
    throw new JobFailure('invalid_input', `Input image ${id} is ${describePixels(pixels.width, pixels.height)}; at most ${MAX_INPUT_IMAGE_PIXELS / 1e6} MP are accepted`);
  }
  return { bytes, ext: extname(found.rel).toLowerCase() };
}
