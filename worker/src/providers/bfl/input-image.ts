import { MAX_INPUT_IMAGE_BYTES, fluxInputImageKind, type AssetStore, type FileStore } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { sniffImage } from '../../cloud/files.js';
import { readInputImage } from '../../storage/input-image.js';

/*
 * `inputImage` of a FLUX request → the base64 string BFL takes (`input_image` for kontext,
 * `image_prompt` otherwise): a gallery asset or an upload (storage/input-image.ts), which must really be
 * a PNG, JPEG or WebP within BFL's size limit (MAX_INPUT_IMAGE_BYTES, shared with the uploads route).
 */

export interface InputImageRoots {
  assets: AssetStore;
  output: FileStore;
  uploads: FileStore;
}

export async function loadInputImage(id: string, roots: InputImageRoots): Promise<string> {
  const kind = fluxInputImageKind(id);
  if (kind === 'asset' && !(await roots.assets.get(id))) throw new JobFailure('invalid_input', `inputImage: there is no gallery asset with id ${id}`);
  const image = await readInputImage(id, roots, MAX_INPUT_IMAGE_BYTES);
  if (!image) throw new JobFailure('invalid_input', kind === 'asset' ? `inputImage: the file of asset ${id} is gone from the output folder` : `inputImage: there is no upload with id ${id}`);
  if (!sniffImage(image.bytes)) throw new JobFailure('invalid_input', `inputImage: ${id} is not a PNG, JPEG or WebP image`);
  return image.bytes.toString('base64');
}
