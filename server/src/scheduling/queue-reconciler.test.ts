import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { JobEnqueuer, JobStore, laneOf, newJob, redisKeys, type Config, type Job } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { REDIS_URL, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * One truth with BullMQ: what an outside tool (Bull Board, a script) does to a queue is reconciled
 * with the job records within seconds.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let enqueuer: JobEnqueuer;
let jobs: JobStore;
const request = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk' } as const;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function submit(): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: request });
  return res.json<{ id: string }>().id;
}

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('reconcile', { COMFYUI_URLS: 'http://127.0.0.1:18188' }));
  redis = newRedis();
  enqueuer = new JobEnqueuer(redis, config.keyPrefix);
  jobs = new JobStore(redis, config.keyPrefix);
  app = await buildServer(config, { logger: false, reconcileMs: 150 });
});

afterAll(async () => {
  await app.close();
  await enqueuer.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('the queue reconciler', () => {
  it('cancels a waiting job an outside tool removed from its queue (removed_externally) and takes its ticket away', async () => {
    const id = await submit();
    expect(await enqueuer.queue('comfyui').remove(id)).toBe(1);
    const job = await waitFor('cancelled', async () => {
      const j = await jobs.get(id);
      return j?.status === 'cancelled' ? j : null;
    });
    expect(job.error).toMatchObject({ code: 'removed_externally' });
    expect(await enqueuer.schedule.position('comfyui', id)).toBeNull();
  });

  it('takes a finished job an outside tool retried back out of its queue, leaving its record as it was', async () => {
    const id = await submit();
    // A worker runs it to a failure, as the scheduler's runner does (record first, then BullMQ).
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker('comfyui', undefined, { connection: conn, prefix: redisKeys(config.keyPrefix).bullPrefix, autorun: false });
    try {
      const bull = await waitFor('the job', async () => (await worker.getNextJob('t1', { block: false })) ?? null);
      expect(bull.id).toBe(id);
      await enqueuer.schedule.take('comfyui', 'test', redisKeys(config.keyPrefix).sched.inflight('test'), { jobId: id, queue: 'comfyui', lane: 'any', token: 't1', worker: 'test', takenAt: Date.now() });
      await jobs.update(id, 'job.failed', (j) => ({ ...j, status: 'failed', finishedAt: new Date().toISOString(), error: { code: 'execution_error', message: 'boom' } }));
      await enqueuer.schedule.finish(id, redisKeys(config.keyPrefix).sched.inflight('test'));
      await bull.moveToFailed(new Error('boom'), 't1', false);
      // Bull Board's "retry".
      await (await enqueuer.queue('comfyui').getJob(id))!.retry('failed');
      expect(await (await enqueuer.queue('comfyui').getJob(id))?.getState()).toMatch(/waiting|prioritized/);
      await waitFor('taken out again', async () => (await enqueuer.queue('comfyui').getJob(id)) === undefined);
      const job = await jobs.get(id);
      expect(job).toMatchObject({ status: 'failed', error: { code: 'execution_error' } });
      expect(await enqueuer.schedule.position('comfyui', id)).toBeNull();
    } finally {
      await worker.close();
      conn.disconnect();
    }
  });

  it('gives a job waiting in BullMQ without a ticket (a queue from before the scheduler) its ticket, so it runs', async () => {
    const id = crypto.randomUUID();
    const lane = laneOf('comfyui', 'old.safetensors');
    const job: Job = newJob(id, { ...request, model: 'old.safetensors' }, new Date());
    await jobs.create(job);
    await enqueuer.queue(lane.queue).add('generate', { id, request: job.request }, { jobId: id });
    await redis.hset(redisKeys(config.keyPrefix).sched.lanes('comfyui'), lane.lane, JSON.stringify({ queue: lane.queue, model: lane.model }));
    await waitFor('a ticket', async () => (await enqueuer.schedule.position('comfyui', id)) !== null);
    expect(await enqueuer.schedule.meta(id)).toMatchObject({ provider: 'comfyui', lane: lane.lane, queue: lane.queue });
    expect((await jobs.get(id))?.status).toBe('queued');
  });
});
