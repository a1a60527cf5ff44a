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

  it('hands a long job back after the grace period without interrupting it; the next worker finishes it', async () => {
    const rt = await start(300);
    const submitted = fake.stats.promptsSubmitted;
    const interrupts = fake.stats.interrupts;
    const id = await h.enqueue({ params: { steps: 100 } });
    await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 2);
    const t0 = Date.now();
    await rt.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    const handedBack = await h.jobs.get(id);
    expect(handedBack).toMatchObject({ status: 'queued', progress: { message: 'worker restarting; waiting for another worker' } });
    expect(['delayed', 'waiting']).toContain(await (await h.queue.getJob(id))?.getState());
    expect(fake.stats.interrupts).toBe(interrupts);

    await start(300);
    const job = await h.waitForJob(id, (j) => j.status === 'completed', 15000);
    expect(job.assets).toHaveLength(1);
    expect(fake.stats.promptsSubmitted).toBe(submitted + 1);
  });
});
