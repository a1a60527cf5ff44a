import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { fileEtag, honouredRange, notModified, rangeNotSatisfiable, setFileHeaders, typeAndDisposition, type SendFileOptions } from './file-headers.js';
import { INLINE_MEDIA_TYPES, sniffMediaType } from './media-type.js';

/*
 * A file on this disk, streamed by @fastify/send (stat, 206 and Content-Range, Content-Length, HEAD,
 * the read stream). Around it, what send does not do our way (file-headers.ts, shared with the bucket's
 * answers): the caller has already resolved the path inside its root (safe-path.ts, after every
 * symlink); the type is the recorded one only when we serve it inline, else sniffed from the first
 * bytes; the validator is strong (send's is weak, which If-Range may not use), so 304 and If-Range are
 * decided here; the range is read by the parser the bucket's answers use too (send's would answer 416
 * to a suffix longer than the file, which RFC 9110 serves whole), and send is handed only that one
 * range; our CSP and cache headers.
 */

const missing = () => new HttpError('not_found', 'No such file');

interface Probe {
  size: number;
  mtime: Date;
  /** The type we trust: the recorded one if we serve it inline, else what the first bytes say (null: none we serve). */
  type: string | null;
}

async function probe(realPath: string, recorded: string | undefined): Promise<Probe> {
  let handle;
  try {
    handle = await open(realPath, 'r');
  } catch {
    throw missing();
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw missing();
    let type = recorded && INLINE_MEDIA_TYPES.has(recorded) ? recorded : null;
    if (!type) {
      const head = new Uint8Array(16);
      const { bytesRead } = await handle.read(head, 0, 16, 0);
      type = sniffMediaType(head.subarray(0, bytesRead));
    }
    return { size: stat.size, mtime: stat.mtime, type };
  } finally {
    await handle.close();
  }
}

/** The file changed between our look and send's: its validators would not be the body's. */
class FileReplaced extends Error {}

/** What send reads of a request (its method and headers): here only the range we honour. */
function sendRequest(method: string, range: { start: number; end: number } | null): Readable {
  return Object.assign(Readable.from([]), { method, headers: range ? { range: `bytes=${range.start}-${range.end}` } : {} });
}

/** Streams a file (already resolved inside its root) with Range support and a type we trust. */
export function sendFile(request: FastifyRequest, reply: FastifyReply, realPath: string, opts: SendFileOptions = {}): Promise<FastifyReply> {
  return serve(request, reply, realPath, opts, false);
}

async function serve(request: FastifyRequest, reply: FastifyReply, realPath: string, opts: SendFileOptions, retried: boolean): Promise<FastifyReply> {
  const file = await probe(realPath, opts.mediaType);
  const etag = fileEtag(file.size, file.mtime.getTime());
  setFileHeaders(reply, etag, file.mtime);
  if (notModified(request, etag, file.mtime)) return reply.code(304).send();
  const range = honouredRange(request, etag, file.mtime, file.size);
  if (range === 'unsatisfiable') throw rangeNotSatisfiable(file.size);
  let result;
  try {
    result = await send(sendRequest(request.method, range), `/${encodeURIComponent(path.basename(realPath))}`, {
      root: path.dirname(realPath),
      dotfiles: 'allow',
      index: false,
      etag: false,
      lastModified: false,
      cacheControl: false,
      contentType: false,
      onFile: (_path, stat) => {
        if (!retried && (stat.size !== file.size || stat.mtime.getTime() !== file.mtime.getTime())) throw new FileReplaced();
      },
    });
  } catch (err) {
    if (err instanceof FileReplaced) return serve(request, reply, realPath, opts, true); // look again, once
    throw err;
  }
  if (result.type === 'error') {
    if (result.statusCode === 404) throw missing();
    if (result.statusCode === 416) throw rangeNotSatisfiable(file.size);
    throw result.metadata.error;
  }
  if (result.type === 'directory') throw missing(); // replaced by a directory since we looked
  const { type, disposition } = typeAndDisposition(file.type, opts);
  reply.type(type);
  if (disposition) reply.header('content-disposition', disposition);
  for (const [name, value] of Object.entries(result.headers)) reply.header(name, String(value));
  // For HEAD send's stream is empty; Fastify keeps our Content-Length only for a stream payload.
  return reply.code(result.statusCode).send(result.stream);
}
