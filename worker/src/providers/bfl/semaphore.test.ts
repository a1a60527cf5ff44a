import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisSemaphore } from './semaphore.js';

const prefix = `test-worker-sem-${randomUUID().slice(0, 8)}`;
const log = pino({ level: 'silent' });
let redis: Redis;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379');
});

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
});

const pool = (name: string, limit: number) => ({ key: `${prefix}:${name}`, limit });

describe('RedisSemaphore', () => {
  it('hands out at most `limit` slots and frees one on release', async () => {
    const sem = new RedisSemaphore(redis, 10_000, log);
    const p = pool('a', 2);
    const one = await sem.acquire('job-1', [p]);
    const two = await sem.acquire('job-2', [p]);
    expect(one && two).toBeTruthy();
    expect(await sem.acquire('job-3', [p])).toBeNull();
    await one!.release();
    const three = await sem.acquire('job-3', [p]);
    expect(three).not.toBeNull();
    expect((await sem.holders(p.key)).sort()).toEqual(['job-2', 'job-3']);
    await Promise.all([two!.release(), three!.release()]);
  });

  it('lets the same holder (a retried job) keep its slot instead of taking another', async () => {
    const sem = new RedisSemaphore(redis, 10_000, log);
    const p = pool('b', 1);
    const first = await sem.acquire('job-1', [p]);
    const again = await sem.acquire('job-1', [p]);
    expect(again).not.toBeNull();
    expect(await sem.holders(p.key)).toEqual(['job-1']);
    await first!.release();
    await again!.release();
  });

  it('frees the slot of a holder that stopped renewing (a crashed worker) once its lease runs out', async () => {
    const sem = new RedisSemaphore(redis, 300, log);
    const p = pool('c', 1);
    const crashed = await sem.acquire('job-1', [p]);
    expect(crashed).not.toBeNull();
    clearInterval((crashed as unknown as { timer: NodeJS.Timeout }).timer); // it stops renewing, as if killed
    expect(await sem.acquire('job-2', [p])).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    const next = await sem.acquire('job-2', [p]);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('keeps a live holder past its ttl by renewing', async () => {
    const sem = new RedisSemaphore(redis, 300, log);
    const p = pool('d', 1);
    const live = await sem.acquire('job-1', [p]);
    await new Promise((r) => setTimeout(r, 700));
    expect(await sem.acquire('job-2', [p])).toBeNull();
    await live!.release();
  });

  it('takes every pool or none (kontext-max needs the account pool and its own)', async () => {
    const sem = new RedisSemaphore(redis, 10_000, log);
    const account = pool('e-all', 3);
    const kontext = pool('e-kmax', 1);
    const k1 = await sem.acquire('job-1', [account, kontext]);
    expect(k1).not.toBeNull();
    expect(await sem.acquire('job-2', [account, kontext])).toBeNull();
    expect(await sem.holders(account.key)).toEqual(['job-1']); // the refused one took nothing
    const other = await sem.acquire('job-3', [account]);
    expect(other).not.toBeNull();
    await Promise.all([k1!.release(), other!.release()]);
    expect(await sem.holders(account.key)).toEqual([]);
  });
});
