import type { GenerationMeta } from '@orchestrator/shared';
import { imageSize } from '../../cloud/files.js';

/*
 * Issue 14: an output's metadata records the size the file really has. A graph may rescale (an
 * img2img input keeps its own size, a hires fix or an upscale enlarges, a custom graph does anything),
 * so the requested width × height is only a guess until the file is in hand.
 */

const u24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** A WebP's canvas size (VP8X, VP8L or VP8 first chunk: an animated WebP starts with VP8X), or null. */
export function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 30 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return { width: u24(b, 24) + 1, height: u24(b, 27) + 1 };
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: (b[26]! | (b[27]! << 8)) & 0x3fff, height: (b[28]! | (b[29]! << 8)) & 0x3fff };
  }
  return null;
}

/** The metadata with the file's own width and height (the same object when they already agree or cannot be read). */
export function withFileSize(meta: GenerationMeta, bytes: Uint8Array): GenerationMeta {
  const size = imageSize(bytes) ?? webpSize(bytes);
  if (!size || (meta.width === size.width && meta.height === size.height)) return meta;
  return { ...meta, width: size.width, height: size.height };
}
