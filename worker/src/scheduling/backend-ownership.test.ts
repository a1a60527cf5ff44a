import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { BackendOwnership } from './backend-ownership.js';
import { createHarness, sleep, waitFor, type Harness } from '../testing/harness.js';

/*
 * Owner keys are renewed on their own beat: setting up a newly taken backend (probing a slow ComfyUI can
 * take several seconds) must not let the keys of the backends this worker already drives expire.
 */

let h: Harness;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  h = await createHarness('ownership');
});

afterAll(async () => {
  await h?.close();
});

describe('backend ownership', () => {
  it('keeps renewing the backends it drives while a newly taken one takes longer than the lease to set up', async () => {
    const ttlMs = 600;
    const lost: string[] = [];
    let slowSetups = 0;
    const ownership = new BackendOwnership({
      redis: h.redis,
      keys: h.keys.sched,
      workerId: 'worker-a',
      backends: ['b1', 'b2'],
      log,
      ttlMs,
      tickMs: 100,
      async onAcquired(backend) {
        // The second backend's set-up hangs for four leases (a ComfyUI that answers slowly).
        if (backend === 'b2') {
          slowSetups++;
          await sleep(4 * ttlMs);
        }
      },
      onLost: (backend) => lost.push(backend),
      onRelease: () => undefined,
    });
    // b2 is held by someone else at first, so b1 is taken alone and b2 comes free a little later.
    await h.redis.set(h.keys.sched.owner('b2'), 'worker-gone', 'PX', 300);
    await ownership.start();
    expect([...ownership.owned]).toEqual(['b1']);
    await waitFor('b2 taken', async () => slowSetups > 0, 5000);
    await sleep(3 * ttlMs);
    expect(lost).toEqual([]);
    expect(await h.redis.get(h.keys.sched.owner('b1'))).toBe('worker-a');
    await waitFor('both held', async () => ownership.owned.size === 2, 5000);
    await ownership.stop();
    expect(lost).toEqual([]);
  }, 15000);

  it('drops a backend whose key another worker holds, and says so once', async () => {
    const lost: string[] = [];
    const ownership = new BackendOwnership({
      redis: h.redis,
      keys: h.keys.sched,
      workerId: 'worker-b',
      backends: ['c1'],
      log,
      ttlMs: 600,
      tickMs: 100,
      onAcquired: async () => undefined,
      onLost: (backend) => lost.push(backend),
      onRelease: () => undefined,
    });
    await ownership.start();
    expect([...ownership.owned]).toEqual(['c1']);
    await h.redis.set(h.keys.sched.owner('c1'), 'worker-other', 'PX', 60_000);
    await waitFor('c1 lost', async () => lost.length > 0, 3000);
    await sleep(300);
    await ownership.stop();
    expect(lost).toEqual(['c1']);
    expect(ownership.owned.size).toBe(0);
  }, 10000);
});
