import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

/**
 * A Lua script sent by its SHA1 (EVALSHA), and in full only when Redis does not know it yet (after a
 * restart or SCRIPT FLUSH). Scripts the indexer runs thousands of times a second should not travel
 * whole each time.
 */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Many runs in one write to the socket (a pipeline), for callers that have a batch ready (the gallery
   * rescan: one syscall for 128 puts instead of 128). Each result is the script's reply or its Error.
   */
  async runMany(redis: Redis, calls: { numKeys: number; args: (string | number)[] }[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const send = async () => {
      const pipe: ChainableCommander = redis.pipeline();
      for (const c of calls) pipe.evalsha(this.sha, c.numKeys, ...c.args);
      return ((await pipe.exec()) ?? []).map(([err, res]) => err ?? res);
    };
    let out = await send();
    if (out.some((r) => r instanceof Error && r.message.startsWith('NOSCRIPT'))) {
      await redis.script('LOAD', this.source);
      out = await send();
    }
    return out;
  }

  async run(redis: Redis, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, numKeys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, numKeys, ...args);
    }
  }
}
