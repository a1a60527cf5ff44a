/*
 * The generation text a PNG, JPEG or WebP file carries, as a PNG-style chunk map (`orchestrator`,
 * `prompt`, `workflow`, `parameters`) for the same readers as PNGs (metaFromPngText, the page's
 * drop-to-reuse). Whole-file and synchronous (the browser has the dropped file in memory); bounded in
 * segments and bytes; never throws — a damaged file gives what came before the damage, and says so.
 *
 * Where each writer puts it:
 * - A1111 / Forge JPEG and WebP: the infotext in the EXIF UserComment (charset `UNICODE` or `ASCII`);
 *   some tools write it as a JPEG COM segment instead.
 * - ComfyUI's SaveAnimatedWEBP (and the WebP savers copied from it): EXIF strings of IFD0,
 *   `Model` (0x0110) = `prompt:{…}`, then `Make` (0x010f) = `workflow:{…}` and further extra_pnginfo
 *   keys at 0x010e (ImageDescription) downwards (comfy_extras/nodes_images.py).
 * - Ours: a JPEG COM segment `orchestrator:{…}` (writeJpegComment), the PNG `orchestrator` chunk.
 */
import { readExifText } from './exif-text.js';
import { comfyExifToText, parseComfyExifValue } from './metadata/comfy-graph.js';
import { isPng, readPngText } from './png-text.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageText {
  /** null: none of the three (the bytes decide, not the name). */
  format: ImageFormat | null;
  /** Text keyed as PNG chunks are: the first source of a key wins. */
  text: Record<string, string>;
  /** The file ends inside a segment or chunk it announced (what came before is still read). */
  damaged: boolean;
}

/** More segments or chunks than any real file has before its pixels: the walk stops there. */
const MAX_PARTS = 4096;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');
const fourcc = (b: Uint8Array, at: number) => latin1.decode(b.subarray(at, at + 4));

export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  if (isPng(bytes)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && fourcc(bytes, 0) === 'RIFF' && fourcc(bytes, 8) === 'WEBP') return 'webp';
  return null;
}

const setOnce = (into: Record<string, string>, key: string, value: string) => {
  if (!Object.prototype.hasOwnProperty.call(into, key)) into[key] = value;
};

/** A free-text comment (EXIF UserComment, JPEG COM): `key:{json}` as that key, other text as A1111's infotext. */
function textFromComment(comment: string, into: Record<string, string>): void {
  const text = comment.replace(/\0+$/, '').trim();
  if (text === '') return;
  const keyed = parseComfyExifValue(text);
  if (keyed) return setOnce(into, keyed.key, keyed.json);
  if (!text.startsWith('{')) setOnce(into, 'parameters', text);
}

/** ComfyUI's IFD0 strings and A1111's UserComment of a TIFF/EXIF block. */
function textFromExif(tiff: Uint8Array, into: Record<string, string>): void {
  const exif = readExifText(tiff);
  for (const [k, v] of Object.entries(comfyExifToText(exif.ascii))) setOnce(into, k, v);
  if (exif.userComment !== undefined) textFromComment(exif.userComment, into);
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function readJpeg(b: Uint8Array, out: ImageText): void {
  let pos = 2;
  for (let n = 0; n < MAX_PARTS; n++) {
    if (pos + 2 > b.length) return void (out.damaged = true);
    if (b[pos] !== 0xff) return void (out.damaged = true);
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return; // end of image, start of scan: no metadata after
    if (pos + 4 > b.length) return void (out.damaged = true);
    const len = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (len < 2 || pos + 2 + len > b.length) return void (out.damaged = true);
    const data = b.subarray(pos + 4, pos + 2 + len);
    if (marker === 0xe1 && latin1.decode(data.subarray(0, 6)) === 'Exif\0\0') textFromExif(data.subarray(6), out.text);
    else if (marker === 0xfe) textFromComment(utf8.decode(data), out.text);
    else if (isSof(marker)) return; // the frame header: metadata segments come before it
    pos += 2 + len;
  }
}

function readWebp(b: Uint8Array, out: ImageText): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = Math.min(b.length, 8 + view.getUint32(4, true));
  if (end < 8 + view.getUint32(4, true)) out.damaged = true;
  let pos = 12;
  for (let n = 0; n < MAX_PARTS && pos < end; n++) {
    if (pos + 8 > end) return void (out.damaged = true);
    const type = fourcc(b, pos);
    const len = view.getUint32(pos + 4, true);
    if (pos + 8 + len > end) return void (out.damaged = true);
    if (type === 'EXIF') {
      const d = b.subarray(pos + 8, pos + 8 + len);
      // Some writers keep the JPEG-style "Exif\0\0" before the TIFF header.
      textFromExif(latin1.decode(d.subarray(0, 6)) === 'Exif\0\0' ? d.subarray(6) : d, out.text);
    }
    pos += 8 + len + (len & 1);
  }
}

/** The generation text of a PNG, JPEG or WebP file held in memory. */
export function readImageText(bytes: Uint8Array): ImageText {
  const out: ImageText = { format: imageFormatOf(bytes), text: {}, damaged: false };
  try {
    if (out.format === 'png') out.text = readPngText(bytes);
    else if (out.format === 'jpeg') readJpeg(bytes, out);
    else if (out.format === 'webp') readWebp(bytes, out);
  } catch {
    out.damaged = true; // defensive: every read above is bounds-checked
  }
  return out;
}

/** The largest COM segment payload (its length field is 16 bits and counts itself). */
const MAX_COMMENT_BYTES = 0xffff - 2;

/**
 * A copy of the JPEG with `text` as a COM segment after its APPn headers (JFIF/EXIF stay first), or
 * the bytes unchanged when they are not a JPEG or the text does not fit in one segment.
 */
export function writeJpegComment(bytes: Uint8Array, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  if (imageFormatOf(bytes) !== 'jpeg' || body.length > MAX_COMMENT_BYTES) return bytes;
  let at = 2;
  for (let n = 0; n < MAX_PARTS && at + 4 <= bytes.length; n++) {
    const marker = bytes[at + 1]!;
    if (bytes[at] !== 0xff || marker < 0xe0 || marker > 0xef) break;
    const len = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (len < 2 || at + 2 + len > bytes.length) break;
    at += 2 + len;
  }
  const out = new Uint8Array(bytes.length + 4 + body.length);
  out.set(bytes.subarray(0, at), 0);
  out.set([0xff, 0xfe, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff], at);
  out.set(body, at + 4);
  out.set(bytes.subarray(at), at + 4 + body.length);
  return out;
}
