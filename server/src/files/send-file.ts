import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { INLINE_MEDIA_TYPES, sniffMediaType } from './media-type.js';

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * One `bytes=` range (RFC 9110). Null means "serve the whole file": no header, a syntax we do not
 * support (several ranges) or an invalid one, all of which a server may ignore.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  return { start, end: Math.min(last, size - 1) };
}

export interface SendFileOptions {
  /** The type recorded for the file; used only when it is one we serve inline. Otherwise sniffed. */
  mediaType?: string | undefined;
  downloadName?: string | undefined;
  /**
   * Content-Disposition for a type we serve inline: `inline` or `attachment` (a download), both with the
   * file name. Unset sends none. Types we do not serve inline are always attachments.
   */
  disposition?: 'inline' | 'attachment' | undefined;
}

/** `inline` or `attachment` with an ASCII file name and its UTF-8 form (RFC 6266). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\w.() -]/g, '_').slice(0, 200) || 'download';
  const utf8 = encodeURIComponent(name.slice(0, 200)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** Strong validator from size and mtime, as nginx makes it (outputs are written once, then renamed). */
function fileEtag(size: number, mtimeMs: number): string {
  return `"${Math.floor(mtimeMs).toString(36)}-${size.toString(36)}"`;
}

function matchesEtag(header: string, etag: string): boolean {
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** RFC 9110 §13.1.2-3: If-None-Match wins over If-Modified-Since. */
export function notModified(request: FastifyRequest, etag: string, mtime: Date): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) return matchesEtag(inm, etag);
  const ims = request.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
}

/** If-Range: the range applies only while the file is the one the client has (strong match). */
export function rangeStillValid(request: FastifyRequest, etag: string, mtime: Date): boolean {
  const ifRange = request.headers['if-range'];
  if (typeof ifRange !== 'string') return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  return Date.parse(value) === Math.floor(mtime.getTime() / 1000) * 1000;
}

/** Streams a file (already resolved inside its root) with Range support and a type we trust. */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, realPath: string, opts: SendFileOptions = {}): Promise<FastifyReply> {
  let handle;
  try {
    handle = await open(realPath, 'r');
  } catch {
    throw new HttpError('not_found', 'No such file');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new HttpError('not_found', 'No such file');
    const size = stat.size;
    let type = opts.mediaType && INLINE_MEDIA_TYPES.has(opts.mediaType) ? opts.mediaType : null;
    if (!type) {
      const head = new Uint8Array(16);
      const { bytesRead } = await handle.read(head, 0, 16, 0);
      type = sniffMediaType(head.subarray(0, bytesRead));
    }
    reply.header('accept-ranges', 'bytes');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', "default-src 'none'; sandbox");
    const etag = fileEtag(size, stat.mtimeMs);
    reply.header('etag', etag);
    reply.header('last-modified', stat.mtime.toUTCString());
    reply.header('cache-control', 'private, max-age=3600');
    if (notModified(request, etag, stat.mtime)) {
      await handle.close();
      return reply.code(304).send();
    }
    const range = rangeStillValid(request, etag, stat.mtime) ? parseRange(request.headers.range, size) : null;
    if (range === 'unsatisfiable') {
      await handle.close();
      reply.header('content-range', `bytes */${size}`);
      return reply.code(416).send({ error: 'range_not_satisfiable', message: `The file has ${size} bytes` });
    }
    if (type) {
      reply.type(type);
      if (opts.disposition) reply.header('content-disposition', contentDisposition(opts.disposition, opts.downloadName ?? 'download'));
    } else {
      reply.type('application/octet-stream');
      reply.header('content-disposition', contentDisposition('attachment', opts.downloadName ?? 'download'));
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) {
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    }
    reply.header('content-length', String(size === 0 ? 0 : end - start + 1));
    if (size === 0 || request.method === 'HEAD') {
      await handle.close();
      // Fastify's HEAD handling keeps our Content-Length only for a stream payload.
      return reply.send(request.method === 'HEAD' ? Readable.from([]) : '');
    }
    // The stream owns the handle from here and closes it when done or destroyed.
    return reply.send(handle.createReadStream({ start, end }));
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}
