import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/** A file to hash, as the scan saw it: the cached hash is valid only while size and mtime match. */
export interface HashTarget {
  path: string;
  size: number;
  mtimeMs: number;
}

interface CachedHash {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export type HashListener = (target: HashTarget, sha256: string) => void;

/** Read size per chunk: large enough to be efficient, small enough to keep the event loop responsive. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * sha256 of whole model files, one file at a time, streamed, in the background. Results are cached in
 * one Redis hash (`field = absolute path`, value = {size, mtimeMs, sha256}), so a restart or another
 * server instance reuses them until the file's size or mtime changes.
 */
export class ModelHasher {
  private readonly queue: HashTarget[] = [];
  private readonly queued = new Set<string>();
  private current: { path: string; stream?: NodeJS.ReadableStream & { destroy(): void } } | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  /** How many files this instance actually read (tests prove the cache with it). */
  computed = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly log: FastifyBaseLogger,
    private readonly onHashed: HashListener,
  ) {}

  /** Cached hashes of these files, where size and mtime still match. Redis errors count as "none". */
  async cached(targets: readonly HashTarget[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < targets.length; i += 500) {
      const chunk = targets.slice(i, i + 500);
      let raws: (string | null)[];
      try {
        raws = await this.redis.hmget(this.key, ...chunk.map((t) => t.path));
      } catch (err) {
        this.log.warn({ err: { message: (err as Error).message } }, 'model hash cache unreadable');
        return out;
      }
      chunk.forEach((t, k) => {
        const hit = parseCached(raws[k] ?? null);
        if (hit && hit.size === t.size && hit.mtimeMs === t.mtimeMs) out.set(t.path, hit.sha256);
      });
    }
    return out;
  }

  status(filePath: string): 'queued' | 'hashing' | undefined {
    if (this.current?.path === filePath) return 'hashing';
    return this.queued.has(filePath) ? 'queued' : undefined;
  }

  /** Adds files to the queue (`first`: ahead of the background backlog, for a user who asked). */
  enqueue(targets: readonly HashTarget[], first = false): void {
    if (this.closed) return;
    const fresh = targets.filter((t) => !this.queued.has(t.path) && this.current?.path !== t.path);
    for (const t of fresh) this.queued.add(t.path);
    if (first) this.queue.unshift(...fresh);
    else this.queue.push(...fresh);
    if (fresh.length > 0 && !this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
  }

  /** Resolves when the queue is empty (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.queued.clear();
    this.current?.stream?.destroy();
    await this.running?.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    for (let target = this.queue.shift(); target && !this.closed; target = this.queue.shift()) {
      this.queued.delete(target.path);
      this.current = { path: target.path };
      try {
        const sha256 = (await this.cached([target])).get(target.path) ?? (await this.hashIfUnchanged(target));
        if (sha256 && !this.closed) this.onHashed(target, sha256);
      } catch (err) {
        if (!this.closed) this.log.warn({ err: { message: (err as Error).message }, file: target.path }, 'model hash failed');
      } finally {
        this.current = null;
      }
    }
  }

  /** Hashes the file and stores the result, unless the file changed since the scan (or while reading). */
  private async hashIfUnchanged(target: HashTarget): Promise<string | undefined> {
    if (!(await sameVersion(target))) return undefined;
    const hash = createHash('sha256');
    const stream = createReadStream(target.path, { highWaterMark: CHUNK_BYTES });
    if (this.current) this.current.stream = stream;
    for await (const chunk of stream) hash.update(chunk as Buffer);
    if (this.closed || !(await sameVersion(target))) return undefined;
    const sha256 = hash.digest('hex');
    this.computed++;
    const value: CachedHash = { size: target.size, mtimeMs: target.mtimeMs, sha256 };
    await this.redis.hset(this.key, target.path, JSON.stringify(value)).catch((err: Error) => {
      this.log.warn({ err: { message: err.message } }, 'model hash not cached');
    });
    return sha256;
  }
}

async function sameVersion(t: HashTarget): Promise<boolean> {
  const s = await stat(t.path).catch(() => null);
  return s !== null && s.size === t.size && Math.trunc(s.mtimeMs) === t.mtimeMs;
}

function parseCached(raw: string | null): CachedHash | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<CachedHash>;
    if (typeof v.size === 'number' && typeof v.mtimeMs === 'number' && typeof v.sha256 === 'string' && /^[0-9a-f]{64}$/.test(v.sha256)) {
      return { size: v.size, mtimeMs: v.mtimeMs, sha256: v.sha256 };
    }
  } catch {
    // a value someone else wrote: treat as absent
  }
  return null;
}
