import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { AssetStore, newJob, parseConfig, type V0JobRequest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../runtime.js';
import { createHarness, waitFor, type Harness } from '../../testing/harness.js';
import { v0CloudProvider } from './index.js';

/* The v0 queue end to end in a worker runtime: enqueued as the server does, run, stored, indexed. */

let fake: FakeV0;
let h: Harness;
let runtime: WorkerRuntime;
let queue: Queue;

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 2 });
  h = await createHarness('v0-runtime');
  const config = parseConfig(h.env([], { V0_API_URL: fake.url, V0_API_KEY: fake.apiKey }));
  runtime = await startWorkerRuntime(config, { cloudProviders: [v0CloudProvider], cloud: { v0: { pollInitialMs: 10, pollMaxMs: 20 } } });
  queue = new Queue('v0', { connection: h.redis, prefix: h.keys.bullPrefix });
});

afterAll(async () => {
  await runtime.close();
  await queue.close();
  await h.close();
  await fake.close();
});

async function enqueue(request: Omit<V0JobRequest, 'provider' | 'kind'>): Promise<string> {
  const job = newJob(randomUUID(), { provider: 'v0', kind: 'site', ...request }, new Date());
  await h.jobs.create(job);
  await queue.add('generate', { id: job.id, request: job.request }, { jobId: job.id, attempts: 3 });
  return job.id;
}

describe('v0 queue in the worker runtime', () => {
  it('creates a site, then a follow-up updates the same indexed asset', async () => {
    const id = await enqueue({ prompt: 'a site for a jazz bar' });
    const done = await waitFor('site job', async () => {
      const j = await h.jobs.get(id);
      return j && (j.status === 'completed' || j.status === 'failed') ? j : null;
    });
    expect(done.status).toBe('completed');
    expect(done.backend).toBe('v0');
    const assetId = done.assets![0]!.id;
    const assets = new AssetStore(h.redis, h.prefix);
    expect((await assets.get(assetId))?.site?.versions).toHaveLength(1);

    const next = await enqueue({ prompt: 'add opening hours', followUp: { assetId } });
    const second = await waitFor('follow-up job', async () => {
      const j = await h.jobs.get(next);
      return j?.status === 'completed' || j?.status === 'failed' ? j : null;
    });
    expect(second.status).toBe('completed');
    expect(second.assets![0]!.id).toBe(assetId);
    expect((await assets.get(assetId))?.site?.versions).toHaveLength(2);
    // progress is throttled per job, so which intermediate messages survive depends on timing; the
    // provider test checks the "v0 is generating" messages themselves
    const messages = (await h.jobEvents(id)).filter((e) => e.type === 'job.progress').map((e) => (e.data as { progress: { message?: string } }).progress.message ?? '');
    expect(messages.some((m) => /v0/.test(m))).toBe(true);
  });

  it('a v0 error ends the job failed with the mapped code and message', async () => {
    fake.faults.error = { status: 403 };
    const id = await enqueue({ prompt: 'forbidden' });
    const failed = await waitFor('failed job', async () => {
      const j = await h.jobs.get(id);
      return j?.status === 'failed' ? j : null;
    });
    expect(failed.error).toMatchObject({ code: 'provider_forbidden', message: expect.stringMatching(/Premium or Team plan/) });
    expect(JSON.stringify(failed)).not.toContain(fake.apiKey);
  });
});
