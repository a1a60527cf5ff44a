// Minimal PNG encoder (8-bit RGB, filter 0) with tEXt chunks, plus a chunk reader.
// Large images are streamed row-block by row-block through zlib so memory stays bounded.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Fills `row` (length w*3) with the RGB pixels of row `y`. */
export type RowFn = (y: number, row: Buffer) => void;

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4, 8))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function ihdr(w: number, h: number): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d[8] = 8; // bit depth
  d[9] = 2; // colour type RGB
  d[10] = 0; // compression
  d[11] = 0; // filter
  d[12] = 0; // interlace
  return pngChunk('IHDR', d);
}

/** tEXt chunk; PIL's add_text stores latin-1 (our JSON is ASCII thanks to ensure_ascii). */
export function textChunk(key: string, text: string): Buffer {
  return pngChunk('tEXt', Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
}

const IEND = pngChunk('IEND', Buffer.alloc(0));

/** Encode a small image fully in memory (used for previews). */
export function encodePng(w: number, h: number, rowFn: RowFn, texts: Array<[string, string]> = [], level = 1): Buffer {
  const stride = w * 3 + 1;
  const raw = Buffer.alloc(stride * h);
  const row = Buffer.alloc(w * 3);
  for (let y = 0; y < h; y++) {
    rowFn(y, row);
    row.copy(raw, y * stride + 1);
  }
  const idat = pngChunk('IDAT', zlib.deflateSync(raw, { level }));
  return Buffer.concat([PNG_SIGNATURE, ihdr(w, h), ...texts.map(([k, v]) => textChunk(k, v)), idat, IEND]);
}

function* rowBlocks(w: number, h: number, rowFn: RowFn): Generator<Buffer> {
  const stride = w * 3 + 1;
  const rowsPerBlock = Math.max(1, Math.floor((256 * 1024) / stride));
  const row = Buffer.alloc(w * 3);
  for (let y0 = 0; y0 < h; y0 += rowsPerBlock) {
    const n = Math.min(rowsPerBlock, h - y0);
    const block = Buffer.alloc(n * stride);
    for (let i = 0; i < n; i++) {
      rowFn(y0 + i, row);
      row.copy(block, i * stride + 1);
    }
    yield block;
  }
}

/** Stream an RGB image to `file` as PNG; returns the number of bytes written. */
export async function writePng(
  file: string,
  w: number,
  h: number,
  rowFn: RowFn,
  texts: Array<[string, string]>,
  level: number,
): Promise<number> {
  const fh = await open(file, 'w');
  let written = 0;
  const put = async (b: Buffer): Promise<void> => {
    await fh.write(b);
    written += b.length;
  };
  try {
    await put(PNG_SIGNATURE);
    await put(ihdr(w, h));
    for (const [k, v] of texts) await put(textChunk(k, v));
    const deflate = zlib.createDeflate({ level });
    Readable.from(rowBlocks(w, h, rowFn)).pipe(deflate);
    for await (const c of deflate) await put(pngChunk('IDAT', c as Buffer));
    await put(IEND);
  } finally {
    await fh.close();
  }
  return written;
}

export interface PngChunk {
  type: string;
  data: Buffer;
}

/** Parse the chunk list of a PNG (throws on a bad signature). */
export function readPngChunks(buf: Buffer): PngChunk[] {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const out: PngChunk[] = [];
  let p = 8;
  while (p + 12 <= buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    out.push({ type, data: buf.subarray(p + 8, p + 8 + len) });
    p += 12 + len;
    if (type === 'IEND') break;
  }
  return out;
}

/** All tEXt chunks as key → text. */
export function readPngText(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of readPngChunks(buf)) {
    if (c.type !== 'tEXt') continue;
    const z = c.data.indexOf(0);
    out[c.data.toString('latin1', 0, z)] = c.data.toString('latin1', z + 1);
  }
  return out;
}
