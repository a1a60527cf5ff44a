import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, type Harness } from './testing/harness.js';

let h: Harness;
let fake: FakeComfy;
const runtimes: WorkerRuntime[] = [];

async function start(shutdownGraceMs: number): Promise<WorkerRuntime> {
  const rt = await startWorkerRuntime(h.config([fake.url]), { monitorIntervalMs: 300, shutdownGraceMs, comfy: { tracker: { pollMs: 200 } } });
  runtimes.push(rt);
  return rt;
}

beforeAll(async () => {
  h = await createHarness('shutdown');
  fake = await startFakeComfy({ stepMs: 20 });
});

afterAll(async () => {
  for (const rt of runtimes) await rt.close();
  await fake?.close();
  await h?.close();
});

describe('graceful shutdown', () => {
  it('lets an active job finish within the grace period', async () => {
    const rt = await start(10000);
    const id = await h.enqueue({ params: { steps: 20 } });
    await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 1);
    await rt.close();
    expect((await h.jobs.get(id))?.status).toBe('completed');
  });

  it('hands a long job to the backend\'s next owner after the grace period without interrupting it; the next worker adopts and finishes it', async () => {
    const rt = await start(300);
    const submitted = fake.stats.promptsSubmitted;
    const interrupts = fake.stats.interrupts;
    const id = await h.enqueue({ params: { steps: 100 } });
    await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 2);
    const t0 = Date.now();
    await rt.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    const handedBack = await h.jobs.get(id);
    expect(handedBack).toMatchObject({ status: 'running', progress: { message: 'worker stopping; the backend\'s next worker takes it over' } });
    // Still BullMQ's active job, its lock token kept in the backend's in-flight record for the successor.
    expect(await (await h.bullJob(id))?.getState()).toBe('active');
    expect((await h.schedule.inflight('comfyui-1')).map((e) => e.jobId)).toEqual([id]);
    expect(await h.redis.get(h.keys.sched.owner('comfyui-1'))).toBeNull();
    expect(fake.stats.interrupts).toBe(interrupts);

    await start(300);
    const job = await h.waitForJob(id, (j) => j.status === 'completed', 15000);
    expect(job.assets).toHaveLength(1);
    expect(fake.stats.promptsSubmitted).toBe(submitted + 1);
    expect((await h.bullJob(id))?.attemptsStarted).toBe(1);
    expect(await h.schedule.inflight('comfyui-1')).toEqual([]);
  });
});
