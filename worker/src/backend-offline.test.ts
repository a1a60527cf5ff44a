import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendStatus } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, sleep, waitFor, type Harness } from './testing/harness.js';

let h: Harness;
let fake: FakeComfy;
let runtime: WorkerRuntime;

beforeAll(async () => {
  h = await createHarness('offline');
  fake = await startFakeComfy({ stepMs: 10 });
});

afterAll(async () => {
  await runtime?.close();
  await fake?.close();
  await h?.close();
});

async function storedStatus(): Promise<BackendStatus | null> {
  const raw = await h.redis.get(h.keys.backend('comfyui-1'));
  return raw ? (JSON.parse(raw) as BackendStatus) : null;
}

async function statusEvents(): Promise<BackendStatus[]> {
  return (await h.events.readAfter('0-0')).filter((e) => e.type === 'backend.status').map((e) => e.data as BackendStatus);
}

describe('a backend that is offline', () => {
  it('takes no jobs: the job waits queued, the backend shows offline, and the job runs once it is back', async () => {
    await fake.stop();
    runtime = await startWorkerRuntime(h.config([fake.url]), { monitorIntervalMs: 250, comfy: { tracker: { pollMs: 200, unreachableGraceMs: 1500 } } });
    expect(await storedStatus()).toMatchObject({ online: false });
    expect((await storedStatus())?.error).toBeTruthy();

    const id = await h.enqueue({ params: { steps: 5 } });
    await sleep(1500);
    expect((await h.jobs.get(id))?.status).toBe('queued');
    expect(await (await h.bullJob(id))?.getState()).toBe('prioritized'); // waiting, at its priority level
    expect(fake.stats.promptsSubmitted).toBe(0);

    await fake.start();
    const job = await h.waitForJob(id, (j) => j.status === 'completed');
    expect(job.assets).toHaveLength(1);
    expect(await storedStatus()).toMatchObject({ online: true });
    const flips = (await statusEvents()).map((s) => s.online);
    expect(flips).toEqual([false, true]); // one event per flip, none for unchanged rounds
  });

  it('hands a job whose backend dies mid-run back to the queue and finishes it when the backend returns', async () => {
    const id = await h.enqueue({ params: { steps: 60 } });
    await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 2);
    await fake.stop();
    await waitFor('status offline', async () => (await storedStatus())?.online === false);
    const waiting = await h.waitForJob(id, (j) => j.status === 'queued', 15000);
    expect(waiting.progress.message).toBe('comfyui-1 went offline; waiting for a backend');
    await fake.start();
    const job = await h.waitForJob(id, (j) => j.status === 'completed', 20000);
    expect(job.assets).toHaveLength(1);
    expect(fake.stats.promptsSubmitted).toBe(2); // the first test's job + this one, never resubmitted
  });
});
