import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LuaScript } from '@orchestrator/shared';

/*
 * A counting semaphore in Redis, shared by every worker process: one sorted set per pool, whose
 * members are the holders (job ids) scored by when their lease runs out. Acquiring drops expired
 * leases first, so a crashed worker's slots free themselves after `ttlMs`; a live holder renews every
 * ttl/3. A job may need several pools at once (every BFL task counts against the account's 24, a
 * flux-kontext-max task also against its own 6): they are taken all or none, in one Lua script.
 * The same holder acquiring again (a retried job) keeps its slot instead of taking a second one.
 */

// KEYS: the pools (taken all or none). ARGV: holder, ttlMs, then one limit per pool. Returns 1 when every pool had room.
const ACQUIRE_LUA = LuaScript.fromFile(new URL('../../../lua/semaphore/acquire.lua', import.meta.url));
// Re-adds unconditionally: the holder's work is really in flight, so it counts even if its lease had lapsed.
const RENEW_LUA = LuaScript.fromFile(new URL('../../../lua/semaphore/renew.lua', import.meta.url));
const RELEASE_LUA = LuaScript.fromFile(new URL('../../../lua/semaphore/release.lua', import.meta.url));

export interface SemaphorePool {
  /** Redis key of the pool. */
  key: string;
  limit: number;
}

export class SemaphoreLease {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: string[],
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      await RENEW_LUA.run(this.redis, this.keys.length, ...this.keys, this.holder, this.ttlMs);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'semaphore lease renewal failed');
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await RELEASE_LUA.run(this.redis, this.keys.length, ...this.keys, this.holder);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'semaphore lease release failed');
    }
  }
}

export class RedisSemaphore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** A slot in every pool for `holder`, or null when any pool is full. */
  async acquire(holder: string, pools: readonly SemaphorePool[]): Promise<SemaphoreLease | null> {
    const keys = pools.map((p) => p.key);
    const ok = (await ACQUIRE_LUA.run(this.redis, keys.length, ...keys, holder, this.ttlMs, ...pools.map((p) => p.limit))) as number;
    return ok === 1 ? new SemaphoreLease(this.redis, keys, holder, this.ttlMs, this.log) : null;
  }

  /** Live holders of a pool (expired leases not counted). */
  async holders(key: string): Promise<string[]> {
    const [secs, micros] = (await this.redis.time()) as [string | number, string | number];
    const now = Number(secs) * 1000 + Math.floor(Number(micros) / 1000);
    return this.redis.zrangebyscore(key, `(${now}`, '+inf');
  }
}
