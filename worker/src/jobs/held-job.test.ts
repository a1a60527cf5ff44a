import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { newJob } from '@orchestrator/shared';
import { createHarness, type Harness } from '../testing/harness.js';
import { HeldJob } from './held-job.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness('held-job');
});

afterAll(async () => {
  await h.close();
});

describe('HeldJob', () => {
  it('writes each change on top of its own copy and appends one event per write', async () => {
    const job = newJob(randomUUID(), { provider: 'comfyui', kind: 'image', prompt: 'x' }, new Date());
    await h.jobs.create(job);
    const held = new HeldJob(h.jobs, job);
    expect((await held.update('job.started', (j) => ({ ...j, status: 'running', backend: 'b1' }))).ok).toBe(true);
    expect((await held.update('job.progress', (j) => ({ ...j, progress: { percent: 50 } }))).ok).toBe(true);
    expect(await h.jobs.get(job.id)).toMatchObject({ status: 'running', backend: 'b1', progress: { percent: 50 } });
    expect((await h.jobEvents(job.id)).map((e) => e.type)).toEqual(['job.queued', 'job.started', 'job.progress']);
  });

  it('never overwrites a record someone else made final, and keeps its copy unchanged then', async () => {
    const job = newJob(randomUUID(), { provider: 'comfyui', kind: 'image', prompt: 'x' }, new Date());
    await h.jobs.create(job);
    const held = new HeldJob(h.jobs, job);
    await h.jobs.update(job.id, 'job.cancelled', (j) => ({ ...j, status: 'cancelled' }));
    const res = await held.update('job.progress', (j) => ({ ...j, status: 'running' }));
    expect(res).toEqual({ ok: false, reason: 'final' });
    expect(held.job.status).toBe('queued');
    expect((await h.jobs.get(job.id))?.status).toBe('cancelled');
  });
});
