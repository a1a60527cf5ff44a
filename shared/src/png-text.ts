/*
 * Reading and writing PNG text chunks (tEXt / iTXt) without decoding pixels. ComfyUI stores its
 * API graph in a `prompt` tEXt chunk; we add our own keys beside it. Works on Uint8Array so the
 * browser can use it too.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

interface Chunk {
  type: string;
  start: number; // offset of the length field
  dataStart: number;
  dataEnd: number;
}

function* chunks(bytes: Uint8Array): Generator<Chunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) return; // truncated file: stop quietly
    yield { type, start: pos, dataStart, dataEnd };
    if (type === 'IEND') return;
    pos = dataEnd + 4;
  }
}

const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');
const utf8Decoder = new TextDecoder();

/** Text chunks of a PNG (tEXt and uncompressed iTXt), keyed by keyword; {} for non-PNG input. */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPng(bytes)) return out;
  for (const c of chunks(bytes)) {
    if (c.type !== 'tEXt' && c.type !== 'iTXt') continue;
    const data = bytes.subarray(c.dataStart, c.dataEnd);
    const nul = data.indexOf(0);
    if (nul <= 0) continue;
    const key = latin1(data.subarray(0, nul));
    if (c.type === 'tEXt') {
      out[key] = latin1(data.subarray(nul + 1));
      continue;
    }
    // iTXt: keyword\0 compressionFlag compressionMethod languageTag\0 translatedKeyword\0 text
    const compressed = data[nul + 1] === 1;
    if (compressed) continue;
    let p = nul + 3;
    const langEnd = data.indexOf(0, p);
    if (langEnd < 0) continue;
    const transEnd = data.indexOf(0, langEnd + 1);
    if (transEnd < 0) continue;
    p = transEnd + 1;
    out[key] = utf8Decoder.decode(data.subarray(p));
  }
  return out;
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** One PNG chunk: length, type, data and CRC. */
export function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function textChunk(key: string, value: string): Uint8Array {
  const keyBytes = Uint8Array.from(key, (c) => c.charCodeAt(0) & 0xff);
  if (isLatin1(value)) {
    const data = new Uint8Array(keyBytes.length + 1 + value.length);
    data.set(keyBytes, 0);
    for (let i = 0; i < value.length; i++) data[keyBytes.length + 1 + i] = value.charCodeAt(i);
    return makeChunk('tEXt', data);
  }
  const text = new TextEncoder().encode(value);
  const data = new Uint8Array(keyBytes.length + 5 + text.length);
  data.set(keyBytes, 0); // then \0, flag 0, method 0, empty language \0, empty translation \0
  data.set(text, keyBytes.length + 5);
  return makeChunk('iTXt', data);
}

/**
 * Returns a copy of the PNG with text chunks set for `entries` (replacing chunks with the same
 * keyword), inserted before the first IDAT so a reader finds all metadata in the file's first
 * kilobytes. Throws on input that is not a PNG.
 */
export function writePngText(bytes: Uint8Array, entries: Record<string, string>): Uint8Array {
  if (!isPng(bytes)) throw new Error('not a PNG file');
  const keys = new Set(Object.keys(entries));
  const added = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let inserted = false;
  let sawEnd = false;
  for (const c of chunks(bytes)) {
    const whole = bytes.subarray(c.start, c.dataEnd + 4);
    if (!inserted && (c.type === 'IDAT' || c.type === 'IEND')) {
      parts.push(...added);
      inserted = true;
    }
    if (c.type === 'tEXt' || c.type === 'iTXt') {
      const data = bytes.subarray(c.dataStart, c.dataEnd);
      const nul = data.indexOf(0);
      if (nul > 0 && keys.has(latin1(data.subarray(0, nul)))) continue;
    }
    parts.push(whole);
    if (c.type === 'IEND') sawEnd = true;
  }
  if (!inserted) parts.push(...added);
  if (!sawEnd) parts.push(makeChunk('IEND', new Uint8Array(0)));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Width and height from the IHDR chunk, or null. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (!isPng(bytes) || bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
