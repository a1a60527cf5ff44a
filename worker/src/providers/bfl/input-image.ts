import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fluxInputImageKind, type AssetStore } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { resolveInside, sniffImage } from '../../cloud/files.js';

/*
 * `inputImage` of a FLUX request → the base64 string BFL takes (`input_image` for kontext,
 * `image_prompt` otherwise). An asset id is a gallery file: its record's relPath, resolved inside
 * OUTPUT_PATH. An upload id (a lowercase UUID) is the file `DATA_PATH/uploads/<id>.<png|jpg|webp>`
 * (the uploads route's layout; a bare `<id>` is accepted too). Either must really be a PNG, JPEG or WebP.
 */

/** Names an upload's file may have, in the order they are tried. */
export const UPLOAD_FILE_NAMES = (id: string) => [`${id}.png`, `${id}.jpg`, `${id}.webp`, `${id}.jpeg`, id];

async function findUpload(dir: string, id: string): Promise<string | null> {
  for (const name of UPLOAD_FILE_NAMES(id)) {
    const file = await resolveInside(dir, name);
    if (file) return file;
  }
  return null;
}

export const MAX_INPUT_IMAGE_BYTES = 20 * 1024 * 1024;

export interface InputImageRoots {
  assets: AssetStore;
  outputPath: string;
  dataPath: string;
}

export async function loadInputImage(id: string, roots: InputImageRoots): Promise<string> {
  let file: string | null;
  if (fluxInputImageKind(id) === 'asset') {
    const asset = await roots.assets.get(id);
    if (!asset) throw new JobFailure('invalid_input', `inputImage: there is no gallery asset with id ${id}`);
    file = await resolveInside(roots.outputPath, asset.relPath);
    if (!file) throw new JobFailure('invalid_input', `inputImage: the file of asset ${id} is gone from the output folder`);
  } else {
    file = await findUpload(path.join(roots.dataPath, 'uploads'), id);
    if (!file) throw new JobFailure('invalid_input', `inputImage: there is no upload with id ${id}`);
  }
  const info = await stat(file);
  if (!info.isFile()) throw new JobFailure('invalid_input', `inputImage: ${id} is not a file`);
  if (info.size > MAX_INPUT_IMAGE_BYTES) {
    throw new JobFailure('invalid_input', `inputImage: ${id} is larger than ${MAX_INPUT_IMAGE_BYTES / 1024 / 1024} MB`);
  }
  const bytes = await readFile(file);
  if (!sniffImage(bytes)) throw new JobFailure('invalid_input', `inputImage: ${id} is not a PNG, JPEG or WebP image`);
  return bytes.toString('base64');
}
