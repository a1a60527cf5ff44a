import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3StorageConfig } from '../config.js';
import { THUMB_RECIPE } from '../thumbnails/thumbnail-recipe.js';
import { safeRelPath, type DirFile, type FileStore } from './file-store.js';

/*
 * A folder of an S3 bucket (STORAGE=s3) as a FileStore: the server's OUTPUT_PATH is `output/`, its
 * uploads folder `uploads/`, the thumbnails of outputs `thumbs/` and the trash `trash/`, each under the
 * same relative paths a disk would have. Every machine (server, any worker) writes and reads the bucket
 * directly. Objects are written whole (a PUT, or a multipart upload for a file, streamed from disk), so
 * a reader sees the old object or all of the new one, as on disk. A folder has no atomic replace in S3:
 * replaceDir writes the new files first, then removes the ones the new version does not have.
 */

/** The bucket's top-level folders. */
export const S3_ROOTS = { output: 'output/', uploads: 'uploads/', thumbs: 'thumbs/', trash: 'trash/' } as const;

/**
 * Where the thumbnail of an asset lives in `thumbs/`: by its id under the recipe it was made with, so a
 * new recipe never serves an old size. `thumbAssetIdFor(relPath)` names the asset of a stored file (a
 * site's screenshot is the site's thumbnail).
 */
export function s3ThumbRelPath(assetId: string): string {
  return `${THUMB_RECIPE}/${assetId}.webp`;
}

/** One S3 client for a deployment's config (credentials stay inside it; never logged). */
export function s3ClientFor(config: S3StorageConfig): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  });
}

export interface S3ObjectInfo {
  size: number;
  mtime: Date;
  /** The object's ETag, quotes included. */
  etag: string | undefined;
}

export interface S3Listed {
  /** Relative to the store's folder. */
  rel: string;
  size: number;
  mtime: Date;
}

function isMissing(err: unknown): boolean {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound';
  return false;
}

function checked(rel: string): string {
  const safe = safeRelPath(rel);
  if (!safe) throw new Error(`unsafe path: ${JSON.stringify(rel).slice(0, 200)}`);
  return safe;
}

export class S3FileStore implements FileStore {
  readonly kind = 'object storage';

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    /** The folder inside the bucket, ending in `/` (S3_ROOTS). */
    readonly prefix: string,
  ) {}

  /** The same bucket, another folder. */
  sibling(prefix: string): S3FileStore {
    return new S3FileStore(this.client, this.bucket, prefix);
  }

  /** The object key of `rel` (checked to be a relative path). */
  key(rel: string): string {
    return this.prefix + checked(rel);
  }

  async stat(rel: string): Promise<S3ObjectInfo | null> {
    if (!safeRelPath(rel)) return null;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return { size: head.ContentLength ?? 0, mtime: head.LastModified ?? new Date(0), etag: head.ETag };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async size(rel: string): Promise<number | null> {
    return (await this.stat(rel))?.size ?? null;
  }

  async read(rel: string): Promise<Buffer | null> {
    if (!safeRelPath(rel)) return null;
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return got.Body ? Buffer.from(await got.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async open(rel: string): Promise<Readable | null> {
    return (await this.openRange(rel))?.body ?? null;
  }

  /** A stream of the object, or of bytes `start`-`end` (inclusive) of it; null when there is none. */
  async openRange(rel: string, range?: { start: number; end: number }): Promise<{ body: Readable; info: S3ObjectInfo } | null> {
    if (!safeRelPath(rel)) return null;
    try {
      const got = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const total = range ? Number(/\/(\d+)$/.exec(got.ContentRange ?? '')?.[1] ?? got.ContentLength ?? 0) : (got.ContentLength ?? 0);
      return { body: got.Body as Readable, info: { size: total, mtime: got.LastModified ?? new Date(0), etag: got.ETag } };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async write(rel: string, data: string | Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: typeof data === 'string' ? Buffer.from(data) : data }));
  }

  async writeFrom(rel: string, localFile: string): Promise<void> {
    await this.writeStream(rel, createReadStream(localFile));
  }

  /** Streams `body` into the object (a multipart upload for large ones: never held whole in memory). */
  async writeStream(rel: string, body: Readable): Promise<void> {
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: this.key(rel), Body: body }, queueSize: 2, partSize: 8 * 1024 ** 2 });
    await upload.done();
  }

  async replaceDir(relDir: string, files: readonly DirFile[]): Promise<{ refused: string[] }> {
    const dir = checked(relDir);
    const refused: string[] = [];
    const written = new Set<string>();
    for (const f of files) {
      const name = safeRelPath(f.name);
      if (!name) {
        refused.push(f.name);
        continue;
      }
      await this.write(`${dir}/${name}`, f.data);
      written.add(`${dir}/${name}`);
    }
    const stale: string[] = [];
    for await (const o of this.walk(dir)) if (!written.has(o.rel)) stale.push(o.rel);
    await this.removeMany(stale);
    return { refused };
  }

  /** Names directly in a folder (files and sub-folders; '' is the store's own folder), [] when there is none. */
  async list(relDir: string): Promise<string[]> {
    const dir = relDir === '' ? '' : safeRelPath(relDir);
    if (dir === null) return [];
    const prefix = dir === '' ? this.prefix : `${this.prefix}${dir}/`;
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) if (o.Key) names.push(o.Key.slice(prefix.length));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(prefix.length, -1));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  /** Every object under `relDir` (the whole store when omitted), at any depth, page by page. */
  async *walk(relDir?: string): AsyncGenerator<S3Listed> {
    const dir = relDir === undefined ? '' : `${checked(relDir)}/`;
    const prefix = this.prefix + dir;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { rel: o.Key.slice(this.prefix.length), size: o.Size ?? 0, mtime: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(rel: string): Promise<void> {
    if (!safeRelPath(rel)) return;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
  }

  async removeMany(rels: readonly string[]): Promise<void> {
    for (let i = 0; i < rels.length; i += 1000) {
      const batch = rels.slice(i, i + 1000);
      if (batch.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((r) => ({ Key: this.key(r) })), Quiet: true } }));
    }
  }

  /** Copies an object to `to.key(toRel)` (possibly another folder of the bucket); false when there is none. */
  async copyTo(rel: string, to: S3FileStore, toRel: string): Promise<boolean> {
    if (!safeRelPath(rel)) return false;
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: to.bucket, Key: to.key(toRel), CopySource: `${this.bucket}/${this.key(rel).split('/').map(encodeURIComponent).join('/')}` }));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** Moves an object (copy, then delete); false when there is none. */
  async moveTo(rel: string, to: S3FileStore, toRel: string): Promise<boolean> {
    if (!(await this.copyTo(rel, to, toRel))) return false;
    await this.remove(rel);
    return true;
  }

  /** A URL that reads the object for `seconds` without credentials (S3_PUBLIC_READS=presigned). */
  presignedUrl(rel: string, o: { seconds: number; contentType?: string; contentDisposition?: string }): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(rel),
        ...(o.contentType ? { ResponseContentType: o.contentType } : {}),
        ...(o.contentDisposition ? { ResponseContentDisposition: o.contentDisposition } : {}),
      }),
      { expiresIn: o.seconds },
    );
  }
}
