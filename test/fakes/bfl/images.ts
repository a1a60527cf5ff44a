// Tiny, dependency-free image encoders so `result.sample` downloads are real files of the requested size:
// PNG (zlib.deflateSync + zlib.crc32), baseline JPEG (DC-only 8×8 blocks) and lossless WebP (VP8L, one colour).
import { crc32, deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];
export type OutputFormat = 'jpeg' | 'png' | 'webp';

export const CONTENT_TYPES: Record<OutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** A soft diagonal gradient tinted by `seed`, so different tasks give visibly different pictures. */
export function gradient(width: number, height: number, seed: number): (x: number, y: number) => Rgb {
  const tint = Math.abs(seed) % 256;
  return (x, y) => [Math.floor((x * 255) / Math.max(1, width - 1)), Math.floor((y * 255) / Math.max(1, height - 1)), tint];
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([head, body, crc]);
}

/** 8-bit RGB PNG; every row uses filter 1 (Sub), which makes gradients compress to almost nothing. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb, text: Record<string, string> = {}): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    raw[row] = 1;
    let pr = 0, pg = 0, pb = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = row + 1 + x * 3;
      raw[o] = (r - pr) & 0xff;
      raw[o + 1] = (g - pg) & 0xff;
      raw[o + 2] = (b - pb) & 0xff;
      pr = r; pg = g; pb = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  const texts = Object.entries(text).map(([k, v]) => pngChunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1')));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...texts,
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** MSB-first bit writer with JPEG 0xFF byte stuffing. */
class JpegBits {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n !== 0) this.put(1, 1); // pad with 1-bits
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, body: number[]): Buffer {
  const len = body.length + 2;
  return Buffer.from([0xff, marker, len >> 8, len & 0xff, ...body]);
}

/**
 * Baseline JPEG, 4:4:4 YCbCr, one flat colour per 8×8 block (DC coefficients only): a real, decodable file
 * of any size. Quantiser 8 everywhere, so DC = sample − 128; DC codes are 4-bit categories, AC is one EOB.
 */
export function encodeJpeg(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const bw = Math.ceil(width / 8), bh = Math.ceil(height / 8);
  const bits = new JpegBits();
  const prev = [0, 0, 0];
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const [r, g, b] = pixel(Math.min(width - 1, bx * 8 + 4), Math.min(height - 1, by * 8 + 4));
      const ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
      ];
      for (let c = 0; c < 3; c++) {
        const dc = Math.max(-128, Math.min(127, Math.round(ycc[c]! - 128)));
        const diff = dc - prev[c]!;
        prev[c] = dc;
        const cat = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
        bits.put(cat, 4);
        if (cat > 0) bits.put(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
        bits.put(0, 1); // EOB: every AC coefficient is zero
      }
    }
  }
  const dcBits = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const acBits = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0, ...new Array<number>(64).fill(8)]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
    segment(0xc4, [0x00, ...dcBits, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x10, ...acBits, 0x00]),
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** LSB-first bit writer (VP8L order). */
class LsbBits {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, bits: number): void {
    for (let i = 0; i < bits; i++) {
      this.acc |= ((value >> i) & 1) << this.n;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  finish(): Buffer {
    if (this.n > 0) this.bytes.push(this.acc);
    return Buffer.from(this.bytes);
  }
}

/** Lossless WebP of one flat colour: five single-symbol prefix codes, so the pixels cost zero bits. */
export function encodeWebp(width: number, height: number, [r, g, b]: Rgb): Buffer {
  const w = new LsbBits();
  w.put(0x2f, 8);
  w.put(width - 1, 14);
  w.put(height - 1, 14);
  w.put(0, 1); // alpha_is_used
  w.put(0, 3); // version
  w.put(0, 1); // no transform
  w.put(0, 1); // no colour cache
  w.put(0, 1); // no meta prefix codes
  for (const symbol of [g, r, b, 255]) {
    w.put(1, 1); // simple code
    w.put(0, 1); // one symbol
    w.put(1, 1); // 8-bit symbol
    w.put(symbol, 8);
  }
  w.put(1, 1); w.put(0, 1); w.put(0, 1); w.put(0, 1); // distance code: one 1-bit symbol 0
  let data = w.finish();
  const size = data.length;
  if (size % 2) data = Buffer.concat([data, Buffer.alloc(1)]);
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(12 + data.length, 4);
  head.write('WEBPVP8L', 8, 'latin1');
  head.writeUInt32LE(size, 16);
  return Buffer.concat([head, data]);
}

export function encodeImage(format: OutputFormat, width: number, height: number, seed: number, text: Record<string, string> = {}): Buffer {
  const px = gradient(width, height, seed);
  if (format === 'png') return encodePng(width, height, px, text);
  if (format === 'jpeg') return encodeJpeg(width, height, px);
  return encodeWebp(width, height, px(width >> 1, height >> 1));
}
