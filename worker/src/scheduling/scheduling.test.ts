import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import { createHarness, sleep, waitFor, type Harness } from '../testing/harness.js';
import { spawnWorker, type WorkerProcess } from '../testing/worker-process.js';

/*
 * Three worker processes driving three ComfyUI backends (the protocol fake), as `npm run worker` on
 * three machines would: each backend has one owner, every job starts once and in order, priorities and
 * move-to-front hold across processes, a switched-off backend drains, and a killed worker's backend and
 * running prompt are taken over within seconds.
 */

let h: Harness;
let fakes: FakeComfy[] = [];
let workers: WorkerProcess[] = [];
const BACKENDS = ['comfyui-1', 'comfyui-2', 'comfyui-3'];

const env = () => h.env(fakes.map((f) => f.url), { JOB_LOCK_MS: '30000' });

async function owners(): Promise<(string | null)[]> {
  return h.redis.mget(...BACKENDS.map((b) => h.keys.sched.owner(b)));
}

async function allDone(ids: string[], timeoutMs = 30000): Promise<Job[]> {
  return Promise.all(ids.map((id) => h.waitForJob(id, (j) => j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled', timeoutMs)));
}

/** Pairs (a, b) with a submitted before b but started after it. */
function inversions(submitted: string[], started: string[]): number {
  const at = new Map(started.map((id, i) => [id, i]));
  let n = 0;
  for (let i = 0; i < submitted.length; i++) {
    for (let j = i + 1; j < submitted.length; j++) if ((at.get(submitted[i]!) ?? -1) > (at.get(submitted[j]!) ?? -1)) n++;
  }
  return n;
}

async function startedAfter(before: number): Promise<string[]> {
  return (await h.schedule.startedOrder('comfyui')).slice(before);
}

beforeAll(async () => {
  h = await createHarness('scheduling');
  fakes = await Promise.all(BACKENDS.map(() => startFakeComfy({ stepMs: 10 })));
  workers = await Promise.all(BACKENDS.map(() => spawnWorker(env())));
  // Each worker drives one backend once the three have seen each other.
  await waitFor('backends split evenly', async () => {
    const o = await owners();
    return o.every(Boolean) && new Set(o).size === 3;
  }, 20000);
}, 60000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(fakes.map((f) => f.close()));
  await h?.close();
});

describe('three worker processes, three backends', () => {
  it('start every job once, in submission order, spread over the backends', async () => {
    const before = (await h.schedule.startedOrder('comfyui')).length;
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) ids.push(await h.enqueue({ params: { steps: 3 } }));
    const jobs = await allDone(ids);
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    const started = await startedAfter(before);
    expect(started).toHaveLength(ids.length);
    expect(inversions(ids, started)).toBe(0);
    const bull = await Promise.all(ids.map((id) => h.bullJob(id)));
    expect(bull.map((b) => b?.attemptsStarted)).toEqual(ids.map(() => 1));
    expect(new Set(jobs.map((j) => j.backend))).toEqual(new Set(BACKENDS));
    expect(fakes.reduce((n, f) => n + f.stats.promptsExecuted, 0)).toBeGreaterThanOrEqual(45);
  }, 60000);

  it('start a level before the next, and a moved-to-front job before all of them', async () => {
    await h.schedule.setAgent('comfyui', false);
    await sleep(1200); // every worker has heard it
    const before = (await h.schedule.startedOrder('comfyui')).length;
    const low = await h.enqueue({ priority: 'low', params: { steps: 2 } });
    const normal = await h.enqueue({ params: { steps: 2 } });
    const high = await h.enqueue({ priority: 'high', params: { steps: 2 } });
    const normal2 = await h.enqueue({ params: { steps: 2 } });
    expect(await h.enqueuer.moveToFront(normal2)).not.toBeNull();
    await sleep(300);
    expect((await h.jobs.getMany([low, normal, high, normal2])).map((j) => j.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    await h.schedule.setAgent('comfyui', true);
    await allDone([low, normal, high, normal2]);
    expect(await startedAfter(before)).toEqual([normal2, high, normal, low]);
  }, 30000);

  it('a switched-off backend finishes its running job and takes no new one until it is on again', async () => {
    const long = await h.enqueue({ params: { steps: 120 } });
    const running = await h.waitForJob(long, (j) => (j.progress.step ?? 0) >= 2);
    const drained = running.backend!;
    await h.schedule.setAgent(drained, false);
    await sleep(1200);
    const others = [];
    for (let i = 0; i < 12; i++) others.push(await h.enqueue({ params: { steps: 4 } }));
    const jobs = await allDone(others);
    expect(jobs.every((j) => j.status === 'completed' && j.backend !== drained)).toBe(true);
    expect((await h.waitForJob(long, (j) => j.status === 'completed', 20000)).backend).toBe(drained);
    await h.schedule.setAgent(drained, true);
  }, 60000);

  it('takes over the backend of a worker killed mid-job within seconds and finishes its prompt once (adopted, not re-run)', async () => {
    const id = await h.enqueue({ params: { steps: 200 } }); // ~2 s of GPU work: it may end while nobody drives the backend
    const running = await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 5);
    const backend = running.backend!;
    const ownerId = (await h.redis.get(h.keys.sched.owner(backend)))!;
    const victim = workers.find((w) => w.id === ownerId)!;
    const fake = fakes[BACKENDS.indexOf(backend)]!;
    const submitted = fake.stats.promptsSubmitted;
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const newOwner = await waitFor('a new owner', async () => {
      const o = await h.redis.get(h.keys.sched.owner(backend));
      return o && o !== ownerId ? o : null;
    }, 15000, 100);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(7000);
    expect(workers.map((w) => w.id)).toContain(newOwner);
    const job = await h.waitForJob(id, (j) => j.status === 'completed', 20000);
    expect(job.assets).toHaveLength(1);
    expect(fake.stats.promptsSubmitted).toBe(submitted);
    expect((await h.bullJob(id))?.attemptsStarted).toBe(1);
    // The survivors drive all three backends meanwhile.
    await waitFor('every backend owned', async () => (await owners()).every(Boolean), 10000);
    workers = workers.filter((w) => w !== victim);
  }, 60000);
});
