// A small multipart/form-data (and urlencoded) parser, enough for POST /upload/image.

export interface FormPart {
  name: string;
  filename?: string; // present (possibly "") for file parts
  contentType?: string;
  data: Buffer;
}

function headerParam(header: string, key: string): string | undefined {
  const star = new RegExp(`(?:^|;)\\s*${key}\\*=([^;]*)`, 'i').exec(header);
  if (star) {
    const v = star[1]!.trim();
    const m = /^[^']*'[^']*'(.*)$/.exec(v);
    try {
      return decodeURIComponent(m ? m[1]! : v);
    } catch {
      return v;
    }
  }
  const quoted = new RegExp(`(?:^|;)\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const bare = new RegExp(`(?:^|;)\\s*${key}=([^;]*)`, 'i').exec(header);
  return bare ? bare[1]!.trim() : undefined;
}

export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const boundary = headerParam(contentType, 'boundary');
  if (!boundary) throw new Error('multipart boundary missing');
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart boundary not found');
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('malformed multipart part');
    const headers = body.toString('utf8', pos, headEnd).split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('unterminated multipart body');
    const data = body.subarray(headEnd + 4, next);
    let disposition = '';
    let ctype: string | undefined;
    for (const h of headers) {
      const i = h.indexOf(':');
      if (i < 0) continue;
      const k = h.slice(0, i).trim().toLowerCase();
      const v = h.slice(i + 1).trim();
      if (k === 'content-disposition') disposition = v;
      else if (k === 'content-type') ctype = v;
    }
    const name = headerParam(disposition, 'name') ?? '';
    const filename = headerParam(disposition, 'filename');
    const part: FormPart = { name, data };
    if (filename !== undefined) part.filename = filename;
    if (ctype !== undefined) part.contentType = ctype;
    parts.push(part);
    pos = next + 2;
  }
  return parts;
}

/** Parse a form body the way aiohttp's `request.post()` does (non-form bodies → no fields). */
export function parseForm(body: Buffer, contentType: string | undefined): FormPart[] {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data')) return parseMultipart(body, contentType!);
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    return [...new URLSearchParams(body.toString('utf8'))].map(([name, v]) => ({ name, data: Buffer.from(v) }));
  }
  return [];
}
