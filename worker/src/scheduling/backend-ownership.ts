import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LuaScript, RELEASE_TOKEN_LOCK, type SchedKeys } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';

/*
 * Exactly one worker process drives a backend: the holder of its owner key (SET NX PX, renewed every
 * tick). The workers that drive backends beat in their own set each tick, and the live ones split the
 * backends between them: each wants its quota (an even share, the extra ones going to the first ids in
 * order), takes free backends up to it, and gives one back when it holds more and none is free (once
 * the backend's jobs end: `onRelease`). A dead worker drops out of the live set (liveWindowMs) before
 * its keys expire (ttlMs), so the survivors' quotas already count its backends when they come free:
 * they are driven again within ttl + a tick. A worker at its quota still takes a backend that stays free
 * for two ticks, so no backend is left without a driver. See docs/scheduling.md.
 */

export interface OwnershipOptions {
  redis: Redis;
  keys: SchedKeys;
  workerId: string;
  backends: readonly string[];
  log: Logger;
  /** This process now drives the backend (the tick waits for it to be set up). */
  onAcquired(backend: string): Promise<void>;
  /** Another worker holds the backend now (this one failed to renew in time): stop driving it at once. */
  onLost(backend: string): void;
  /** Give the backend up once its jobs are done, then call release(). */
  onRelease(backend: string): void;
  ttlMs?: number;
  tickMs?: number;
  /** A worker that has not beaten for this long is not counted when splitting (keep it below ttlMs). */
  liveWindowMs?: number;
}

// Renews every owner key still ours; returns the list of 1/0 per key.
const RENEW_LUA = LuaScript.fromFile(new URL('../../lua/ownership/renew-many.lua', import.meta.url));

/** This worker's even share of `total` backends among the sorted live worker ids. */
function quotaOf(live: readonly string[], me: string, total: number): number {
  const ids = live.includes(me) ? live : [...live, me].sort();
  const n = ids.length;
  const i = ids.indexOf(me);
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

export class BackendOwnership {
  readonly owned = new Set<string>();
  private readonly releasing = new Set<string>();
  /** Backends seen without an owner at the last tick. */
  private seenFree = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private taking = true;
  private readonly ttlMs: number;
  private readonly tickMs: number;
  private readonly liveWindowMs: number;

  constructor(private readonly o: OwnershipOptions) {
    this.ttlMs = o.ttlMs ?? 4000;
    this.tickMs = o.tickMs ?? 1000;
    this.liveWindowMs = o.liveWindowMs ?? Math.round(this.ttlMs * 0.625);
  }

  /**
   * Ticks now and then every tickMs; resolves once the first tick has taken what it could. The keys of
   * the backends held are renewed on a beat of their own: a tick can wait seconds for a newly taken
   * backend to be set up (probing a slow ComfyUI), longer than a lease.
   */
  start(): Promise<void> {
    this.renewTimer = setInterval(() => void this.renewOnce(), Math.max(50, Math.min(this.tickMs, Math.floor(this.ttlMs / 3))));
    this.renewTimer.unref();
    let first: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (first = resolve));
    const loop = () => {
      if (this.stopped) return first();
      this.ticking = this.tick()
        .catch((err: unknown) => this.o.log.warn({ err: errorMessage(err) }, 'ownership tick failed'))
        .finally(() => {
          this.ticking = null;
          first();
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.tickMs);
            this.timer.unref();
          }
        });
    };
    loop();
    return started;
  }

  /** Runs a tick now (a worker joined or left; tests). */
  async tickNow(): Promise<void> {
    await this.ticking;
    await this.tick();
  }

  isReleasing(backend: string): boolean {
    return this.releasing.has(backend);
  }

  /** Gives the backend up (its driver has no job left). */
  async release(backend: string): Promise<void> {
    this.owned.delete(backend);
    this.releasing.delete(backend);
    try {
      await RELEASE_TOKEN_LOCK.run(this.o.redis, 1, this.o.keys.owner(backend), this.o.workerId);
    } catch (err) {
      this.o.log.warn({ backend, err: errorMessage(err) }, 'could not release the backend');
    }
    this.o.log.info({ backend }, 'backend released');
  }

  /**
   * Takes no more backends and gives none away, but keeps renewing the ones it has: a stopping worker
   * still drives them while its running jobs finish. stop() after releasing them.
   */
  async stopTaking(): Promise<void> {
    this.taking = false;
    await this.ticking;
  }

  /** Stops ticking and leaves the live set; the caller releases the backends once their jobs are handed back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.ticking;
    await this.renewing;
    await this.o.redis.zrem(this.o.keys.owners, this.o.workerId).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const { redis, keys, workerId, backends } = this.o;
    if (backends.length === 0) return;
    // Renewal is the beat's alone (start()): one renewal a beat, whatever the ticks do.
    const now = Date.now();
    const [, live, owners] = await Promise.all([
      redis.zadd(keys.owners, now, workerId),
      redis.zrangebyscore(keys.owners, now - this.liveWindowMs, '+inf'),
      redis.mget(...backends.map((b) => keys.owner(b))),
    ]);
    // Beats older than a minute belong to workers long gone.
    void redis.zremrangebyscore(keys.owners, '-inf', now - 60_000).catch(() => undefined);
    if (this.stopped || !this.taking) return;
    live.sort();
    const quota = quotaOf(live, workerId, backends.length);
    const free = backends.filter((_, i) => owners[i] === null);
    // Start where this worker's index points, so simultaneous workers reach for different backends first.
    const offset = Math.max(0, live.indexOf(workerId)) % backends.length;
    const order = [...backends.slice(offset), ...backends.slice(0, offset)].filter((b) => free.includes(b));
    for (const b of order) {
      const under = this.owned.size < quota;
      if (!under && !this.seenFree.has(b)) continue;
      const ok = await redis.set(keys.owner(b), workerId, 'PX', this.ttlMs, 'NX');
      if (ok === 'OK' && !this.stopped) {
        this.owned.add(b);
        this.o.log.info({ backend: b, quota, live: live.length }, under ? 'backend acquired' : 'backend without an owner taken over');
        await this.o.onAcquired(b);
      }
    }
    this.seenFree = new Set(free.filter((b) => !this.owned.has(b)));
    const excess = this.owned.size - this.releasing.size - quota;
    if (excess > 0 && this.seenFree.size === 0) {
      const candidates = [...this.owned].filter((b) => !this.releasing.has(b)).reverse();
      for (const b of candidates.slice(0, excess)) {
        this.releasing.add(b);
        this.o.log.info({ backend: b, quota }, 'handing the backend to another worker once its jobs end');
        this.o.onRelease(b);
      }
    }
  }

  /** One renewal at a time (the beat and a tick may ask together); a failed one is retried by the next beat. */
  private renewOnce(): Promise<void> {
    this.renewing ??= this.renew()
      .catch((err: unknown) => this.o.log.warn({ err: errorMessage(err) }, 'could not renew backend ownership'))
      .finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async renew(): Promise<void> {
    const mine = [...this.owned];
    if (mine.length === 0) return;
    const res = (await RENEW_LUA.run(this.o.redis, mine.length, ...mine.map((b) => this.o.keys.owner(b)), this.o.workerId, this.ttlMs)) as number[];
    mine.forEach((b, i) => {
      // Released meanwhile (its key deleted on purpose) is not lost.
      if (res[i] === 1 || this.stopped || !this.owned.has(b)) return;
      this.owned.delete(b);
      this.releasing.delete(b);
      this.o.log.warn({ backend: b }, 'backend ownership lost to another worker');
      this.o.onLost(b);
    });
  }
}
