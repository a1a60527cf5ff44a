import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { S3FileStore, S3_ROOTS, s3ClientFor, type Config, type S3StorageConfig } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { INLINE_MEDIA_TYPES, sniffMediaType } from '../files/media-type.js';
import { fileEtag, honouredRange, notModified, rangeNotSatisfiable, setFileHeaders, typeAndDisposition, type SendFileOptions } from '../files/file-headers.js';

/*
 * STORAGE=s3: the server's view of the bucket. Outputs, sidecars and site files under `output/`,
 * uploads under `uploads/`, thumbnails under `thumbs/`, the trash under `trash/`, each under the same
 * relative paths the disk would have. Files are served by streaming from the bucket with the same
 * Range, ETag and 304 rules as a file on disk (file-headers.ts, which send-file.ts uses too), or, with S3_PUBLIC_READS=presigned, by a
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
  const { type: contentType, disposition } = typeAndDisposition(type, opts);
  if (files.config.publicReads === 'presigned') {
    const url = await store.presignedUrl(rel, {
      seconds: PRESIGNED_SECONDS,
      contentType,
      ...(disposition ? { contentDisposition: disposition } : {}),
    });
    return reply.code(302).header('location', url).header('cache-control', 'private, no-store').send();
  }
  const etag = fileEtag(info.size, info.mtime.getTime());
  setFileHeaders(reply, etag, info.mtime);
  if (notModified(request, etag, info.mtime)) return reply.code(304).send();
  const size = info.size;
  const range = honouredRange(request, etag, info.mtime, size);
  if (range === 'unsatisfiable') throw rangeNotSatisfiable(size);
  reply.type(contentType);
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
