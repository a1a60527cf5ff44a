/*
 * The image types an upload may be, found from magic bytes, and the check that the file really is one:
 * sharp reads its header (metadata only; nothing is decoded) and must agree on the type and find sane
 * dimensions within the input pixel limit. A PNG signature followed by HTML, a WebP that is only a
 * header, or a PNG declaring 50000×50000 never becomes an upload a job could take.
 */
import sharp, { type Metadata } from 'sharp';
import { MAX_INPUT_IMAGE_PIXELS, describePixels, inputImagePixelsOk } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { sniffMediaType } from '../files/media-type.js';

export const UPLOAD_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;
export type UploadType = keyof typeof UPLOAD_TYPES;

/** Bytes the sniffer needs (WebP's `RIFF....WEBP` is the longest signature). */
export const SNIFF_BYTES = 16;

/** sharp's name for each type's decoder. */
const SHARP_FORMAT: Record<UploadType, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };
const LABEL: Record<UploadType, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP' };

/** The upload type of a file from its first bytes, or null for anything else (GIF, SVG, HTML, …). */
export function sniffUploadType(head: Uint8Array): UploadType | null {
  const type = sniffMediaType(head);
  return type !== null && type in UPLOAD_TYPES ? (type as UploadType) : null;
}

export interface ImageSize {
  width: number;
  height: number;
}

const unreadableImage = (type: UploadType) =>
  new HttpError('unsupported_media_type', `The file starts like a ${LABEL[type]} image but is not one that can be read (cut short, or something else behind the signature)`);

const tooManyPixels = (size: ImageSize, maxPixels: number) =>
  new HttpError('image_too_large', `The image is ${describePixels(size.width, size.height)}; at most ${Math.round(maxPixels / 1e6)} MP are accepted`, {
    width: size.width,
    height: size.height,
    maxPixels,
  });

/**
 * Reads the header of `file` (already sniffed as `type`) with sharp: its pixel size, or a 415 for a
 * file sharp cannot read as that type and a 413 for one over `maxPixels`.
 */
export async function probeImage(file: string, type: UploadType, maxPixels = MAX_INPUT_IMAGE_PIXELS): Promise<ImageSize> {
  let meta: Metadata;
  try {
    // No pixel limit here: the header is all that is read, and the limit below says how much was declared.
    meta = await sharp(file, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch {
    throw unreadableImage(type);
  }
  // sharp opens the first frame of an animated WebP: the size of one frame, which is what a model takes.
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (meta.format !== SHARP_FORMAT[type] || !(width > 0 && height > 0)) throw unreadableImage(type);
  if (!inputImagePixelsOk(width, height, maxPixels)) throw tooManyPixels({ width, height }, maxPixels);
  return { width, height };
}
