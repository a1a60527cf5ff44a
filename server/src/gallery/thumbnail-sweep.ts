import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys } from '@orchestrator/shared';

/*
 * Now and then, the thumbnail cache loses what no asset needs any more: thumbnails of files deleted
 * outside the app (the watcher drops their records, nothing else touches their thumbnails), superseded
 * versions and temp files a crash left — on disk (ThumbnailService.prune) or in the bucket
 * (ObjectThumbnailPruner). An asset in the trash keeps its thumbnail (the trash view shows it); purging
 * it deletes it there and then (routes/trash.ts).
 */

/** Answers which of these asset ids still exist (in the gallery or the trash). */
export type LiveAssetIds = (ids: readonly string[]) => Promise<ReadonlySet<string>>;

/** A thumbnail store the sweep can prune; returns how many thumbnails it deleted. */
export interface ThumbnailPruner {
  prune(liveOf: LiveAssetIds): Promise<number>;
}

const FIRST_SWEEP_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 6 * 3600_000;

/** Which of these asset ids are in the gallery or the trash: one round trip for a shard's worth. */
export function liveAssetIds(redis: Redis, keyPrefix: string): LiveAssetIds {
  const keys = redisKeys(keyPrefix);
  return async (ids) => {
    if (ids.length === 0) return new Set();
    const pipe = redis.pipeline();
    for (const id of ids) pipe.exists(keys.asset(id), keys.gallery.trashItem(id));
    const answers = (await pipe.exec()) ?? [];
    // An id Redis could not answer for is kept: a sweep never deletes on doubt.
    return new Set(ids.filter((_, i) => {
      const [err, n] = answers[i] ?? [null, 0];
      return err !== null || Number(n) > 0;
    }));
  };
}

export interface SweepOptions {
  thumbnails: ThumbnailPruner;
  redis: Redis;
  keyPrefix: string;
  log: Pick<Logger, 'info' | 'warn'>;
  firstAfterMs?: number;
  everyMs?: number;
}

/** Starts the periodic sweep; the returned function stops it (and waits for a sweep under way). */
export function startThumbnailSweep(o: SweepOptions): () => Promise<void> {
  const liveOf = liveAssetIds(o.redis, o.keyPrefix);
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const sweep = async () => {
    try {
      const deleted = await o.thumbnails.prune(liveOf);
      if (deleted > 0) o.log.info({ deleted }, 'thumbnail cache swept');
    } catch (err) {
      o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'thumbnail sweep failed');
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        running = null;
        schedule(o.everyMs ?? SWEEP_EVERY_MS);
      });
    }, ms);
    timer.unref();
  };
  schedule(o.firstAfterMs ?? FIRST_SWEEP_MS);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
