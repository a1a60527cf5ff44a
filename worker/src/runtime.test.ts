import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetStore, buildWorkflow, prepareWorkflow, readPngText, type AssetSidecar, type BackendStatus, type Job, type JobRequest } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, waitFor, type Harness } from './testing/harness.js';

let h: Harness;
let fake: FakeComfy;
let runtime: WorkerRuntime;
const CHECKPOINTS = ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'];

beforeAll(async () => {
  h = await createHarness('runtime');
  fake = await startFakeComfy({ stepMs: 15, previews: true, checkpoints: CHECKPOINTS });
  runtime = await startWorkerRuntime(h.config([fake.url]), {
    monitorIntervalMs: 300,
    comfy: { tracker: { pollMs: 200, unreachableGraceMs: 3000 }, cancelWaitMs: 3000 },
  });
});

afterAll(async () => {
  await runtime?.close();
  await fake?.close();
  await h?.close();
});

async function bullState(id: string) {
  const job = await h.bullJob(id);
  return { state: await job?.getState(), attemptsMade: job?.attemptsMade };
}

async function fakeQueue(): Promise<{ running: string[]; pending: string[] }> {
  const res = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
  return { running: res.queue_running.map((i) => String(i[1])), pending: res.queue_pending.map((i) => String(i[1])) };
}

async function waitFakeIdle(): Promise<void> {
  await waitFor('fake ComfyUI idle', async () => {
    const q = await fakeQueue();
    return q.running.length === 0 && q.pending.length === 0;
  });
}

describe('worker runtime against the fake ComfyUI', () => {
  it('registers a heartbeat and publishes the backend status with its model and sampler lists', async () => {
    expect(await h.redis.zscore(h.keys.workers, runtime.id)).not.toBeNull();
    const status = await waitFor('backend status', async () => {
      const raw = await h.redis.get(h.keys.backend('comfyui-1'));
      return raw ? (JSON.parse(raw) as BackendStatus) : null;
    });
    expect(status).toMatchObject({ id: 'comfyui-1', url: fake.url, online: true, simulated: true });
    expect(status.checkpoints).toEqual(expect.arrayContaining(CHECKPOINTS));
    expect(status.samplers).toContain('euler');
    expect(status.schedulers).toContain('normal');
  });

  it('runs a txt2img job: running → progress per step → preview → PNG with both chunks, sidecar, asset → completed', async () => {
    const submittedBefore = fake.stats.promptsSubmitted;
    const id = await h.enqueue({ negativePrompt: 'blurry', params: { steps: 8, seed: 1234, width: 512, height: 512 } });
    const job = await h.waitForJob(id, (j) => j.status === 'completed');
    expect(fake.stats.promptsSubmitted).toBe(submittedBefore + 1);
    expect(job).toMatchObject({ backend: 'comfyui-1', progress: { percent: 100 } });
    expect(job.startedAt).toBeDefined();
    expect(job.finishedAt).toBeDefined();
    expect(job.assets).toHaveLength(1);

    const events = await h.jobEvents(id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('job.queued');
    expect(types).toContain('job.started');
    const steps = events.filter((e) => e.type === 'job.progress').map((e) => (e.data as Job).progress.step);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps).toContain(8); // the last step always goes out
    expect(steps.filter((s) => s !== undefined)).toEqual([...steps.filter((s) => s !== undefined)].sort((a, b) => a! - b!));
    const preview = events.find((e) => e.type === 'job.preview');
    expect((preview?.data as { dataUrl: string }).dataUrl).toMatch(/^data:image\/(png|jpeg);base64,/);
    expect(types.indexOf('job.started')).toBeLessThan(types.indexOf('asset.added'));
    expect(types.indexOf('asset.added')).toBeLessThan(types.indexOf('job.completed'));
    expect(types.at(-1)).toBe('job.completed');

    const asset = await new AssetStore(h.redis, h.prefix).get(job.assets![0]!.id);
    expect(asset).not.toBeNull();
    // The human name: the job's creation day (folder and name), prompt slug, seed, job id fragment.
    const day = job.createdAt.slice(0, 10);
    expect(asset!.relPath).toBe(`${day}/${day}_a-lighthouse-at-dusk_1234_${id.slice(0, 8)}.png`);
    expect(asset!.fileName).toBe(`${day}_a-lighthouse-at-dusk_1234_${id.slice(0, 8)}.png`);
    expect(asset).toMatchObject({ type: 'image', mimeType: 'image/png', url: `/api/assets/${asset!.id}/file` });
    const file = await readFile(join(h.outputPath, asset!.relPath));
    expect(asset!.size).toBe(file.length);
    const chunks = readPngText(file);
    const comfyPrompt = JSON.parse(chunks.prompt!) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    expect(comfyPrompt['3']).toMatchObject({ class_type: 'KSampler', inputs: { seed: 1234, steps: 8 } });
    const ours = JSON.parse(chunks.orchestrator!) as Record<string, unknown>;
    expect(ours).toMatchObject({
      jobId: id,
      provider: 'comfyui',
      model: 'sd_xl_base_1.0.safetensors',
      prompt: 'a lighthouse at dusk',
      negativePrompt: 'blurry',
      seed: 1234,
      steps: 8,
      cfg: 7,
      sampler: 'euler',
      scheduler: 'normal',
      width: 512,
      height: 512,
      backend: 'comfyui-1',
    });
    const sidecar = JSON.parse(await readFile(join(h.outputPath, `${asset!.relPath}.json`), 'utf8')) as AssetSidecar;
    expect(sidecar).toMatchObject({ version: 1, meta: { jobId: id, seed: 1234 } });
    expect(await bullState(id)).toMatchObject({ state: 'completed' });
  });

  it('fails a graph the object_info of the backend rejects before submitting it, naming node and input, without retrying', async () => {
    const before = fake.stats.promptsSubmitted;
    const id = await h.enqueue({ params: { sampler: 'no_such_sampler', steps: 4 } });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error?.code).toBe('validation_failed');
    expect(job.error?.message).toMatch(/^KSampler \(#3\) input "sampler_name": value 'no_such_sampler' is not in the list/);
    expect(job.error?.details).toMatchObject({ problems: [{ nodeId: '3', classType: 'KSampler', input: 'sampler_name' }] });
    expect(fake.stats.promptsSubmitted).toBe(before);
    expect(await bullState(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect((await h.jobEvents(id)).at(-1)?.type).toBe('job.failed');
  });

  it('still fails a prompt ComfyUI itself rejects (400) with validation_failed, without retrying', async () => {
    fake.faults.validationError = true;
    const id = await h.enqueue({ params: { steps: 4 } });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error?.code).toBe('validation_failed');
    expect(await bullState(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('fails with ComfyUI exception message on an execution error', async () => {
    fake.faults.executionError = { nodeType: 'KSampler', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' };
    const id = await h.enqueue({ params: { steps: 4 } });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error).toMatchObject({
      code: 'execution_error',
      message: 'CUDA out of memory. Tried to allocate 2.00 GiB',
      details: { node_type: 'KSampler', node_id: '3' },
    });
    expect(await bullState(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('completes a job whose WebSocket drops mid-run (reconnect + history reconcile), submitting it once', async () => {
    const before = fake.stats.promptsSubmitted;
    fake.faults.dropWsAfterSteps = 3;
    const id = await h.enqueue({ params: { steps: 12 } });
    const job = await h.waitForJob(id, (j) => j.status === 'completed');
    expect(job.assets).toHaveLength(1);
    expect(fake.stats.promptsSubmitted).toBe(before + 1);
  });

  it('cancels a running job: the fake gets an interrupt, the job ends cancelled, BullMQ shows it completed as cancelled (not a failure)', async () => {
    const interrupts = fake.stats.interrupts;
    const id = await h.enqueue({ params: { steps: 200 } });
    await h.waitForJob(id, (j) => (j.progress.step ?? 0) >= 2);
    await h.redis.publish(h.keys.cancelChannel, id);
    const job = await h.waitForJob(id, (j) => j.status === 'cancelled', 10000);
    expect(job.finishedAt).toBeDefined();
    expect(fake.stats.interrupts).toBeGreaterThan(interrupts);
    const entry = fake.history()[id] as { status: { status_str: string; messages: [string][] } };
    expect(entry.status.status_str).toBe('error');
    expect(entry.status.messages.map((m) => m[0])).toContain('execution_interrupted');
    expect((await h.jobEvents(id)).at(-1)?.type).toBe('job.cancelled');
    await waitFor('BullMQ outcome', async () => (await bullState(id)).state === 'completed');
    expect((await h.bullJob(id))?.returnvalue).toEqual({ cancelled: true });
    await waitFakeIdle();
  });

  it('cancels a job still pending on the backend: deleted from its queue, never run', async () => {
    // Someone else's long prompt occupies the GPU, so ours waits in ComfyUI's queue.
    const blocker = crypto.randomUUID();
    const { template, values } = prepareWorkflow(
      { provider: 'comfyui', kind: 'image', prompt: 'blocker', model: CHECKPOINTS[0], params: { steps: 400 } },
      { seed: 1, filenamePrefix: `orchestrator/${blocker}` },
    );
    const graph = buildWorkflow(template, values);
    const res = await fetch(`${fake.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: graph, client_id: 'someone-else', prompt_id: blocker }) });
    expect(res.status).toBe(200);
    const interrupts = fake.stats.interrupts;
    const executed = fake.stats.promptsExecuted;

    const id = await h.enqueue({ params: { steps: 4 } });
    await waitFor('job pending on the fake', async () => (await fakeQueue()).pending.includes(id));
    await h.redis.publish(h.keys.cancelChannel, id);
    const job = await h.waitForJob(id, (j) => j.status === 'cancelled', 10000);
    expect(job.status).toBe('cancelled');
    expect((await fakeQueue()).pending).not.toContain(id);
    expect(fake.stats.interrupts).toBe(interrupts);

    await fetch(`${fake.url}/interrupt`, { method: 'POST', body: JSON.stringify({ prompt_id: blocker }) });
    await waitFakeIdle();
    expect(fake.history()[id]).toBeUndefined();
    expect(fake.stats.promptsExecuted).toBe(executed + 1); // only the blocker
  });

  it('fails an invalid queued payload unrecoverably with invalid_job', async () => {
    // A request the schema refuses (no kind), as an older or foreign producer might queue it.
    const id = await h.enqueueRequest({ provider: 'comfyui', prompt: 'no kind' } as unknown as JobRequest);
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error?.code).toBe('invalid_job');
    expect(await bullState(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('fails an image job that reaches it without a prompt with invalid_job, naming the missing value', async () => {
    const id = await h.enqueueRequest({ provider: 'comfyui', kind: 'image' });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error).toMatchObject({ code: 'invalid_job', message: expect.stringMatching(/needs a prompt/) });
  });

  it('fails a job whose saved workflow was deleted after it was queued with unknown_workflow', async () => {
    const id = await h.enqueueRequest({ provider: 'comfyui', kind: 'image', workflow: 'wf-0000000000', prompt: 'x' });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error).toMatchObject({ code: 'unknown_workflow', message: expect.stringContaining('no longer exists') });
  });

  it('removes its heartbeat on close', async () => {
    await runtime.close();
    expect(await h.redis.zscore(h.keys.workers, runtime.id)).toBeNull();
  });
});
