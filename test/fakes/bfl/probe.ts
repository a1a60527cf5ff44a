// Reads the format and pixel size of a PNG, baseline JPEG or VP8L WebP, and checks PNG chunk CRCs
// (used by the tests to prove the fake serves real, well-formed images).
import { crc32, inflateSync } from 'node:zlib';

export interface Probe {
  format: 'png' | 'jpeg' | 'webp';
  width: number;
  height: number;
}

/** Full PNG check: signature, every chunk CRC, and that IDAT inflates to exactly height × (1 + 3·width) bytes. */
export function checkPng(buf: Buffer): { width: number; height: number; text: Record<string, string> } {
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0;
  const idat: Buffer[] = [];
  const text: Record<string, string> = {};
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if ((crc32(buf.subarray(off + 4, off + 8 + len)) >>> 0) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    if (type === 'tEXt') {
      const z = data.indexOf(0);
      text[data.toString('latin1', 0, z)] = data.toString('latin1', z + 1);
    }
    off += 12 + len;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (1 + 3 * width)) throw new Error('IDAT size does not match IHDR');
  return { width, height, text };
}

export function probe(buf: Buffer): Probe {
  if (buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') return { format: 'png', width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    let off = 2;
    while (off + 4 < buf.length && buf[off] === 0xff) {
      const marker = buf[off + 1]!;
      const len = buf.readUInt16BE(off + 2);
      if (marker === 0xc0) return { format: 'jpeg', height: buf.readUInt16BE(off + 5), width: buf.readUInt16BE(off + 7) };
      off += 2 + len;
    }
    throw new Error('JPEG without SOF0');
  }
  if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 16) === 'WEBPVP8L' && buf[20] === 0x2f) {
    const bits = buf.readUInt32LE(21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  throw new Error('unknown image format');
}
