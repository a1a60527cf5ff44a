import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_INPUT_IMAGE_PIXELS, type S3FileStore, type Upload } from '@orchestrator/shared';
import { HttpError, notFound } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { SNIFF_BYTES, UPLOAD_TYPES, probeImage, sniffUploadType, type UploadType } from './image-info.js';
import { UPLOAD_ID_PATTERN, type UploadRecord } from './upload-schema.js';

/** One file part of a multipart body, as @fastify/multipart hands it over. */
export interface FilePart {
  fieldname: string;
  filename: string;
  file: Readable & { truncated?: boolean };
}

const PARTIAL_PREFIX = '.partial-';
/** Partial files older than this at startup were left by a crash. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;
const idPattern = new RegExp(UPLOAD_ID_PATTERN);

export const tooLarge = (maxBytes: number) =>
  new HttpError('too_large', `The file is larger than the ${Math.floor(maxBytes / (1024 * 1024))} MB this server accepts`, { maxBytes });
export const unsupportedType = (why = 'Only PNG, JPEG and WebP images can be uploaded') => new HttpError('unsupported_media_type', why);

/**
 * Uploaded images under `<DATA_PATH>/uploads`: `<id>.<ext>` plus `<id>.json`. A file is written as
 * `.partial-<id>` while it arrives and renamed only once its type, size and header are checked, so a refused
 * or aborted upload leaves nothing behind.
 */
export class UploadStore {
  readonly dir: string;

  constructor(
    dataPath: string,
    private readonly maxPixels = MAX_INPUT_IMAGE_PIXELS,
    /** STORAGE=s3: a checked upload moves to the bucket (same names); only its partial file is ever on this disk. */
    private readonly bucket: S3FileStore | null = null,
  ) {
    this.dir = path.join(dataPath, 'uploads');
  }

  async init(now = Date.now()): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith(PARTIAL_PREFIX)) continue;
      const s = await stat(path.join(this.dir, name)).catch(() => null);
      if (s && now - s.mtimeMs > STALE_PARTIAL_MS) await rm(path.join(this.dir, name), { force: true });
    }
  }

  /** Writes one checked file part; the caller has made sure it is the only one. */
  async save(part: FilePart, maxBytes: number): Promise<Upload> {
    const id = randomUUID();
    const partial = path.join(this.dir, `${PARTIAL_PREFIX}${id}`);
    const partialRecord = `${partial}.json`;
    let saved: string | undefined;
    const out = createWriteStream(partial, { flags: 'wx' });
    try {
      const sniffer = new TypeSniffer();
      await pipeline(part.file, sniffer, out);
      if (part.file.truncated || sniffer.bytes > maxBytes) throw tooLarge(maxBytes);
      if (sniffer.bytes === 0) throw new HttpError('empty_file', 'The file is empty');
      const type = sniffer.type;
      if (!type) throw unsupportedType();
      const size = await probeImage(partial, type, this.maxPixels);
      const record: UploadRecord = { id, type, size: sniffer.bytes, ...size, createdAt: new Date().toISOString() };
      const originalName = cleanName(part.filename);
      if (originalName) record.originalName = originalName;
      // The record is written before anything takes its final name: a full disk fails it with nothing kept.
      await writeFile(partialRecord, JSON.stringify(record));
      saved = path.join(this.dir, `${id}.${UPLOAD_TYPES[type]}`);
      if (this.bucket) {
        // The file first, then its record: an upload without a record is never offered (nor left behind).
        const object = `${id}.${UPLOAD_TYPES[type]}`;
        await this.bucket.writeFrom(object, partial);
        await this.bucket.write(`${id}.json`, JSON.stringify(record)).catch(async (err: unknown) => {
          await this.bucket?.remove(object).catch(() => undefined);
          throw err;
        });
        await rm(partial, { force: true });
        await rm(partialRecord, { force: true });
        return withUrl(record);
      }
      await rename(partial, saved);
      await rename(partialRecord, path.join(this.dir, `${id}.json`));
      return withUrl(record);
    } catch (err) {
      // A refusal can come before the stream has even opened (and created) the file: wait for it
      // to close, or the removal below would run first and leave the partial file behind.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await Promise.all([partial, partialRecord, saved].map((f) => (f ? rm(f, { force: true }) : undefined)));
      throw err;
    }
  }

  /**
   * Keeps an image the server made itself (a downscaled copy of a picture sent to v0), already checked
   * by the caller, as an upload like any other: workers read it by id wherever they run.
   */
  async saveImage(bytes: Buffer, type: UploadType, size: { width: number; height: number }, originalName?: string): Promise<Upload> {
    const id = randomUUID();
    const record: UploadRecord = { id, type, size: bytes.length, ...size, createdAt: new Date().toISOString(), ...(cleanName(originalName) ? { originalName: cleanName(originalName)! } : {}) };
    const name = `${id}.${UPLOAD_TYPES[type]}`;
    if (this.bucket) {
      await this.bucket.write(name, bytes);
      await this.bucket.write(`${id}.json`, JSON.stringify(record)).catch(async (err: unknown) => {
        await this.bucket?.remove(name).catch(() => undefined);
        throw err;
      });
      return withUrl(record);
    }
    await mkdir(this.dir, { recursive: true });
    const partial = path.join(this.dir, `${PARTIAL_PREFIX}${id}`);
    try {
      await writeFile(partial, bytes, { flag: 'wx' });
      await writeFile(`${partial}.json`, JSON.stringify(record));
      await rename(partial, path.join(this.dir, name));
      await rename(`${partial}.json`, path.join(this.dir, `${id}.json`));
    } catch (err) {
      await Promise.all([partial, `${partial}.json`, path.join(this.dir, name)].map((f) => rm(f, { force: true })));
      throw err;
    }
    return withUrl(record);
  }

  /** An upload's bytes and record (404 when there is none). */
  async read(id: string): Promise<{ bytes: Buffer; record: UploadRecord }> {
    const record = await this.record(id);
    const name = `${id}.${UPLOAD_TYPES[record.type]}`;
    const bytes = this.bucket ? await this.bucket.read(name) : await readFile(await resolveInside(this.dir, name)).catch(() => null);
    if (!bytes) throw notFound('upload', id);
    return { bytes, record };
  }

  /** Removes an upload saved for a request that was then refused (e.g. a second file followed). */
  async remove(id: string): Promise<void> {
    const record = await this.record(id).catch(() => null);
    if (this.bucket) {
      if (record) await this.bucket.remove(`${id}.${UPLOAD_TYPES[record.type]}`);
      await this.bucket.remove(`${id}.json`);
      return;
    }
    if (record) await rm(path.join(this.dir, `${id}.${UPLOAD_TYPES[record.type]}`), { force: true });
    await rm(path.join(this.dir, `${id}.json`), { force: true });
  }

  async get(id: string): Promise<Upload> {
    return withUrl(await this.record(id));
  }

  /** The real path of the file (checked inside the uploads folder) and its recorded type. */
  async file(id: string): Promise<{ path: string; record: UploadRecord }> {
    const record = await this.record(id);
    return { path: await resolveInside(this.dir, `${id}.${UPLOAD_TYPES[record.type]}`), record };
  }

  /** STORAGE=s3: the object name of the file in the bucket's uploads folder and its recorded type. */
  async object(id: string): Promise<{ rel: string; record: UploadRecord }> {
    const record = await this.record(id);
    return { rel: `${id}.${UPLOAD_TYPES[record.type]}`, record };
  }

  private async record(id: string): Promise<UploadRecord> {
    if (!idPattern.test(id)) throw notFound('upload', id);
    try {
      const raw = this.bucket ? (await this.bucket.read(`${id}.json`))?.toString('utf8') : await readFile(path.join(this.dir, `${id}.json`), 'utf8');
      if (raw === undefined) throw new Error('no record');
      const rec = JSON.parse(raw) as UploadRecord;
      if (rec.id !== id || !(rec.type in UPLOAD_TYPES)) throw new Error('record does not match');
      return rec;
    } catch {
      throw notFound('upload', id);
    }
  }
}

function withUrl(record: UploadRecord): Upload {
  return { ...record, url: `/api/uploads/${record.id}` };
}

/** The client's name for display only: base name, no control characters, at most 255 chars. */
function cleanName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base === '' || base === '.' || base === '..' ? undefined : base.slice(0, 255);
}

/** Passes bytes through, refusing the stream as soon as its first bytes are not an accepted image. */
class TypeSniffer extends Transform {
  bytes = 0;
  type: UploadType | null = null;
  private head: Buffer[] = [];
  private decided = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.decided) return done(null, chunk);
    this.head.push(chunk);
    if (this.bytes < SNIFF_BYTES) return done();
    this.decide(done);
  }

  override _flush(done: TransformCallback): void {
    if (!this.decided && this.bytes > 0) return this.decide(done);
    done();
  }

  private decide(done: TransformCallback): void {
    this.decided = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    this.type = sniffUploadType(head);
    if (!this.type) return done(unsupportedType());
    done(null, head);
  }
}
