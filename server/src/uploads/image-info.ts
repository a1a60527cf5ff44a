/*
 * The image types an upload may be, found from magic bytes, and their pixel size from the header
 * alone (PNG IHDR, WebP VP8/VP8L/VP8X, JPEG SOFn): no decoder ever sees an uploaded file here.
 */
import { sniffMediaType } from '../files/media-type.js';

export const UPLOAD_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;
export type UploadType = keyof typeof UPLOAD_TYPES;

/** Bytes the sniffer needs (WebP's `RIFF....WEBP` is the longest signature). */
export const SNIFF_BYTES = 16;

/** The upload type of a file from its first bytes, or null for anything else (GIF, SVG, HTML, …). */
export function sniffUploadType(head: Uint8Array): UploadType | null {
  const type = sniffMediaType(head);
  return type !== null && type in UPLOAD_TYPES ? (type as UploadType) : null;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

export interface ImageSize {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) => u16be(b, i) * 65536 + u16be(b, i + 2);
const ascii = (b: Uint8Array, i: number, text: string) => Array.from(text).every((c, k) => b[i + k] === c.charCodeAt(0));
const valid = (s: ImageSize): ImageSize | null => (s.width > 0 && s.height > 0 ? s : null);

/** Pixel size from the header; null when the header is not what the magic bytes promised. */
export async function imageSize(type: UploadType, read: ReadAt, fileSize: number): Promise<ImageSize | null> {
  if (type === 'image/png') {
    const b = await read(0, 24);
    return b.length >= 24 && ascii(b, 12, 'IHDR') ? valid({ width: u32be(b, 16), height: u32be(b, 20) }) : null;
  }
  if (type === 'image/webp') return webpSize(await read(0, 30));
  return jpegSize(read, fileSize);
}

function webpSize(b: Uint8Array): ImageSize | null {
  if (b.length < 30) return null;
  if (ascii(b, 12, 'VP8 ') && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return valid({ width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff });
  }
  if (ascii(b, 12, 'VP8L') && b[20] === 0x2f) {
    const [b1 = 0, b2 = 0, b3 = 0, b4 = 0] = [b[21], b[22], b[23], b[24]];
    return { width: 1 + (b1 | ((b2 & 0x3f) << 8)), height: 1 + ((b2 >> 6) | (b3 << 2) | ((b4 & 0x0f) << 10)) };
  }
  if (ascii(b, 12, 'VP8X')) return { width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
  return null;
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic) carry the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walks the marker segments (reading 9 bytes per segment, skipping their bodies) to the first SOFn. */
async function jpegSize(read: ReadAt, fileSize: number): Promise<ImageSize | null> {
  let pos = 2;
  for (let segments = 0; segments < 10_000 && pos + 4 <= fileSize; segments++) {
    const b = await read(pos, 9);
    if (b[0] !== 0xff) return null;
    const marker = b[1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / scan data before any frame header
    if (SOF.has(marker)) return b.length >= 9 ? valid({ height: u16be(b, 5), width: u16be(b, 7) }) : null;
    const length = u16be(b, 2);
    if (length < 2) return null;
    pos += 2 + length;
  }
  return null;
}
