/*
 * Just enough of EXIF (a TIFF block) to find generation metadata: the ASCII tags of IFD0, where ComfyUI's
 * SaveAnimatedWEBP puts `prompt:{…}` / `workflow:{…}`, and the UserComment of the Exif IFD, where A1111
 * puts its infotext in JPEG and WebP files. Never throws; a damaged block gives what could be read.
 * Shared by the gallery's indexer (server) and the page's drop-to-reuse (image-text.ts).
 */

const ASCII = 2;
const UNDEFINED = 7;
const EXIF_IFD_POINTER = 0x8769;
const USER_COMMENT = 0x9286;
const MAX_ENTRIES = 512;

export interface ExifText {
  /** ASCII values of IFD0, in tag order. */
  ascii: string[];
  userComment?: string;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** The UserComment value: an 8-byte charset code, then the text. */
function decodeUserComment(b: Uint8Array): string {
  const code = latin1.decode(b.subarray(0, 8)).replace(/\0+$/, '');
  const body = b.subarray(8);
  if (code === 'UNICODE') {
    // UTF-16 of unknown byte order (piexif, used by A1111, writes big-endian): the zero bytes of ASCII text tell.
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < body.length && i < 512; i += 2) {
      if (body[i] === 0) evenZeros++;
      if (body[i + 1] === 0) oddZeros++;
    }
    return new TextDecoder(evenZeros >= oddZeros ? 'utf-16be' : 'utf-16le').decode(body).replace(/\0+$/, '');
  }
  return utf8.decode(body).replace(/\0+$/, '');
}

/** Strings of a TIFF/EXIF block (starting at the `II`/`MM` byte-order mark). */
export function readExifText(tiff: Uint8Array): ExifText {
  const out: ExifText = { ascii: [] };
  if (tiff.length < 8) return out;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return out;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (p: number) => (p + 2 <= tiff.length ? view.getUint16(p, little) : -1);
  const u32 = (p: number) => (p + 4 <= tiff.length ? view.getUint32(p, little) : -1);

  const readIfd = (offset: number, visit: (tag: number, type: number, count: number, valueAt: number) => void) => {
    const n = u16(offset);
    if (n < 0) return;
    for (let i = 0; i < Math.min(n, MAX_ENTRIES); i++) {
      const e = offset + 2 + i * 12;
      if (e + 12 > tiff.length) return;
      const count = u32(e + 4);
      const valueAt = count <= 4 ? e + 8 : u32(e + 8);
      visit(u16(e), u16(e + 2), count, valueAt);
    }
  };
  const bytes = (at: number, count: number) => (at >= 0 && at + count <= tiff.length ? tiff.subarray(at, at + count) : null);

  let exifIfd = -1;
  readIfd(u32(4), (tag, type, count, valueAt) => {
    if (tag === EXIF_IFD_POINTER) exifIfd = u32(valueAt);
    if (type !== ASCII) return;
    const b = bytes(valueAt, count);
    if (b) out.ascii.push(utf8.decode(b).replace(/\0+$/, ''));
  });
  if (exifIfd > 0) {
    readIfd(exifIfd, (tag, type, count, valueAt) => {
      if (tag !== USER_COMMENT || (type !== UNDEFINED && type !== ASCII)) return;
      const b = bytes(valueAt, count);
      if (b && b.length > 8) out.userComment = decodeUserComment(b);
    });
  }
  return out;
}
