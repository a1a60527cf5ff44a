import { describe, expect, it } from 'vitest';
import { PoolFullError, WorkPool } from './thumbnail-pool.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkPool', () => {
  it('runs at most `concurrency` tasks at once and the rest in order', async () => {
    const pool = new WorkPool<number>({ concurrency: 2, maxQueued: 10 });
    const gates = [0, 1, 2, 3].map(() => deferred<number>());
    const order: number[] = [];
    const results = gates.map((g, i) =>
      pool.run(`k${i}`, () => {
        order.push(i);
        return g.promise;
      }),
    );
    expect(pool.stats()).toMatchObject({ running: 2, queued: 2 });
    gates.forEach((g, i) => g.resolve(i * 10));
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30]);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(pool.stats()).toMatchObject({ started: 4, running: 0, queued: 0 });
  });

  it('shares one task between callers of the same key', async () => {
    const pool = new WorkPool<string>({ concurrency: 1, maxQueued: 10 });
    const gate = deferred<string>();
    let calls = 0;
    const task = () => {
      calls++;
      return gate.promise;
    };
    const all = Promise.all([pool.run('a', task), pool.run('a', task), pool.run('a', task)]);
    gate.resolve('done');
    expect(await all).toEqual(['done', 'done', 'done']);
    expect(calls).toBe(1);
    expect(pool.stats()).toMatchObject({ started: 1, shared: 2 });
  });

  it('refuses new keys beyond the queue cap, but still lets callers join queued ones', async () => {
    const pool = new WorkPool<number>({ concurrency: 1, maxQueued: 1 });
    const gate = deferred<number>();
    const running = pool.run('a', () => gate.promise);
    const queued = pool.run('b', async () => 2);
    await expect(pool.run('c', async () => 3)).rejects.toBeInstanceOf(PoolFullError);
    const joined = pool.run('b', async () => 99);
    gate.resolve(1);
    expect(await Promise.all([running, queued, joined])).toEqual([1, 2, 2]);
    expect(pool.stats().refused).toBe(1);
  });

  it('drops a queued task once every caller has aborted, and rejects those callers', async () => {
    const pool = new WorkPool<number>({ concurrency: 1, maxQueued: 5 });
    const gate = deferred<number>();
    const running = pool.run('a', () => gate.promise);
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    let ran = false;
    const task = async () => {
      ran = true;
      return 2;
    };
    const w1 = pool.run('b', task, ac1.signal);
    const w2 = pool.run('b', task, ac2.signal);
    ac1.abort();
    await expect(w1).rejects.toBeDefined();
    expect(pool.stats()).toMatchObject({ queued: 1, dropped: 0 });
    ac2.abort();
    await expect(w2).rejects.toBeDefined();
    expect(pool.stats()).toMatchObject({ queued: 0, dropped: 1 });
    gate.resolve(1);
    await running;
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toBe(false);
    expect(pool.stats().started).toBe(1);
  });

  it('hands a task failure to every caller and keeps going', async () => {
    const pool = new WorkPool<number>({ concurrency: 1, maxQueued: 5 });
    const fail = () => Promise.reject(new Error('boom'));
    await expect(Promise.all([pool.run('x', fail), pool.run('x', fail)])).rejects.toThrow('boom');
    expect(await pool.run('y', async () => 7)).toBe(7);
  });
});
