import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { JobStore, laneOf, newJob, redisKeys, type Config, type Job, type JobStatus } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { REDIS_URL, backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let queue: Queue;

const request = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function submit(body: object = request): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: body });
  expect(res.statusCode).toBe(202);
  return res.json<{ id: string }>().id;
}

/** The job as BullMQ holds it, in the lane queue of its model. */
async function bullJob(id: string) {
  const job = await new JobStore(redis, config.keyPrefix).get(id);
  const lane = laneOf('comfyui', job?.request.provider === 'comfyui' ? job.request.model : undefined);
  const q = new Queue(lane.queue, { connection: redis, prefix: redisKeys(config.keyPrefix).bullPrefix });
  try {
    return await q.getJob(id);
  } finally {
    await q.close();
  }
}

async function writeBackend(checkpoints: string[], online = true): Promise<void> {
  const keys = redisKeys(config.keyPrefix);
  await redis.set(keys.backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: config.comfyuiUrls[0]!, checkpoints, online })));
}

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('jobs', { COMFYUI_URLS: 'http://127.0.0.1:18188' }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0 });
  queue = new Queue('comfyui', { connection: redis, prefix: redisKeys(config.keyPrefix).bullPrefix });
});

afterAll(async () => {
  await app.close();
  await queue.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('POST /api/jobs', () => {
  it('stores the job, enqueues it (no BullMQ retries: the scheduler re-queues) and answers 202 with a Location', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...request, priority: 'high' } });
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json<{ id: string; status: string }>();
    expect(id).toMatch(UUID);
    expect(status).toBe('queued');
    expect(res.headers.location).toBe(`/api/jobs/${id}`);

    const stored = await new JobStore(redis, config.keyPrefix).get(id);
    expect(stored).toMatchObject({ id, status: 'queued', provider: 'comfyui', kind: 'image' });
    expect(stored!.request.priority).toBe('high');
    const bull = await bullJob(id);
    expect(bull?.name).toBe('generate');
    expect(bull?.data).toEqual({ id, request: stored!.request });
    expect(bull?.opts).toMatchObject({ attempts: 1, priority: 2 });
    expect(bull?.opts.backoff).toBeUndefined();
    expect(bull?.opts.removeOnComplete).toEqual({ age: 3600 });
    expect(bull?.opts.removeOnFail).toEqual({ age: 86400 });
  });

  it('maps priority levels (and the legacy 0..100 numbers) onto BullMQ priorities, higher levels sooner', async () => {
    const low = await submit({ ...request, priority: 'low' });
    const high = await submit({ ...request, priority: 'high' });
    const normal = await submit(request);
    const legacyHigh = await submit({ ...request, priority: 100 });
    const legacyLow = await submit({ ...request, priority: 0 });
    const priorities = await Promise.all([low, high, normal, legacyHigh, legacyLow].map(async (id) => (await bullJob(id))?.opts.priority));
    expect(priorities).toEqual([4, 2, 3, 2, 4]);
    const stored = await new JobStore(redis, config.keyPrefix).getMany([legacyHigh, legacyLow]);
    expect(stored.map((j) => j.request.priority)).toEqual(['high', 'low']);
  });

  it('leaves the model unset when no backend has reported checkpoints', async () => {
    const id = await submit();
    const job = (await app.inject({ url: `/api/jobs/${id}` })).json<Job>();
    expect(job.request.model).toBeUndefined();
  });

  it('picks the first checkpoint of an online backend when no model is given', async () => {
    await writeBackend(['first.safetensors', 'second.safetensors']);
    const id = await submit();
    const job = (await app.inject({ url: `/api/jobs/${id}` })).json<Job>();
    expect(job.request.model).toBe('first.safetensors');
  });

  it('rejects a model no backend has with 400 model_unavailable naming it and listing some', async () => {
    await writeBackend(['first.safetensors', 'second.safetensors']);
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...request, model: 'nope.safetensors' } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; message: string; details: { available: string[] } }>();
    expect(body.error).toBe('model_unavailable');
    expect(body.message).toContain('nope.safetensors');
    expect(body.details.available).toContain('first.safetensors');
    const ok = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...request, model: 'second.safetensors' } });
    expect(ok.statusCode).toBe(202);
  });

  it('answers 400 provider_not_configured pointing at COMFYUI_URLS when no ComfyUI backend is configured', async () => {
    const { config: bare, outputPath: out } = await testConfig('jobs-bare');
    const other = await buildServer(bare, { logger: false });
    try {
      const res = await other.inject({ method: 'POST', url: '/api/jobs', payload: request });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'provider_not_configured' });
      expect(res.json<{ message: string }>().message).toContain('COMFYUI_URLS');
    } finally {
      await other.close();
      await cleanup(redis, bare, out);
    }
  });
});

describe('GET /api/jobs', () => {
  let store: JobStore;
  const base = Date.parse('2030-01-01T00:00:00Z');
  // A separate server on a fresh prefix, so the listing holds exactly these jobs.
  let listApp: FastifyInstance;
  let listConfig: Config;
  let listOut: string;
  const made: Job[] = [];

  beforeAll(async () => {
    ({ config: listConfig, outputPath: listOut } = await testConfig('jobs-list', { COMFYUI_URLS: 'http://127.0.0.1:18188' }));
    listApp = await buildServer(listConfig, { logger: false });
    store = new JobStore(redis, listConfig.keyPrefix);
    const statuses: JobStatus[] = ['queued', 'failed', 'completed', 'queued', 'failed', 'cancelled', 'queued'];
    for (let i = 0; i < statuses.length; i++) {
      // Two jobs share each timestamp, so pages must split runs of equal scores correctly.
      const job = { ...newJob(crypto.randomUUID(), request, new Date(base + Math.floor(i / 2) * 1000)), status: statuses[i]! };
      if (i === 6) job.provider = 'flux';
      await store.create(job);
      made.push(job);
    }
  });

  afterAll(async () => {
    await listApp.close();
    await cleanup(redis, listConfig, listOut);
  });

  async function pages(query: string): Promise<Job[][]> {
    const out: Job[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await listApp.inject({ url: `/api/jobs?${query}${cursor ? `&cursor=${cursor}` : ''}` });
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: Job[]; nextCursor?: string }>();
      out.push(page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  it('pages newest first with cursors, without duplicates or gaps', async () => {
    const got = await pages('limit=3');
    expect(got.map((p) => p.length)).toEqual([3, 3, 1]);
    const ids = got.flat().map((j) => j.id);
    const expected = [...made].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).map((j) => j.id);
    expect(new Set(ids).size).toBe(7);
    expect(ids.sort()).toEqual([...expected].sort());
    const times = got.flat().map((j) => Date.parse(j.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('defaults to 50 items and omits nextCursor on the last page', async () => {
    const res = await listApp.inject({ url: '/api/jobs' });
    const page = res.json<{ items: Job[]; nextCursor?: string }>();
    expect(page.items).toHaveLength(7);
    expect(page.nextCursor).toBeUndefined();
  });

  it('filters by status and by provider, across pages', async () => {
    const failed = (await pages('status=failed&limit=1')).flat();
    expect(failed.map((j) => j.status)).toEqual(['failed', 'failed']);
    const queued = (await pages('status=queued&provider=comfyui')).flat();
    expect(queued).toHaveLength(2);
    const flux = (await pages('provider=flux')).flat();
    expect(flux.map((j) => j.id)).toEqual([made[6]!.id]);
  });

  it('rejects a cursor it did not make, and limits outside 1..200', async () => {
    for (const q of ['cursor=garbage!!', 'limit=0', 'limit=201', 'limit=abc', 'status=done', 'provider=other']) {
      const res = await listApp.inject({ url: `/api/jobs?${q}` });
      expect(res.statusCode, q).toBe(400);
    }
    expect((await listApp.inject({ url: '/api/jobs?cursor=garbage' })).json()).toMatchObject({ error: 'invalid_cursor' });
  });
});

describe('GET /api/jobs/:id', () => {
  it('answers the job, 404 for an unknown id and 400 for a non-UUID id', async () => {
    const id = await submit();
    expect((await app.inject({ url: `/api/jobs/${id}` })).json()).toMatchObject({ id, status: 'queued' });
    const unknown = await app.inject({ url: `/api/jobs/${crypto.randomUUID()}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found' });
    expect((await app.inject({ url: '/api/jobs/not-a-uuid' })).statusCode).toBe(400);
    expect((await app.inject({ url: `/api/jobs/${id.toUpperCase()}` })).statusCode).toBe(400);
  });
});

describe('DELETE /api/jobs/:id', () => {
  it('removes a queued job from the queue and marks it cancelled, with an event', async () => {
    const id = await submit();
    const res = await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, status: 'cancelled', cancelRequested: false });
    expect(await bullJob(id)).toBeUndefined();
    const job = (await app.inject({ url: `/api/jobs/${id}` })).json<Job>();
    expect(job.status).toBe('cancelled');
    expect(job.finishedAt).toBeTruthy();
    const events = await redis.xrevrange(redisKeys(config.keyPrefix).events, '+', '-', 'COUNT', 5);
    expect(events.some(([, f]) => f[1]!.includes('"job.cancelled"') && f[1]!.includes(id))).toBe(true);
  });

  it('answers 409 already_finished for a final job and 404 for an unknown one', async () => {
    const id = await submit();
    await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    const again = await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'already_finished' });
    expect((await app.inject({ method: 'DELETE', url: `/api/jobs/${crypto.randomUUID()}` })).statusCode).toBe(404);
  });

  it('marks a job a worker holds cancelled at once, signals that worker over pub/sub and answers 202', async () => {
    await redis.del(redisKeys(config.keyPrefix).backend('comfyui-1')); // no model: the job waits in the `comfyui` queue
    await queue.drain(true);
    const id = await submit();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let taken!: () => void;
    const takenP = new Promise<void>((r) => (taken = r));
    const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'comfyui',
      async (job) => {
        if (job.id !== id) return;
        taken();
        await held;
      },
      { connection: workerConn, prefix: redisKeys(config.keyPrefix).bullPrefix },
    );
    const sub = newRedis();
    const cancelled = new Promise<string>((resolve) => sub.on('message', (_c, msg: string) => resolve(msg)));
    await sub.subscribe(redisKeys(config.keyPrefix).cancelChannel);
    try {
      await takenP;
      const res = await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ id, status: 'cancelled', cancelRequested: true });
      expect(await cancelled).toBe(id);
      expect((await app.inject({ url: `/api/jobs/${id}` })).json<Job>().status).toBe('cancelled');
    } finally {
      release();
      await worker.close();
      workerConn.disconnect();
      sub.disconnect();
    }
  });
});

describe('POST /api/jobs/:id/retry', () => {
  it('creates a new job with the same request and retryOf for a cancelled job', async () => {
    const id = await submit({ ...request, prompt: 'retry me' });
    await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    const res = await app.inject({ method: 'POST', url: `/api/jobs/${id}/retry` });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; status: string; retryOf: string }>();
    expect(body.id).not.toBe(id);
    expect(body).toMatchObject({ status: 'queued', retryOf: id });
    const job = (await app.inject({ url: `/api/jobs/${body.id}` })).json<Job>();
    expect(job.request.prompt).toBe('retry me');
    expect(job.retryOf).toBe(id);
    expect(await bullJob(body.id)).toBeTruthy();
  });

  it('also retries failed jobs, and refuses queued ones with 409', async () => {
    const store = new JobStore(redis, config.keyPrefix);
    const failed = { ...newJob(crypto.randomUUID(), request, new Date()), status: 'failed' as const };
    await store.create(failed);
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${failed.id}/retry` })).statusCode).toBe(202);
    const queued = await submit();
    const res = await app.inject({ method: 'POST', url: `/api/jobs/${queued}/retry` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'not_retryable' });
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${crypto.randomUUID()}/retry` })).statusCode).toBe(404);
  });
});
