/*
 * Image facts from the file's structure, without decoding pixels: size, animation and the text that
 * carries generation metadata (as a chunk map for metaFromPngText). Works from the first bytes of the
 * file and reads further, chunk header by chunk header, only where the format requires it (a WebP's
 * EXIF comes after its frames; a PNG whose text was written after IDAT). A damaged file yields what
 * could be read before the damage; nothing here throws on bad input.
 */
import { inflateSync } from 'node:zlib';
import { comfyExifToText, isPng, pngSize } from '@orchestrator/shared';
import { readExifText } from './exif.js';

export interface ByteSource {
  size: number;
  /** The first bytes of the file (up to HEAD_BYTES). */
  head: Uint8Array;
  /** Bytes at `pos` (fewer at the end of the file). */
  read(pos: number, length: number): Promise<Uint8Array>;
}

export interface ImageFacts {
  width?: number;
  height?: number;
  animated?: boolean;
  frames?: number;
  durationMs?: number;
  /** Text in PNG-chunk form (`prompt`, `parameters`, `orchestrator`, …). */
  text: Record<string, string>;
}

export const HEAD_BYTES = 64 * 1024;
const MAX_CHUNKS = 20_000;
const MAX_TEXT_BYTES = 8 * 1024 * 1024;
const META_KEYS = ['orchestrator', 'prompt', 'parameters'];
const latin1 = new TextDecoder('latin1');

async function bytesAt(src: ByteSource, pos: number, len: number): Promise<Uint8Array> {
  if (pos + len <= src.head.length) return src.head.subarray(pos, pos + len);
  return src.read(pos, len);
}
const fourcc = (b: Uint8Array, at = 0) => latin1.decode(b.subarray(at, at + 4));
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u32le = (b: Uint8Array, at: number) => ((b[at + 3]! << 24) >>> 0) + (b[at + 2]! << 16) + (b[at + 1]! << 8) + b[at]!;

/** A1111 infotext or ComfyUI EXIF strings as a chunk map. */
function textFromExif(tiff: Uint8Array, into: Record<string, string>): void {
  const exif = readExifText(tiff);
  Object.assign(into, comfyExifToText(exif.ascii), { ...into });
  const comment = exif.userComment?.trim();
  if (comment && !comment.startsWith('{') && !('parameters' in into)) into.parameters = comment;
}

async function probePng(src: ByteSource): Promise<ImageFacts> {
  const facts: ImageFacts = { text: {}, ...(pngSize(src.head) ?? {}) };
  const textChunks: Uint8Array[] = [];
  let pos = 8;
  let found = false;
  for (let n = 0; n < MAX_CHUNKS && pos + 12 <= src.size; n++) {
    const hdr = await bytesAt(src, pos, 8);
    if (hdr.length < 8) break;
    const len = u32be(hdr, 0);
    const type = fourcc(hdr, 4);
    if (pos + 12 + len > src.size) break; // truncated: keep what came before
    if ((type === 'tEXt' || type === 'iTXt' || type === 'zTXt') && len <= MAX_TEXT_BYTES) {
      const chunk = await bytesAt(src, pos, 12 + len);
      textChunks.push(chunk);
      found ||= META_KEYS.includes(latin1.decode(chunk.subarray(8, 8 + Math.min(len, 80))).split('\0')[0] ?? '');
    } else if (type === 'acTL' && len >= 8) {
      const data = await bytesAt(src, pos + 8, 8);
      const frames = u32be(data, 0);
      if (frames > 1) Object.assign(facts, { animated: true, frames });
    } else if (type === 'IDAT' && found) {
      break; // ComfyUI, A1111 and our own chunks all come before the pixels
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + len;
  }
  for (const c of textChunks) {
    const entry = decodeTextChunk(fourcc(c, 4), c.subarray(8, c.length - 4));
    if (entry && !(entry[0] in facts.text)) facts.text[entry[0]] = entry[1];
  }
  return facts;
}

/** `[keyword, text]` of a tEXt, zTXt or iTXt chunk's data (compressed ones inflated, with a size cap). */
function decodeTextChunk(type: string, data: Uint8Array): [string, string] | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const nul = buf.indexOf(0);
  if (nul <= 0) return null;
  const key = buf.toString('latin1', 0, nul);
  try {
    if (type === 'tEXt') return [key, buf.toString('latin1', nul + 1)];
    if (type === 'zTXt') return [key, inflateSync(buf.subarray(nul + 2), { maxOutputLength: MAX_TEXT_BYTES }).toString('latin1')];
    // iTXt: keyword\0 compressed method language\0 translated keyword\0 text (UTF-8)
    const compressed = buf[nul + 1] === 1;
    const langEnd = buf.indexOf(0, nul + 3);
    const transEnd = langEnd < 0 ? -1 : buf.indexOf(0, langEnd + 1);
    if (transEnd < 0) return null;
    const body = buf.subarray(transEnd + 1);
    return [key, (compressed ? inflateSync(body, { maxOutputLength: MAX_TEXT_BYTES }) : body).toString('utf8')];
  } catch {
    return null; // a damaged or oversized compressed chunk
  }
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

async function probeJpeg(src: ByteSource): Promise<ImageFacts> {
  const facts: ImageFacts = { text: {} };
  let pos = 2;
  for (let n = 0; n < MAX_CHUNKS && pos + 4 <= src.size; n++) {
    const hdr = await bytesAt(src, pos, 4);
    if (hdr[0] !== 0xff) break;
    const marker = hdr[1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan
    const len = u16be(hdr, 2);
    if (len < 2 || pos + 2 + len > src.size) break;
    if (isSof(marker) && len >= 7) {
      const d = await bytesAt(src, pos + 4, 5);
      facts.height = u16be(d, 1);
      facts.width = u16be(d, 3);
      break; // metadata segments come before the frame header
    }
    if ((marker === 0xe1 || marker === 0xfe) && len <= MAX_TEXT_BYTES) {
      const data = await bytesAt(src, pos + 4, len - 2);
      if (marker === 0xe1 && latin1.decode(data.subarray(0, 6)) === 'Exif\0\0') textFromExif(data.subarray(6), facts.text);
      if (marker === 0xfe && !('parameters' in facts.text)) {
        const comment = new TextDecoder().decode(data).replace(/\0+$/, '').trim();
        if (comment && !comment.startsWith('{')) facts.text.parameters = comment;
      }
    }
    pos += 2 + len;
  }
  return facts;
}

async function probeWebp(src: ByteSource): Promise<ImageFacts> {
  const facts: ImageFacts = { text: {} };
  let frames = 0;
  let duration = 0;
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= src.size; n++) {
    const hdr = await bytesAt(src, pos, 8);
    if (hdr.length < 8) break;
    const type = fourcc(hdr);
    const len = u32le(hdr, 4);
    if (pos + 8 + len > src.size) break;
    if (type === 'VP8X' && len >= 10) {
      const d = await bytesAt(src, pos + 8, 10);
      facts.width = u24le(d, 4) + 1;
      facts.height = u24le(d, 7) + 1;
      if (d[0]! & 0x02) facts.animated = true;
    } else if (type === 'VP8 ' && len >= 10 && facts.width === undefined) {
      const d = await bytesAt(src, pos + 8, 10);
      if (d[3] === 0x9d && d[4] === 0x01 && d[5] === 0x2a) {
        facts.width = u16le(d, 6) & 0x3fff;
        facts.height = u16le(d, 8) & 0x3fff;
      }
    } else if (type === 'VP8L' && len >= 5 && facts.width === undefined) {
      const d = await bytesAt(src, pos + 8, 5);
      if (d[0] === 0x2f) {
        const bits = u32le(d, 1);
        facts.width = (bits & 0x3fff) + 1;
        facts.height = ((bits >>> 14) & 0x3fff) + 1;
      }
    } else if (type === 'ANMF' && len >= 16) {
      const d = await bytesAt(src, pos + 8, 16);
      frames++;
      duration += u24le(d, 12);
    } else if (type === 'EXIF' && len <= MAX_TEXT_BYTES) {
      const d = await bytesAt(src, pos + 8, len);
      // Some writers keep the JPEG-style "Exif\0\0" before the TIFF header.
      textFromExif(latin1.decode(d.subarray(0, 6)) === 'Exif\0\0' ? d.subarray(6) : d, facts.text);
    }
    pos += 8 + len + (len & 1);
  }
  if (frames > 0) {
    facts.frames = frames;
    if (frames > 1) facts.animated = true;
    if (duration > 0) facts.durationMs = duration;
  }
  return facts;
}

/** GIF size, and animation as far as the first bytes show (the NETSCAPE loop block or a second frame). */
function probeGif(src: ByteSource): ImageFacts {
  const h = src.head;
  const facts: ImageFacts = { text: {} };
  if (h.length < 13) return facts;
  facts.width = u16le(h, 6);
  facts.height = u16le(h, 8);
  const head = latin1.decode(h.subarray(0, Math.min(h.length, 4096)));
  let frames = 0;
  // A graphic control block: 21 F9 04 <4 bytes> 00 (checked whole, so pixel data rarely passes for one).
  for (let i = head.indexOf('\x21\xf9\x04'); i >= 0 && frames < 2; i = head.indexOf('\x21\xf9\x04', i + 3)) {
    if (head.charCodeAt(i + 7) === 0) frames++;
  }
  if (head.includes('NETSCAPE2.0') || frames > 1) facts.animated = true;
  return facts;
}

/** Facts of an image whose type the extension claimed; the bytes decide which parser runs. */
export async function probeImage(src: ByteSource): Promise<ImageFacts> {
  const h = src.head;
  try {
    if (isPng(h)) return await probePng(src);
    if (h[0] === 0xff && h[1] === 0xd8) return await probeJpeg(src);
    if (fourcc(h) === 'RIFF' && fourcc(h, 8) === 'WEBP') return await probeWebp(src);
    if (fourcc(h) === 'GIF8') return probeGif(src);
  } catch {
    // an I/O error mid-file: the file changed under us; the watcher will see it again
  }
  return { text: {} };
}
