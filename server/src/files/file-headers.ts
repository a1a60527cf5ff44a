import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';

/*
 * What every file answer says, whether the bytes come from this disk (send-file.ts, through
 * @fastify/send) or from the bucket (storage/object-files.ts): the strong validator, 304 and If-Range,
 * the one Range we serve, the media type with its Content-Disposition, and the headers that keep a
 * file from running as a page on our origin. One set of rules, so STORAGE=s3 answers like the disk.
 */

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

/**
 * The Content-Type and Content-Disposition of a file whose trusted type is `type` (null: none we serve
 * inline, so an octet-stream attachment that never runs as HTML or script here).
 */
export function typeAndDisposition(type: string | null, opts: SendFileOptions): { type: string; disposition: string | undefined } {
  if (!type) return { type: 'application/octet-stream', disposition: contentDisposition('attachment', opts.downloadName ?? 'download') };
  return { type, disposition: opts.disposition ? contentDisposition(opts.disposition, opts.downloadName ?? 'download') : undefined };
}

/**
 * Strong validator from size and mtime, as nginx makes it (outputs are written once, then renamed).
 * Strong, unlike @fastify/send's weak one: If-Range may only compare strong validators (RFC 9110 §13.1.5).
 */
export function fileEtag(size: number, mtimeMs: number): string {
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

/**
 * The Range header a file answer honours: the client's single range while If-Range still matches,
 * else none (the whole file).
 */
export function honouredRange(request: FastifyRequest, etag: string, mtime: Date, size: number): ByteRange {
  return rangeStillValid(request, etag, mtime) ? parseRange(request.headers.range, size) : null;
}

/** The headers of every file answer, 304 included: validators, caching, and never sniffed or run. */
export function setFileHeaders(reply: FastifyReply, etag: string, mtime: Date): void {
  reply.header('accept-ranges', 'bytes');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('etag', etag);
  reply.header('last-modified', mtime.toUTCString());
  reply.header('cache-control', 'private, max-age=3600');
}

/** 416, with the size the client should have asked within. */
export function rangeNotSatisfiable(size: number): HttpError {
  return new HttpError('range_not_satisfiable', `The file has ${size} bytes`, undefined, { 'content-range': `bytes */${size}` });
}
