// Message attachments as the v0 API takes them (`attachments: [{url}]`, "URL or data URI"): an http(s) URL
// is kept as given; a data URI is decoded, kept by the fake, and served on the demo host at
// `/attachments/<id>` so that a version's demo can show the picture (as v0 would add it to the project).

export type ParsedAttachment = { kind: 'url'; url: string } | { kind: 'data'; mime: string; bytes: Buffer };

const DATA_URI = /^data:([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)?((?:;[a-z0-9!#$&^_.+-]+=[^;,]*)*)(;base64)?,(.*)$/is;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The attachment, or why v0 would refuse it (422). */
export function parseAttachment(url: string): ParsedAttachment | string {
  if (url.startsWith('data:')) {
    const m = DATA_URI.exec(url);
    if (!m) return 'is not a valid data URI (data:<type>;base64,<data>)';
    const mime = (m[1] ?? 'text/plain').toLowerCase();
    const data = m[4] ?? '';
    if (m[3]) {
      if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) return 'holds data that is not valid base64';
      return { kind: 'data', mime, bytes: Buffer.from(data, 'base64') };
    }
    try {
      return { kind: 'data', mime, bytes: Buffer.from(decodeURIComponent(data), 'utf8') };
    } catch {
      return 'holds data that is not valid percent-encoding';
    }
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute URL or a data URI';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http(s) URL or a data URI';
  return { kind: 'url', url };
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/svg+xml': 'svg' };

/** The file name an attachment is served under (its type's extension, or .bin). */
export const attachmentFileName = (id: string, mime: string): string => `${id}.${EXT[mime] ?? 'bin'}`;
