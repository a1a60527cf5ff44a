import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/*
 * A counting semaphore in Redis, shared by every worker process: one sorted set per pool, whose
 * members are the holders (job ids) scored by when their lease runs out. Acquiring drops expired
 * leases first, so a crashed worker's slots free themselves after `ttlMs`; a live holder renews every
 * ttl/3. A job may need several pools at once (every BFL task counts against the account's 24, a
 * flux-kontext-max task also against its own 6): they are taken all or none, in one Lua script.
 * The same holder acquiring again (a retried job) keeps its slot instead of taking a second one.
 */

// KEYS: the pools. ARGV: holder, ttlMs, then one limit per pool. Returns 1 when every pool had room.
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[1])
  redis.call('PEXPIRE', key, ttl * 2)
end
return 1
`;

// Re-adds unconditionally: the holder's work is really in flight, so it counts even if its lease had lapsed.
const RENEW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2]) * 2)
end
return 1
`;

const RELEASE_LUA = `for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end return 1`;

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
      await this.redis.eval(RENEW_LUA, this.keys.length, ...this.keys, this.holder, this.ttlMs);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'semaphore lease renewal failed');
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.redis.eval(RELEASE_LUA, this.keys.length, ...this.keys, this.holder);
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
    const ok = (await this.redis.eval(ACQUIRE_LUA, keys.length, ...keys, holder, this.ttlMs, ...pools.map((p) => p.limit))) as number;
    return ok === 1 ? new SemaphoreLease(this.redis, keys, holder, this.ttlMs, this.log) : null;
  }

  /** Live holders of a pool (expired leases not counted). */
  async holders(key: string): Promise<string[]> {
    const [secs, micros] = (await this.redis.time()) as [string | number, string | number];
    const now = Number(secs) * 1000 + Math.floor(Number(micros) / 1000);
    return this.redis.zrangebyscore(key, `(${now}`, '+inf');
  }
}
