import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/*
 * A ComfyUI GPU runs one prompt at a time, and several worker processes may each have a consumer for
 * the same backend: whoever runs a prompt there holds `backendLease(id)`. The value names the holder
 * and the job, so the next holder of the same job (a crashed worker's job, re-delivered by BullMQ
 * after its lock expired) can take the lease over instead of waiting for it to expire.
 */

const ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] or string.sub(cur, -string.len(ARGV[3])) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class BackendLease {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly value: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** The lease, or null when another job holds it. */
  static async acquire(redis: Redis, key: string, holder: string, jobId: string, ttlMs: number, log: Logger): Promise<BackendLease | null> {
    const value = `${holder}|${jobId}`;
    const ok = (await redis.eval(ACQUIRE_LUA, 1, key, value, ttlMs, `|${jobId}`)) as number;
    if (ok !== 1) return null;
    const lease = new BackendLease(redis, key, value, ttlMs, log);
    lease.timer = setInterval(() => void lease.renew(), Math.max(100, Math.floor(ttlMs / 3)));
    lease.timer.unref();
    return lease;
  }

  private async renew(): Promise<void> {
    try {
      const ok = (await this.redis.eval(RENEW_LUA, 1, this.key, this.value, this.ttlMs)) as number;
      if (ok !== 1) this.log.warn({ key: this.key }, 'backend lease lost');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'backend lease renewal failed');
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.redis.eval(RELEASE_LUA, 1, this.key, this.value);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'backend lease release failed');
    }
  }
}
