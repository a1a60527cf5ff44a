/*
 * The startup rescan: walks OUTPUT_PATH, re-reads only files whose size or mtime (or sidecar) changed
 * since they were indexed, and removes records whose files are gone. One server instance at a time runs
 * it (a Redis lock with a token, renewed while it runs); the others rely on it and on their watchers.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import pLimit from 'p-limit';
import type { FastifyBaseLogger } from 'fastify';
import { RELEASE_TOKEN_LOCK, RENEW_TOKEN_LOCK, SITE_MANIFEST, assetIdForPath, idsOfSlots, indexedHeads, redisKeys, type Asset, type PutOptions, type RedisKeys } from '@orchestrator/shared';
import type { FileStat } from './asset-reader.js';
import type { Candidate, GalleryIndexer, KnownRecord } from './indexer.js';
import { MEDIA_BY_EXT, SIDECAR_SUFFIX, isIgnoredName } from './scan-rules.js';

const BATCH = 128;
const CONCURRENCY = 8;
const MAX_BATCHES_IN_FLIGHT = 1;
const LOCK_TTL_MS = 60_000;
/** Past this many changes in one run, (re)indexed files no longer each send `asset.added` (a rebuild would flood clients). */
const MAX_EVENTS = 1000;

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

/** The index slots a rescan has met (a bitmap: a million of them take 125 KB, not a Set of ids). */
class SlotSet {
  private bits = new Uint8Array(8192);
  add(slot: number): void {
    const byte = slot >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (slot & 7);
  }
  has(slot: number): boolean {
    return ((this.bits[slot >> 3] ?? 0) & (1 << (slot & 7))) !== 0;
  }
}

export class Rescanner {
  private readonly lockKey: string;
  private readonly timeKey: string;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly indexer: GalleryIndexer,
  ) {
    this.keys = redisKeys(keyPrefix);
    this.lockKey = this.keys.gallery.rescanLock;
    this.timeKey = this.keys.assetsByTime;
  }

  /** Runs the rescan unless another instance holds the lock (then `ran` is false). */
  async run(opts: RescanOptions = {}): Promise<RescanResult> {
    const started = performance.now();
    const token = randomBytes(8).toString('hex');
    const got = await this.redis.set(this.lockKey, token, 'PX', LOCK_TTL_MS, 'NX');
    if (got !== 'OK') return { ran: false, files: 0, indexed: 0, removed: 0, ms: 0 };
    const renew = setInterval(() => void RENEW_TOKEN_LOCK.run(this.redis, 1, this.lockKey, token, LOCK_TTL_MS).catch(() => undefined), LOCK_TTL_MS / 3);
    renew.unref();
    try {
      const result = await this.scan(opts);
      return { ran: true, ...result, ms: Math.round(performance.now() - started) };
    } finally {
      clearInterval(renew);
      await RELEASE_TOKEN_LOCK.run(this.redis, 1, this.lockKey, token).catch(() => undefined);
    }
  }

  /*
   * Batches overlap: while Redis runs the puts of one batch, the next one is walked, stat'ed and read.
   * What the index holds for each file (slot and signature) comes over a connection of its own, so
   * that read does not queue behind the puts. What was seen is kept by slot.
   */
  private async scan(opts: RescanOptions): Promise<Omit<RescanResult, 'ran' | 'ms'>> {
    const seen = new SlotSet();
    const counts = { files: 0, indexed: 0, removed: 0 };
    const skip = new Set((opts.skip ?? []).map((p) => path.resolve(p)));
    const reads = this.redis.duplicate();
    const inflight: Promise<void>[] = [];
    try {
      for await (const batch of walk(this.indexer.outputPath, skip, opts.signal)) {
        const ids = batch.map((c) => assetIdForPath(c.relPath));
        counts.files += batch.length;
        const stats = await Promise.all(batch.map((c) => this.indexer.reader.stat(c.relPath, c.target, c.hasSidecar)));
        const known = await indexedHeads(reads, this.keys, ids);
        inflight.push(this.indexBatch(batch, stats, known, counts, seen, opts));
        while (inflight.length > MAX_BATCHES_IN_FLIGHT) await inflight.shift();
      }
      await Promise.all(inflight);
    } finally {
      reads.disconnect();
    }
    if (!opts.signal?.aborted) counts.removed += await this.removeUnseen(seen, opts.signal);
    return counts;
  }

  /**
   * One batch: files whose signature changed are read (a few at a time: a video probe waits on
   * ffprobe), then all their records are written in one pipeline.
   */
  private async indexBatch(
    batch: Candidate[],
    stats: (FileStat | null)[],
    known: (KnownRecord | null)[],
    counts: { indexed: number; removed: number },
    seen: SlotSet,
    opts: RescanOptions,
  ): Promise<void> {
    const see = (slot: number) => seen.add(slot);
    const writes: { i: number; asset: Asset; opts: PutOptions }[] = [];
    const warn = (i: number, err: unknown) => opts.log?.warn({ err: { message: (err as Error).message }, relPath: batch[i]!.relPath }, 'gallery: cannot index file');
    await pLimit(CONCURRENCY).map(
      batch.map((_, i) => i),
      async (i) => {
        try {
          const st = stats[i];
          if (!st) {
            if ((await this.indexer.syncFile(batch[i]!, null, null)) === 'removed') counts.removed++;
            return;
          }
          const next = await this.indexer.prepare(batch[i]!, st, known[i] ?? null, { event: counts.indexed + writes.length < MAX_EVENTS, seen: see });
          if (next.kind === 'write') writes.push({ i, asset: next.asset, opts: next.put });
        } catch (err) {
          warn(i, err);
        }
      },
    );
    const results = await this.indexer.store.writeMany(writes);
    results.forEach((res, k) => {
      if (res instanceof Error) return warn(writes[k]!.i, res);
      seen.add(res.slot);
      counts.indexed++;
    });
  }

  /** Records the walk did not meet: each is checked on its own (a file added during the walk stays). */
  private async removeUnseen(seen: SlotSet, signal?: AbortSignal): Promise<number> {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(this.timeKey, cursor, 'COUNT', 1000);
      cursor = next;
      const slots: number[] = [];
      for (let i = 0; i < flat.length; i += 2) if (!seen.has(Number(flat[i]))) slots.push(Number(flat[i]));
      if (slots.length === 0) continue;
      const unseen = (await idsOfSlots(this.redis, this.keys, slots)).filter((id) => id !== '');
      const records = await this.indexer.store.getMany(unseen);
      const found = new Set(records.map((r) => r.id));
      for (const id of unseen) if (!found.has(id) && (await this.indexer.store.remove(id))) removed++;
      for (const rec of records) {
        const outcome = await this.indexer.syncPath(rec.relPath).catch(() => 'absent' as const);
        if (outcome === 'removed') removed++;
      }
    } while (cursor !== '0' && !signal?.aborted);
    return removed;
  }
}
