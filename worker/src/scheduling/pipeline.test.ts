import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackendRuntime, type Job } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from '../runtime.js';
import { createHarness, sleep, waitFor, type Harness } from '../testing/harness.js';

/*
 * One backend, one worker: prompts are pipelined into ComfyUI's own queue, a cancelled prompt keeps the
 * GPU busy until ComfyUI has really stopped it, and model affinity groups jobs by the loaded model
 * without starving anyone.
 */

let h: Harness;
let fake: FakeComfy;
let runtime: WorkerRuntime | undefined;
const A = 'sd_xl_base_1.0.safetensors';
const B = 'v1-5-pruned-emaonly.safetensors';

async function start(extra: Record<string, string> = {}): Promise<WorkerRuntime> {
  runtime = await startWorkerRuntime(h.config([fake.url], extra), { monitorIntervalMs: 300, comfy: { tracker: { pollMs: 100 } } });
  return runtime;
}

async function fakeQueue(): Promise<{ running: string[]; pending: string[] }> {
  const res = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
  return { running: res.queue_running.map((i) => String(i[1])), pending: res.queue_pending.map((i) => String(i[1])) };
}

/** What the server does on DELETE /api/jobs/:id for a job a worker holds. */
async function cancelHeld(id: string): Promise<void> {
  await h.jobs.update(id, 'job.cancelled', (j) => ({ ...j, status: 'cancelled', finishedAt: new Date().toISOString() }));
  await h.redis.publish(h.keys.cancelChannel, id);
}

async function runtimeRecord(): Promise<BackendRuntime | null> {
  const raw = await h.redis.get(h.keys.sched.runtime('comfyui-1'));
  return raw ? (JSON.parse(raw) as BackendRuntime) : null;
}

const done = (j: Job) => j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled';

beforeAll(async () => {
  h = await createHarness('pipeline');
  fake = await startFakeComfy({ stepMs: 10, loadMs: 400, checkpoints: [A, B] });
});

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  await h.schedule.setAgent('comfyui', true);
});

afterAll(async () => {
  await fake?.close();
  await h?.close();
});

describe('pipelining', () => {
  it('hands ComfyUI the next prompt while one runs; the waiting job says so', async () => {
    await start();
    const first = await h.enqueue({ model: A, params: { steps: 80 } });
    const second = await h.enqueue({ model: A, params: { steps: 5 } });
    await waitFor('second prompt waiting in ComfyUI', async () => {
      const q = await fakeQueue();
      return q.running.includes(first) && q.pending.includes(second);
    });
    expect(await h.jobs.get(second)).toMatchObject({ status: 'running', progress: { message: 'queued on comfyui-1 behind the running prompt' } });
    expect((await runtimeRecord())?.inflight).toEqual([
      { jobId: first, phase: 'running' },
      { jobId: second, phase: 'pipelined' },
    ]);
    const jobs = await Promise.all([first, second].map((id) => h.waitForJob(id, done)));
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
  });

  it('cancels a pipelined prompt by deleting it from ComfyUI\'s queue: it never runs, the running one goes on', async () => {
    await start();
    const executed = fake.stats.promptsExecuted;
    const first = await h.enqueue({ model: A, params: { steps: 60 } });
    const second = await h.enqueue({ model: A, params: { steps: 5 } });
    await waitFor('second pending', async () => (await fakeQueue()).pending.includes(second));
    await cancelHeld(second);
    await waitFor('deleted from ComfyUI\'s queue', async () => !(await fakeQueue()).pending.includes(second));
    expect((await h.waitForJob(first, done)).status).toBe('completed');
    expect((await h.waitForJob(second, done)).status).toBe('cancelled');
    expect(fake.history()[second]).toBeUndefined();
    expect(fake.stats.promptsExecuted).toBe(executed + 1);
  });

  it('keeps the backend busy after a cancel until ComfyUI has stopped the prompt: nothing new is queued behind it', async () => {
    await start();
    // Switch models so the cancelled prompt sits in its (uninterruptible) model load.
    const warm = await h.enqueue({ model: B, params: { steps: 1 } });
    await h.waitForJob(warm, done);
    const victim = await h.enqueue({ model: A, params: { steps: 30 } });
    await waitFor('victim running', async () => (await fakeQueue()).running.includes(victim));
    await cancelHeld(victim);
    expect((await h.jobs.get(victim))?.status).toBe('cancelled'); // reads cancelled at once
    const next = await h.enqueue({ model: A, params: { steps: 1 } });
    await waitFor('victim stopping', async () => (await runtimeRecord())?.inflight.some((j) => j.jobId === victim && j.phase === 'stopping'));
    // While ComfyUI still runs the interrupted prompt, the next job is not handed to it.
    while ((await fakeQueue()).running.includes(victim)) {
      expect((await fakeQueue()).pending).not.toContain(next);
      await sleep(20);
    }
    expect((await h.waitForJob(next, done)).status).toBe('completed');
    const entry = fake.history()[victim] as { status: { messages: [string][] } };
    expect(entry.status.messages.map((m) => m[0])).toContain('execution_interrupted');
  });
});

describe('model affinity', () => {
  async function interleaved(extra: Record<string, string>): Promise<number> {
    await h.schedule.setAgent('comfyui', false);
    await start(extra);
    const loads = fake.stats.modelLoads;
    const ids: string[] = [];
    for (const model of [A, B, A, B, A, B]) ids.push(await h.enqueue({ model, params: { steps: 2 } }));
    await h.schedule.setAgent('comfyui', true);
    const jobs = await Promise.all(ids.map((id) => h.waitForJob(id, done, 20000)));
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    return fake.stats.modelLoads - loads;
  }

  it('groups jobs by the model the GPU has loaded (2 checkpoint loads for A,B,A,B,A,B, not 6)', async () => {
    // Start from B loaded, so either order pays the first switch the same way.
    expect(await interleaved({})).toBeLessThanOrEqual(2);
  });

  it('is plain first-in first-out with AFFINITY_MAX_WAIT_MS=0 (every job switches)', async () => {
    expect(await interleaved({ AFFINITY_MAX_WAIT_MS: '0' })).toBeGreaterThanOrEqual(5);
  });

  it('never passes a job over for longer than AFFINITY_MAX_WAIT_MS', async () => {
    await start({ AFFINITY_MAX_WAIT_MS: '800' });
    const warm = await h.enqueue({ model: A, params: { steps: 30 } });
    await waitFor('A loaded and running', async () => (await fakeQueue()).running.includes(warm));
    const before = (await h.schedule.startedOrder('comfyui')).length;
    const other = await h.enqueue({ model: B, params: { steps: 2 } });
    const stream: string[] = [];
    for (let i = 0; i < 12; i++) stream.push(await h.enqueue({ model: A, params: { steps: 15 } })); // ~150 ms each
    const jobs = await Promise.all([other, ...stream].map((id) => h.waitForJob(id, done, 30000)));
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    const order = (await h.schedule.startedOrder('comfyui')).slice(before);
    const at = order.indexOf(other);
    expect(at).toBeGreaterThan(0); // A jobs went first while B waited…
    expect(at).toBeLessThan(order.length - 3); // …but B did not wait for the whole stream
    const waited = Date.parse((await h.jobs.get(other))!.startedAt!) - Date.parse((await h.jobs.get(stream[0]!))!.createdAt);
    expect(waited).toBeLessThan(800 + 3 * 400 + 1500);
  });
});
