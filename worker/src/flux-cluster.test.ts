import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import type { Job } from '@orchestrator/shared';
import { startFakeBfl, type FakeBfl } from '../../test/fakes/bfl/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, waitFor, type Harness } from './testing/harness.js';
import { enqueueFlux, fluxQueue } from './testing/flux.js';
import { spawnWorker, type WorkerProcess } from './testing/worker-process.js';

/* Two worker processes on one flux queue: the BFL cap holds across them, and a killed one's task is resumed. */

let h: Harness;
let bfl: FakeBfl;
let queue: Queue;
let child: WorkerProcess | undefined;
let runtime: WorkerRuntime | undefined;

const CAP = 3;

beforeAll(async () => {
  h = await createHarness('flux-cluster');
  bfl = await startFakeBfl({ pendingPolls: 4 }); // the fake itself allows 24: only our cap can keep it at 3
  queue = fluxQueue(h);
});

afterAll(async () => {
  await child?.stop();
  await runtime?.close();
  await queue?.close();
  await bfl?.close();
  await h?.close();
});

// Each process may run 2 at once, so with the account's 3 one process alone can never fill it: both take
// jobs however the processes happen to be scheduled (on a busy machine one may react far faster).
const settings = () => ({ BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey, BFL_CONCURRENCY: String(CAP), FLUX_WORKER_CONCURRENCY: '2', JOB_LOCK_MS: '2000' });
const env = () => h.env([], settings());

describe('flux jobs on two worker processes', () => {
  it(`never have more than BFL_CONCURRENCY=${CAP} BFL tasks in flight together, and both processes take jobs`, async () => {
    child = await spawnWorker(env());
    runtime = await startWorkerRuntime(h.config([], settings()));
    const ids = await Promise.all(Array.from({ length: 10 }, () => enqueueFlux(h)));
    const jobs = await Promise.all(ids.map((id) => h.waitForJob(id, (j: Job) => j.status === 'completed' || j.status === 'failed', 60000)));
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'completed'));
    expect(bfl.stats.submits).toBe(10);
    expect(bfl.stats.maxInFlight).toBeLessThanOrEqual(CAP);
    expect(bfl.stats.maxInFlight).toBeGreaterThanOrEqual(2);
    const takers = new Set((await Promise.all(ids.map((id) => queue.getJob(id)))).map((j) => j?.processedBy?.split(':')[0]));
    expect(takers.size).toBe(2);
    await runtime.close();
    runtime = undefined;
    await child.stop('SIGTERM');
  }, 90000);

  it('resumes polling the task of a worker killed mid-poll instead of submitting it again', async () => {
    bfl.faults.pendingPolls = 6; // the child polls every 0.5 s or more: still pending when it dies
    child = await spawnWorker(env());
    const submits = bfl.stats.submits;
    const id = await enqueueFlux(h);
    await waitFor('the task to be persisted and polled', async () => (await h.redis.get(h.keys.cloudTask('bfl', id)))?.includes('pollingUrl') && bfl.stats.polls > 0);
    await child.stop('SIGKILL');
    expect((await h.jobs.get(id))?.status).toBe('running');

    runtime = await startWorkerRuntime(h.config([], { BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey, BFL_CONCURRENCY: String(CAP), JOB_LOCK_MS: '2000' }), {
      cloud: { flux: { pollInitialMs: 50 } },
    });
    const job = await h.waitForJob(id, (j: Job) => j.status === 'completed' || j.status === 'failed', 30000);
    expect(job.status).toBe('completed');
    expect(bfl.stats.submits).toBe(submits + 1);
    const events = await h.jobEvents(id);
    expect(events.filter((e) => e.type === 'job.completed')).toHaveLength(1);
    expect(events.some((e) => (e.data as Job).progress?.message === 'resuming the FLUX task')).toBe(true);
  }, 60000);
});
