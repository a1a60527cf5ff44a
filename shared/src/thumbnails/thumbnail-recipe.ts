import type { Sharp as SharpPipeline, SharpInput } from 'sharp';
import { withDecodedPng } from './png-fast-decode.js';

/*
 * How a thumbnail is made, in one place for the server (any file of the gallery, made when first asked
 * for) and the worker (its own outputs, made before the job completes, from the bytes it has in hand):
 * WebP, 384 px on the long side, one decode. The same recipe gives the same bytes whoever runs
 * it, and the recipe's name is part of every cache key (thumbnail-cache.ts), so changing anything here
 * remakes every thumbnail rather than mixing two looks.
 *
 * Speed (cold thumbnails of other files, ≥ 100/s on 2 cores): a 1024² PNG is ~2 MB of deflate whose
 * inflate alone is most of the ~20 ms of CPU a thumbnail costs; PNG has no reduced-size decode, so the
 * rest is kept small: the input is read sequentially (no random access, no full-image cache), JPEG and
 * WebP are decoded already shrunk by their decoders (shrink-on-load, `fastShrinkOnLoad`), corrupt input is
 * decoded as far as it goes rather than refused (`failOn: 'none'`, which also skips libpng's checksums),
 * the reduction uses the Mitchell kernel (a 2.7× reduction reads ~11 source pixels per output pixel
 * against ~16 for the default Lanczos-3; a touch softer, without its ringing), and libwebp runs at
 * effort 0 (thumbnails of a few KB, ~10 % larger than at effort 1). A plain 8-bit PNG file is decoded by
 * the native decoder (png-fast-decode.ts: libdeflate inflates in about half of zlib-ng's time) into the
 * same pixels sharp would produce, and sharp shrinks and encodes them. Measured on the same machine in
 * the same run (`npm run bench -- thumbs` prints both): about a third less CPU per thumbnail than the
 * former recipe (Lanczos-3, effort 2, sharp's PNG decoder). sharp is loaded on first use: processes
 * that never make a thumbnail never load libvips.
 */

export const THUMB_SIZE = 384;
export const THUMB_QUALITY = 75;
export const THUMB_EFFORT = 0;
export const THUMB_KERNEL = 'mitchell';
/** Part of every cache key: a thumbnail made by another recipe is never taken for one of this one. */
export const THUMB_RECIPE = `webp-${THUMB_SIZE}-q${THUMB_QUALITY}-e${THUMB_EFFORT}-${THUMB_KERNEL}-3`;
/** 10,000 × 10,000: far above any generated image, far below what would exhaust memory. */
export const THUMB_MAX_INPUT_PIXELS = 100_000_000;
/** A thumbnail larger than this is not one of ours (384 px WebP at q75 is tens of KB). */
export const THUMB_MAX_BYTES = 2 * 1024 * 1024;

type Sharp = typeof import('sharp').default;
let loaded: Promise<Sharp> | null = null;

/** sharp, loaded once, with its operation cache off: every file is read once, a cache would only hold memory. */
export function loadSharp(): Promise<Sharp> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  });
  return loaded;
}

/**
 * The thumbnail of an image (a path, or its bytes): its first frame for an animated WebP/GIF, turned
 * upright by its EXIF orientation. Throws when nothing can be decoded.
 */
export async function makeThumbnail(input: string | Exclude<SharpInput, string>): Promise<Buffer> {
  const sharp = await loadSharp();
  const shrink = (image: SharpPipeline) =>
    image
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', kernel: THUMB_KERNEL, withoutEnlargement: true, fastShrinkOnLoad: true })
      .webp({ quality: THUMB_QUALITY, effort: THUMB_EFFORT })
      .toBuffer();
  if (typeof input === 'string' && /\.png$/i.test(input)) {
    // The same pixels as sharp's own decode, so the same thumbnail bytes (png-fast-decode.test.ts).
    const made = await withDecodedPng(input, THUMB_MAX_INPUT_PIXELS, ({ data, ...raw }) => shrink(sharp(data, { raw })));
    if (made) return made;
  }
  return shrink(sharp(input, { failOn: 'none', limitInputPixels: THUMB_MAX_INPUT_PIXELS, sequentialRead: true, autoOrient: true }));
}

/** Whether bytes look like a WebP file (RIFF….WEBP), as a thumbnail handed over by a worker must. */
export function isWebp(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
}
