import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetStore, parseConfig, type V0JobRequest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { api, type Json } from '../../../../test/fakes/v0/testkit.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../runtime.js';
import { createHarness, waitFor, type Harness } from '../../testing/harness.js';
import { v0CloudProvider } from './index.js';
import { JOB_ID_METADATA } from './provider.js';

/* The v0 queue end to end in a worker runtime: enqueued as the server does, run, stored, indexed. */

let fake: FakeV0;
let h: Harness;
let runtime: WorkerRuntime;

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 2 });
  h = await createHarness('v0-runtime');
  const config = parseConfig(h.env([], { V0_API_URL: fake.url, V0_API_KEY: fake.apiKey }));
  runtime = await startWorkerRuntime(config, { cloudProviders: [v0CloudProvider], cloud: { v0: { pollInitialMs: 10, pollMaxMs: 20, stopTimeoutMs: 300 } } });
});

afterAll(async () => {
  await runtime.close();
  await h.close();
  await fake.close();
});

function enqueue(request: Omit<V0JobRequest, 'provider' | 'kind'>): Promise<string> {
  return h.enqueueRequest({ provider: 'v0', kind: 'site', ...request });
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

/** The fake's chat for a job (found by the job id in its metadata) once the job has created it, and its messages. */
async function chatOfJob(jobId: string): Promise<{ chatId: string; messages: Json[] }> {
  const chatId = await waitFor('the job’s v0 chat', async () => {
    const { json } = await api(fake, 'GET', `/chats?metadata[${JOB_ID_METADATA}]=${jobId}`);
    return ((json.data as Json[])[0]?.id as string | undefined) ?? null;
  });
  return { chatId, messages: (await api(fake, 'GET', `/chats/${chatId}`)).json.messages as Json[] };
}

describe('v0 queue: cancelling a running site job', () => {
  it('stops the generation on v0 (the right chat and message) and ends the job cancelled', async () => {
    fake.faults.pendingPolls = 1000;
    try {
      const id = await enqueue({ prompt: 'a site for a choir' });
      const { chatId, messages } = await chatOfJob(id);
      const answer = messages.at(-1)!;
      expect(answer).toMatchObject({ role: 'assistant' });
      expect(answer.finishReason).toBeUndefined();
      await h.redis.publish(h.keys.cancelChannel, id);
      const job = await h.waitForJob(id, (j) => j.status === 'cancelled', 10000);
      expect(job.finishedAt).toBeDefined();
      expect(fake.stops.filter((s) => s.chatId === chatId)).toEqual([{ chatId, messageId: answer.id, status: 200, at: expect.any(Number) }]);
      expect((await h.jobEvents(id)).at(-1)?.type).toBe('job.cancelled');
      const after = (await api(fake, 'GET', `/chats/${chatId}`)).json;
      expect(after.latestVersion).toMatchObject({ status: 'failed' });
    } finally {
      fake.faults = { pendingPolls: 2 };
    }
  });

  it.each([
    ['answers 500', { stopError: { status: 500 as const } }],
    ['does not answer in time', { stopDelayMs: 5000 }],
  ])('still ends the job cancelled promptly when the stop %s', async (_name, fault) => {
    fake.faults = { pendingPolls: 1000, ...fault };
    try {
      const id = await enqueue({ prompt: 'a site for a bowling alley' });
      const { chatId } = await chatOfJob(id);
      const started = Date.now();
      await h.redis.publish(h.keys.cancelChannel, id);
      await h.waitForJob(id, (j) => j.status === 'cancelled', 10000);
      expect(Date.now() - started).toBeLessThan(2000); // stopTimeoutMs is 300
      expect(fake.stops.filter((s) => s.chatId === chatId)).toHaveLength(1);
    } finally {
      fake.faults = { pendingPolls: 2 };
    }
  });
});
