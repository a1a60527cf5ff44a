import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LocalFileStore, S3FileStore, S3_ROOTS, THUMBS_FOLDER, readStorageMark, s3ClientFor, type Config, type DirFile, type FileStore, type RedisKeys, type StorageMarkField } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';
import { HttpFileStore, type ServerAddress } from './http-file-store.js';
import { OutputThumbnails } from './output-thumbnails.js';
import { DecidingThumbnailSink, S3ThumbnailSink } from './thumbnail-sink.js';

/*
 * Where this worker's outputs go, decided per folder from the server's mark (server/src/storage/
 * storage-identity.ts): the server wrote a random id into OUTPUT_PATH/.orchestrator/mark.json and the
 * same into Redis. Seeing it in our own OUTPUT_PATH means the disk is shared: write directly. Anything
 * else (another id, no file): hand everything to the server's storage API. Until the server has marked
 * its folders (it has not started yet) a store waits: outputs are never written where the server
 * cannot serve them.
 */

export type StorageMode = 'shared disk' | 'uploads to server' | 'object storage' | 'undecided';

/** A FileStore that becomes local or remote once the server's mark says which (and waits until then). */
class DecidingFileStore implements FileStore {
  private decided: FileStore | null = null;
  private deciding: Promise<FileStore> | null = null;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly markField: StorageMarkField,
    private readonly d: { redis: Redis; keys: RedisKeys; remote: HttpFileStore; log: Logger; pollMs: number },
  ) {}

  get kind(): string {
    return this.decided?.kind ?? 'undecided';
  }

  close(): void {
    this.closed = true;
  }

  store(): Promise<FileStore> {
    if (this.decided) return Promise.resolve(this.decided);
    this.deciding ??= this.decide().finally(() => (this.deciding = null));
    return this.deciding;
  }

  private async decide(): Promise<FileStore> {
    for (let waited = 0; ; waited++) {
      if (this.closed) throw new Error('the worker is stopping');
      const published = await this.d.redis.hget(this.d.keys.storage, this.markField).catch((err: unknown) => {
        this.d.log.warn({ err: errorMessage(err) }, 'could not read the storage mark');
        return null;
      });
      const serverKind = published ? await this.d.redis.hget(this.d.keys.storage, 'kind').catch(() => null) : null;
      if (serverKind === 's3') {
        // Writing here would record assets whose files the server (which reads the bucket) cannot serve.
        if (waited % 30 === 0) this.d.log.error('the server keeps files in object storage (STORAGE=s3): set STORAGE=s3 and the same S3_ keys on this worker; outputs wait until then');
      } else if (published) {
        const shared = (await readStorageMark(this.root)) === published;
        this.decided = shared ? new LocalFileStore(this.root) : this.d.remote;
        this.d.log.info({ folder: this.root, mode: this.decided.kind }, shared ? 'this folder is the server\'s: writing directly' : 'not the server\'s folder: files go through its storage API');
        return this.decided;
      }
      if (serverKind !== 's3' && waited % 30 === 0) this.d.log.warn('the server has not marked its folders yet (is it running?); outputs wait for it');
      await new Promise((r) => setTimeout(r, this.d.pollMs));
    }
  }

  async read(rel: string) {
    return (await this.store()).read(rel);
  }
  async size(rel: string) {
    return (await this.store()).size(rel);
  }
  async write(rel: string, data: string | Uint8Array) {
    return (await this.store()).write(rel, data);
  }
  async writeFrom(rel: string, localFile: string) {
    return (await this.store()).writeFrom(rel, localFile);
  }
  async replaceDir(relDir: string, files: readonly DirFile[]) {
    return (await this.store()).replaceDir(relDir, files);
  }
  async list(relDir: string) {
    return (await this.store()).list(relDir);
  }
  async remove(rel: string) {
    return (await this.store()).remove(rel);
  }
}

export interface WorkerStorage {
  /** The server's OUTPUT_PATH: outputs, sidecars, site folders. */
  output: FileStore;
  /** The server's uploads folder (input images). */
  uploads: FileStore;
  /** The thumbnails of outputs, made here and filed beside the server's (see thumbnail-sink.ts). */
  thumbnails: OutputThumbnails;
  /** How outputs are stored, for the agents view. */
  mode(): StorageMode;
  close(): void;
}

export function openWorkerStorage(config: Config, redis: Redis, keys: RedisKeys, log: Logger, pollMs = 1000): WorkerStorage {
  if (config.storage.kind === 's3') return openObjectStorage(config.storage, redis, keys, log);
  let address: { at: number; value: ServerAddress | null } | null = null;
  const resolveAddress = async (): Promise<ServerAddress | null> => {
    if (address && Date.now() - address.at < 5000 && address.value) return address.value;
    const [url, token] = await redis.hmget(keys.storage, 'url', 'token');
    const value = (config.serverUrl ?? url) && (config.workerToken ?? token) ? { url: (config.serverUrl ?? url)!, token: (config.workerToken ?? token)! } : null;
    address = { at: Date.now(), value };
    return value;
  };
  const remote = (root: 'output' | 'uploads') => new HttpFileStore({ root, address: resolveAddress, log });
  const remotes = [remote('output'), remote('uploads')] as const;
  const output = new DecidingFileStore(config.outputPath, 'outputMark', { redis, keys, remote: remotes[0], log, pollMs });
  const uploads = new DecidingFileStore(path.join(config.dataPath, 'uploads'), 'uploadsMark', { redis, keys, remote: remotes[1], log, pollMs });
  const thumbnails = new OutputThumbnails(
    new DecidingThumbnailSink({ outputStore: () => output.store(), cacheDir: path.join(config.dataPath, THUMBS_FOLDER), redis, keys, remote: remotes[0] }),
    log,
  );
  // Decide early (not at the first output) so the agents view shows the mode at once.
  void output.store().catch(() => undefined);
  return {
    output,
    uploads,
    thumbnails,
    mode: () => output.kind as StorageMode,
    close: () => {
      output.close();
      uploads.close();
      for (const r of remotes) r.close();
    },
  };
}

/**
 * STORAGE=s3: every worker, wherever it runs, writes outputs, sidecars, site files and thumbnails
 * straight to the bucket and reads uploads from it (no shared disk, no hand-off to the server).
 */
function openObjectStorage(s3: Extract<Config['storage'], { kind: 's3' }>, redis: Redis, keys: RedisKeys, log: Logger): WorkerStorage {
  const client = s3ClientFor(s3);
  const output = new S3FileStore(client, s3.bucket, S3_ROOTS.output);
  const thumbs = output.sibling(S3_ROOTS.thumbs);
  log.info({ bucket: s3.bucket }, 'STORAGE=s3: outputs go straight to the bucket');
  void redis
    .hget(keys.storage, 'kind')
    .then((kind) => {
      if (kind === 'local') log.error('this worker has STORAGE=s3 but the server reads its own disk: set the same STORAGE and S3_ keys on the server, or its gallery cannot show these outputs');
    })
    .catch(() => undefined);
  return {
    output,
    uploads: output.sibling(S3_ROOTS.uploads),
    thumbnails: new OutputThumbnails(new S3ThumbnailSink(thumbs), log),
    mode: () => 'object storage',
    close: () => client.destroy(),
  };
}
