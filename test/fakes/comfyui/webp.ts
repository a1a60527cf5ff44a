// Tiny WebP writer: lossless VP8L bitstreams with fixed 8-bit prefix codes (no compression,
// but valid), wrapped as a still image (VP8X + VP8L + EXIF) or an animation (VP8X + ANIM +
// ANMF frames + EXIF), like Pillow's output for ComfyUI's SaveAnimatedWEBP.
import { open } from 'node:fs/promises';
import type { RowFn } from './png.js';

class BitWriter {
  private buf: Buffer;
  private pos = 0;
  private acc = 0;
  private nbits = 0;
  constructor(capacity: number) {
    this.buf = Buffer.alloc(capacity);
  }
  write(value: number, bits: number): void {
    this.acc |= (value & ((1 << bits) - 1)) << this.nbits;
    this.nbits += bits;
    while (this.nbits >= 8) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.nbits -= 8;
    }
  }
  finish(): Buffer {
    if (this.nbits > 0) this.buf[this.pos++] = this.acc & 0xff;
    this.acc = 0;
    this.nbits = 0;
    return this.buf.subarray(0, this.pos);
  }
}

const REV8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 1 << (7 - b);
  REV8[i] = r;
}

/** Normal prefix code where symbols [0, 256) have length 8 and the rest (up to `alphabet`) are unused. */
function writeFlat8Code(bw: BitWriter, alphabet: number): void {
  bw.write(0, 1); // normal (not simple) code
  bw.write(12 - 4, 4); // 12 code-length-code lengths, order 17,18,0,1,2,3,4,5,16,6,7,8
  const lens = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]; // symbols 0 and 8 get 1-bit codes ("0", "1")
  for (const l of lens) bw.write(l, 3);
  bw.write(0, 1); // max_symbol = alphabet size
  for (let s = 0; s < alphabet; s++) bw.write(s < 256 ? 1 : 0, 1);
}

/** Simple prefix code with a single symbol (costs zero bits per use). */
function writeSingleSymbolCode(bw: BitWriter, symbol: number): void {
  bw.write(1, 1); // simple
  bw.write(0, 1); // one symbol
  if (symbol > 1) {
    bw.write(1, 1);
    bw.write(symbol, 8);
  } else {
    bw.write(0, 1);
    bw.write(symbol, 1);
  }
}

/** VP8L bitstream (without chunk header) for an opaque RGB image. */
export function encodeVp8l(w: number, h: number, rowFn: RowFn): Buffer {
  const bw = new BitWriter(Math.ceil((w * h * 24 + 2000) / 8) + 16);
  bw.write(0x2f, 8);
  bw.write(w - 1, 14);
  bw.write(h - 1, 14);
  bw.write(0, 1); // alpha_is_used
  bw.write(0, 3); // version
  bw.write(0, 1); // no transform
  bw.write(0, 1); // no colour cache
  bw.write(0, 1); // no meta prefix codes
  writeFlat8Code(bw, 256 + 24); // green + length prefixes
  writeFlat8Code(bw, 256); // red
  writeFlat8Code(bw, 256); // blue
  writeSingleSymbolCode(bw, 255); // alpha
  writeSingleSymbolCode(bw, 0); // distance
  const row = Buffer.alloc(w * 3);
  for (let y = 0; y < h; y++) {
    rowFn(y, row);
    for (let x = 0; x < w; x++) {
      bw.write(REV8[row[x * 3 + 1]!]!, 8);
      bw.write(REV8[row[x * 3]!]!, 8);
      bw.write(REV8[row[x * 3 + 2]!]!, 8);
    }
  }
  return bw.finish();
}

function riffChunk(tag: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(tag, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return data.length % 2 ? Buffer.concat([head, data, Buffer.alloc(1)]) : Buffer.concat([head, data]);
}

function u24(b: Buffer, off: number, v: number): void {
  b.writeUIntLE(v, off, 3);
}

/** Little-endian TIFF/EXIF block with ASCII IFD0 tags (sorted by tag id). */
export function buildExif(tags: Array<[number, string]>): Buffer {
  const sorted = [...tags].sort((a, b) => a[0] - b[0]);
  const n = sorted.length;
  const ifdSize = 2 + n * 12 + 4;
  const header = Buffer.alloc(8 + ifdSize);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(n, 8);
  const datas: Buffer[] = [];
  let dataOff = 8 + ifdSize;
  sorted.forEach(([tag, text], i) => {
    const bytes = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([0])]);
    const e = 10 + i * 12;
    header.writeUInt16LE(tag, e);
    header.writeUInt16LE(2, e + 2); // ASCII
    header.writeUInt32LE(bytes.length, e + 4);
    if (bytes.length <= 4) bytes.copy(header, e + 8);
    else {
      header.writeUInt32LE(dataOff, e + 8);
      const padded = bytes.length % 2 ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
      datas.push(padded);
      dataOff += padded.length;
    }
  });
  return Buffer.concat([header, ...datas]);
}

/**
 * Write a WebP with `frames` frames of w×h (one frame → still image). Frames are encoded one
 * at a time so at most one frame's bitstream is in memory.
 */
export async function writeWebp(
  file: string,
  w: number,
  h: number,
  frames: number,
  frameRowFn: (frame: number) => RowFn,
  durationMs: number,
  exif: Buffer | null,
): Promise<void> {
  const animated = frames > 1;
  const vp8x = Buffer.alloc(10);
  vp8x[0] = (animated ? 0x02 : 0) | (exif ? 0x08 : 0);
  u24(vp8x, 4, w - 1);
  u24(vp8x, 7, h - 1);
  const frameLen = (b: Buffer): number => 8 + b.length + (b.length % 2);
  const first = encodeVp8l(w, h, frameRowFn(0)); // every frame has the same bitstream length
  const perFrame = animated ? 8 + 16 + frameLen(first) : frameLen(first);
  const total =
    4 + frameLen(vp8x) + (animated ? frameLen(Buffer.alloc(6)) : 0) + perFrame * frames + (exif ? frameLen(exif) : 0);
  const fh = await open(file, 'w');
  try {
    const riff = Buffer.alloc(12);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(total, 4);
    riff.write('WEBP', 8, 'latin1');
    await fh.write(riff);
    await fh.write(riffChunk('VP8X', vp8x));
    if (animated) {
      const anim = Buffer.alloc(6); // background 0 (BGRA), loop count 0 = forever
      await fh.write(riffChunk('ANIM', anim));
    }
    for (let f = 0; f < frames; f++) {
      const bits = f === 0 ? first : encodeVp8l(w, h, frameRowFn(f));
      const vp8l = riffChunk('VP8L', bits);
      if (!animated) {
        await fh.write(vp8l);
        continue;
      }
      const hdr = Buffer.alloc(16);
      u24(hdr, 6, w - 1);
      u24(hdr, 9, h - 1);
      u24(hdr, 12, Math.max(0, Math.min(0xffffff, durationMs)));
      hdr[15] = 0;
      await fh.write(riffChunk('ANMF', Buffer.concat([hdr, vp8l])));
    }
    if (exif) await fh.write(riffChunk('EXIF', exif));
  } finally {
    await fh.close();
  }
}
