/*
 * The startup rescan: walks OUTPUT_PATH, re-reads only files whose size or mtime (or sidecar) changed
 * since they were indexed, and removes records whose files are gone. One server instance at a time runs
 * it (a Redis lock with a token, renewed while it runs); the others rely on it and on their watchers.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { SITE_MANIFEST, assetIdForPath, redisKeys } from '@orchestrator/shared';
import type { FileStat } from './asset-reader.js';
import type { Candidate, GalleryIndexer } from './indexer.js';
import { MEDIA_BY_EXT, SIDECAR_SUFFIX, isIgnoredName } from './scan-rules.js';

const BATCH = 128;
const CONCURRENCY = 8;
const MAX_BATCHES_IN_FLIGHT = 1;
const LOCK_TTL_MS = 60_000;
/** Past this many changes in one run, (re)indexed files no longer each send `asset.added` (a rebuild would flood clients). */
const MAX_EVENTS = 1000;

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface RescanResult {
  ran: boolean;
  files: number;
  indexed: number;
  removed: number;
  ms: number;
}

export interface RescanOptions {
  /** Absolute folders never to descend into (the trash, when DATA_PATH is inside OUTPUT_PATH). */
  skip?: string[];
  signal?: AbortSignal;
  log?: FastifyBaseLogger;
}

/** Every candidate file under `root`, a directory at a time. Symlinks are not followed. */
async function* walk(root: string, skip: Set<string>, signal?: AbortSignal): AsyncGenerator<Candidate[]> {
  const stack = [''];
  while (stack.length > 0 && !signal?.aborted) {
    const rel = stack.pop()!;
    const abs = rel === '' ? root : path.join(root, ...rel.split('/'));
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: its records are checked one by one at the end
    }
    const names = new Set(entries.map((e) => e.name));
    const join = (name: string) => (rel === '' ? name : `${rel}/${name}`);
    if (rel !== '' && names.has(SITE_MANIFEST)) {
      yield [{ relPath: join(SITE_MANIFEST), target: { kind: 'site' }, hasSidecar: false }];
      continue; // a site's folder holds its own files, not gallery assets
    }
    const out: Candidate[] = [];
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      if (e.isDirectory()) {
        if (!skip.has(path.join(abs, e.name))) stack.push(join(e.name));
        continue;
      }
      if (!e.isFile()) continue;
      const media = MEDIA_BY_EXT[path.extname(e.name).toLowerCase()];
      if (!media) continue;
      out.push({ relPath: join(e.name), target: { kind: 'media', ...media }, hasSidecar: names.has(e.name + SIDECAR_SUFFIX) });
    }
    for (let i = 0; i < out.length; i += BATCH) yield out.slice(i, i + BATCH);
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export class Rescanner {
  private readonly lockKey: string;
  private readonly timeKey: string;
  private readonly sigKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly indexer: GalleryIndexer,
  ) {
    const keys = redisKeys(keyPrefix);
    this.lockKey = keys.gallery.rescanLock;
    this.timeKey = keys.assetsByTime;
    this.sigKey = keys.gallery.signatures;
  }

  /** Runs the rescan unless another instance holds the lock (then `ran` is false). */
  async run(opts: RescanOptions = {}): Promise<RescanResult> {
    const started = performance.now();
    const token = randomBytes(8).toString('hex');
    const got = await this.redis.set(this.lockKey, token, 'PX', LOCK_TTL_MS, 'NX');
    if (got !== 'OK') return { ran: false, files: 0, indexed: 0, removed: 0, ms: 0 };
    const renew = setInterval(() => void this.redis.eval(RENEW_LUA, 1, this.lockKey, token, LOCK_TTL_MS).catch(() => undefined), LOCK_TTL_MS / 3);
    renew.unref();
    try {
      const result = await this.scan(opts);
      return { ran: true, ...result, ms: Math.round(performance.now() - started) };
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE_LUA, 1, this.lockKey, token).catch(() => undefined);
    }
  }

  /*
   * Batches overlap: while Redis runs the puts of one batch, the next one is walked, stat'ed and read.
   * Stored signatures come over a connection of their own, so that read does not queue behind the puts.
   */
  private async scan(opts: RescanOptions): Promise<Omit<RescanResult, 'ran' | 'ms'>> {
    const seen = new Set<string>();
    const counts = { files: 0, indexed: 0, removed: 0 };
    const skip = new Set((opts.skip ?? []).map((p) => path.resolve(p)));
    const reads = this.redis.duplicate();
    const inflight: Promise<void>[] = [];
    try {
      for await (const batch of walk(this.indexer.outputPath, skip, opts.signal)) {
        const ids = batch.map((c) => assetIdForPath(c.relPath));
        for (const id of ids) seen.add(id);
        counts.files += batch.length;
        const stats = await Promise.all(batch.map((c) => this.indexer.reader.stat(c.relPath, c.target, c.hasSidecar)));
        const known = await reads.hmget(this.sigKey, ...ids);
        inflight.push(this.indexBatch(batch, stats, known, counts, opts));
        while (inflight.length > MAX_BATCHES_IN_FLIGHT) await inflight.shift();
      }
      await Promise.all(inflight);
    } finally {
      reads.disconnect();
    }
    if (!opts.signal?.aborted) counts.removed += await this.removeUnseen(seen, opts.signal);
    return counts;
  }

  private indexBatch(batch: Candidate[], stats: (FileStat | null)[], known: (string | null)[], counts: { indexed: number; removed: number }, opts: RescanOptions): Promise<void> {
    return mapLimit(
      batch.map((_, i) => i),
      CONCURRENCY,
      async (i) => {
        try {
          const outcome = await this.indexer.syncFile(batch[i]!, stats[i]!, known[i] ?? null, { event: counts.indexed < MAX_EVENTS });
          if (outcome === 'indexed') counts.indexed++;
          if (outcome === 'removed') counts.removed++;
        } catch (err) {
          opts.log?.warn({ err: { message: (err as Error).message }, relPath: batch[i]!.relPath }, 'gallery: cannot index file');
        }
      },
    );
  }

  /** Records the walk did not meet: each is checked on its own (a file added during the walk stays). */
  private async removeUnseen(seen: Set<string>, signal?: AbortSignal): Promise<number> {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(this.timeKey, cursor, 'COUNT', 1000);
      cursor = next;
      const unseen: string[] = [];
      for (let i = 0; i < flat.length; i += 2) if (!seen.has(flat[i]!)) unseen.push(flat[i]!);
      const records = await this.indexer.store.getMany(unseen);
      const orphans = unseen.filter((id) => !records.some((r) => r.id === id));
      for (const id of orphans) if (await this.indexer.store.remove(id)) removed++;
      for (const rec of records) {
        const outcome = await this.indexer.syncPath(rec.relPath).catch(() => 'absent' as const);
        if (outcome === 'removed') removed++;
      }
    } while (cursor !== '0' && !signal?.aborted);
    return removed;
  }
}
