import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, waitFor, type Harness } from './testing/harness.js';
import { spawnWorker, type WorkerProcess } from './testing/worker-process.js';

let h: Harness;
let fake: FakeComfy;
let child: WorkerProcess | undefined;
let runtime: WorkerRuntime | undefined;


beforeAll(async () => {
  h = await createHarness('crash');
  fake = await startFakeComfy({ stepMs: 25 });
});

afterAll(async () => {
  await child?.stop();
  await runtime?.close();
  await fake?.close();
  await h?.close();
});

async function crashMidJob(steps: number): Promise<void> {
  await runtime?.close();
  runtime = undefined;
  const submitted = fake.stats.promptsSubmitted;
  const executed = fake.stats.promptsExecuted;
  child = await spawnWorker(h.env([fake.url], { JOB_LOCK_MS: '2000' }));
  const id = await h.enqueue({ params: { steps } });
  await waitFor('first progress event', async () => (await h.jobEvents(id)).some((e) => e.type === 'job.progress'));
  await child.stop('SIGKILL');
  expect((await h.jobs.get(id))?.status).toBe('running');

  runtime = await startWorkerRuntime(h.config([fake.url], { JOB_LOCK_MS: '2000' }), { monitorIntervalMs: 300 });
  const job = await h.waitForJob(id, (j: Job) => j.status === 'completed', 25000);
  expect(job.assets).toHaveLength(1);
  expect(fake.stats.promptsSubmitted).toBe(submitted + 1);
  expect(fake.stats.promptsExecuted).toBe(executed + 1);
  const events = await h.jobEvents(id);
  expect(events.filter((e) => e.type === 'job.completed')).toHaveLength(1);
  expect(events.filter((e) => e.type === 'asset.added')).toHaveLength(1);
  expect(await (await h.bullJob(id))?.getState()).toBe('completed');
}

describe('a worker killed with SIGKILL mid-job', () => {
  it('has its job picked up after the lock expires and completed exactly once from the finished prompt (promptsSubmitted stays 1)', async () => {
    await crashMidJob(60); // ~1.5 s of GPU work: done before the lock expires
  });

  it('follows the prompt still running on the backend instead of submitting it again', async () => {
    await crashMidJob(200); // ~5 s: still running when the job is picked up again
  });
});
