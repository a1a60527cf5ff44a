import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/*
 * The native PNG decoder (shared/native/png-decode.c, built by scripts/build-native.mjs): a plain 8-bit
 * PNG file to raw pixels, with libdeflate's inflate, about half of sharp's CPU for the decode. It answers
 * null for anything it does not decode exactly as sharp would (see the C file); the recipe then uses
 * sharp. Missing (no compiler, no libdeflate), everything goes to sharp.
 *
 * The pixels are written into buffers kept here and reused: fresh memory costs a page fault per 4 KB,
 * which on a virtual machine is a large part of a decode.
 */

export interface RawImage {
  /** Rows of width × channels bytes, top to bottom, no padding. */
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

type DecodeResult = { width: number; height: number; channels: number } | { needed: number } | null;

interface PngAddon {
  available: boolean;
  decodeInto(file: string, maxPixels: number, target: Buffer): Promise<DecodeResult>;
}

const ADDON_PATH = fileURLToPath(new URL('../../native/build/png-decode.node', import.meta.url));
/** Buffers kept for reuse (as many as thumbnails made at once), and the largest kept: a rare huge image does not pin its memory. */
const POOL_SIZE = 4;
const POOLED_MAX_BYTES = 16 * 1024 * 1024;

let addon: PngAddon | null | undefined;
let unavailableReason = '';
const pool: Buffer[] = [];

function isAddon(value: unknown): value is PngAddon {
  const v = value as Partial<PngAddon> | null;
  return typeof v === 'object' && v !== null && typeof v.available === 'boolean' && typeof v.decodeInto === 'function';
}

function loadAddon(): PngAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  try {
    const loaded: unknown = createRequire(import.meta.url)(ADDON_PATH);
    if (!isAddon(loaded)) unavailableReason = `${ADDON_PATH} is not this project's decoder`;
    else if (!loaded.available) unavailableReason = 'libdeflate (libdeflate.so.0) is not installed';
    else addon = loaded;
  } catch (err) {
    unavailableReason = `not built (${(err as Error).message.split('\n')[0]})`;
  }
  return addon;
}

/** Which decoder PNG thumbnails use, for the logs and the benchmark. */
export function pngDecoder(): { native: boolean; reason: string } {
  return loadAddon() ? { native: true, reason: 'libdeflate' } : { native: false, reason: unavailableReason };
}

function release(buffer: Buffer): void {
  if (buffer.length > 0 && buffer.length <= POOLED_MAX_BYTES && pool.length < POOL_SIZE) pool.push(buffer);
}

/**
 * Decodes a PNG file and hands its pixels to `use`; the buffer is reused once `use` settles, so `use`
 * must be done with the pixels by then. Null, without calling `use`, when the native decoder is missing
 * or this file is not one it decodes (the caller uses sharp).
 */
export async function withDecodedPng<T>(file: string, maxPixels: number, use: (image: RawImage) => Promise<T>): Promise<T | null> {
  const png = loadAddon();
  if (!png) return null;
  let target = pool.pop() ?? Buffer.alloc(0);
  try {
    let result = await png.decodeInto(file, maxPixels, target);
    if (result && 'needed' in result) {
      release(target);
      target = Buffer.allocUnsafeSlow(result.needed);
      result = await png.decodeInto(file, maxPixels, target);
    }
    if (!result || 'needed' in result) return null;
    const { width, height, channels } = result;
    if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) return null;
    return await use({ data: target.subarray(0, width * height * channels), width, height, channels });
  } finally {
    release(target);
  }
}
