import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { S3FileStore, S3_ROOTS, s3ClientFor, type Config, type S3StorageConfig } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { INLINE_MEDIA_TYPES, sniffMediaType } from '../files/media-type.js';
import { contentDisposition, notModified, parseRange, rangeStillValid, type SendFileOptions } from '../files/send-file.js';

/*
 * STORAGE=s3: the server's view of the bucket. Outputs, sidecars and site files under `output/`,
 * uploads under `uploads/`, thumbnails under `thumbs/`, the trash under `trash/`, each under the same
 * relative paths the disk would have. Files are served by streaming from the bucket with the same
 * Range, ETag and 304 rules as a file on disk (send-file.ts), or, with S3_PUBLIC_READS=presigned, by a
 * redirect to a URL signed for a few minutes (the bytes then never pass through the server).
 */

/** How long a presigned read URL stays valid. */
export const PRESIGNED_SECONDS = 300;

export class ObjectFiles {
  readonly output: S3FileStore;
  readonly uploads: S3FileStore;
  readonly thumbs: S3FileStore;
  readonly trash: S3FileStore;

  constructor(readonly config: S3StorageConfig) {
    this.output = new S3FileStore(s3ClientFor(config), config.bucket, S3_ROOTS.output);
    this.uploads = this.output.sibling(S3_ROOTS.uploads);
    this.thumbs = this.output.sibling(S3_ROOTS.thumbs);
    this.trash = this.output.sibling(S3_ROOTS.trash);
  }

  close(): void {
    this.output.client.destroy();
  }
}

/** The bucket when STORAGE=s3, else null (files on this machine's disk, as always). */
export function objectFilesFor(config: Config): ObjectFiles | null {
  return config.storage.kind === 's3' ? new ObjectFiles(config.storage) : null;
}

/** Streams an object (Range, ETag/Last-Modified, 304) or redirects to a presigned URL; 404 when there is none. */
export async function sendObject(request: FastifyRequest, reply: FastifyReply, files: ObjectFiles, store: S3FileStore, rel: string, opts: SendFileOptions = {}): Promise<FastifyReply> {
  const info = await store.stat(rel);
  if (!info) throw new HttpError('not_found', 'No such file');
  let type = opts.mediaType && INLINE_MEDIA_TYPES.has(opts.mediaType) ? opts.mediaType : null;
  if (!type && info.size > 0) {
    const head = await store.openRange(rel, { start: 0, end: Math.min(15, info.size - 1) });
    const chunks: Buffer[] = [];
    if (head) for await (const c of head.body) chunks.push(c as Buffer);
    type = sniffMediaType(Buffer.concat(chunks));
  }
  const disposition = type
    ? opts.disposition
      ? contentDisposition(opts.disposition, opts.downloadName ?? 'download')
      : undefined
    : contentDisposition('attachment', opts.downloadName ?? 'download');
  if (files.config.publicReads === 'presigned') {
    const url = await store.presignedUrl(rel, {
      seconds: PRESIGNED_SECONDS,
      contentType: type ?? 'application/octet-stream',
      ...(disposition ? { contentDisposition: disposition } : {}),
    });
    return reply.code(302).header('location', url).header('cache-control', 'private, no-store').send();
  }
  reply.header('accept-ranges', 'bytes');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  const etag = `"${Math.floor(info.mtime.getTime()).toString(36)}-${info.size.toString(36)}"`;
  reply.header('etag', etag);
  reply.header('last-modified', info.mtime.toUTCString());
  reply.header('cache-control', 'private, max-age=3600');
  if (notModified(request, etag, info.mtime)) return reply.code(304).send();
  const size = info.size;
  const range = rangeStillValid(request, etag, info.mtime) ? parseRange(request.headers.range, size) : null;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    return reply.code(416).send({ error: 'range_not_satisfiable', message: `The file has ${size} bytes` });
  }
  reply.type(type ?? 'application/octet-stream');
  if (disposition) reply.header('content-disposition', disposition);
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  reply.header('content-length', String(size === 0 ? 0 : end - start + 1));
  if (size === 0 || request.method === 'HEAD') return reply.send(request.method === 'HEAD' ? Readable.from([]) : '');
  const got = await store.openRange(rel, range ?? undefined);
  if (!got) throw new HttpError('not_found', 'No such file');
  reply.raw.once('close', () => got.body.destroy()); // the client went away: stop reading the bucket
  return reply.send(got.body);
}
