import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { THUMBS_FOLDER, markStorageFolders, redisKeys, type Config } from '@orchestrator/shared';

/*
 * How a worker knows whether it shares the server's disk: the server writes a mark (a random id) into
 * OUTPUT_PATH, its uploads folder and its thumbnail cache, and the same ids into Redis. A worker that reads the same id
 * from its own OUTPUT_PATH writes there directly; one that does not hands its outputs to the server's
 * storage API, authenticated with the worker token (WORKER_TOKEN, or one kept in Redis), at the URL the
 * server publishes (PUBLIC_URL, or http://HOST:PORT).
 */

export class StorageIdentity {
  private token: Buffer | null = null;
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
  ) {
    this.key = redisKeys(config.keyPrefix).storage;
  }

  /** Marks the folders (output, uploads, thumbnail cache) and makes sure a worker token exists. */
  async init(): Promise<void> {
    if (!this.config.workerToken) await this.redis.hsetnx(this.key, 'token', randomBytes(32).toString('base64url'));
    const token = this.config.workerToken ?? (await this.redis.hget(this.key, 'token'))!;
    this.token = Buffer.from(token);
    // Workers compare it with their own STORAGE: one that writes elsewhere than the server reads waits instead.
    await this.redis.hset(this.key, 'kind', this.config.storage.kind);
    await markStorageFolders(this.redis, this.key, {
      output: this.config.outputPath,
      uploads: path.join(this.config.dataPath, 'uploads'),
      thumbs: path.join(this.config.dataPath, THUMBS_FOLDER),
    });
  }

  /** Publishes where workers reach the storage API, once the server listens on `port`. */
  async publishUrl(port: number): Promise<void> {
    const host = ['0.0.0.0', '::', ''].includes(this.config.host) ? hostname() : this.config.host;
    const url = this.config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    await this.redis.hset(this.key, 'url', url);
  }

  /** Whether an Authorization header carries the worker token. */
  verify(authorization: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match || !this.token) return false;
    const given = Buffer.from(match[1]!);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
