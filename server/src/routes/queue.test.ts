import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { JobStore, redisKeys, type Agent, type AppEvent, type Config, type Job, type QueueView, type WorkerInfo } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * The queue view, queue control and agents over HTTP, with no worker running the jobs (they stay
 * queued); a worker's presence is its published WorkerInfo, written here as a worker writes it.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const request = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk' } as const;

async function submit(body: object = request): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json<{ id: string }>().id;
}

async function queueView(): Promise<QueueView> {
  const res = await app.inject({ url: '/api/queue' });
  expect(res.statusCode).toBe(200);
  return res.json<QueueView>();
}

async function pretendWorker(providers: WorkerInfo['providers']): Promise<void> {
  const keys = redisKeys(config.keyPrefix);
  const info: WorkerInfo = { id: 'w-test', providers, backends: [], startedAt: new Date().toISOString() };
  await redis.zadd(keys.workers, Date.now(), info.id);
  await redis.set(keys.sched.worker(info.id), JSON.stringify(info), 'PX', 60_000);
}

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('queue', { COMFYUI_URLS: 'http://127.0.0.1:18188,http://127.0.0.1:18189' }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0, reconcile: false });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('GET /api/queue and a queued job\'s place', () => {
  it('lists waiting jobs in start order with why they wait, and GET /api/jobs/:id says the same', async () => {
    const a = await submit();
    const b = await submit();
    let view = await queueView();
    expect(view.items.map((i) => i.job.id)).toEqual([a, b]);
    expect(view.items[0]!.place).toMatchObject({ position: 0, reason: 'no_worker' });
    await pretendWorker(['comfyui']);
    await redis.set(redisKeys(config.keyPrefix).backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: config.comfyuiUrls[0]! })));
    await new Promise((r) => setTimeout(r, 600)); // the reasons' snapshot is cached for half a second
    view = await queueView();
    expect(view.items.map((i) => i.place)).toEqual([
      { position: 0, reason: 'next', message: 'next to start' },
      { position: 1, reason: 'behind', message: 'behind 1 job' },
    ]);
    expect(view.byProvider.comfyui).toEqual({ waiting: view.total, running: 0 });
    const job = (await app.inject({ url: `/api/jobs/${b}` })).json<Job>();
    expect(job.queue).toEqual({ position: 1, reason: 'behind', message: 'behind 1 job' });
    const listed = (await app.inject({ url: '/api/jobs?status=queued' })).json<{ items: Job[] }>();
    expect(listed.items.find((j) => j.id === a)?.queue?.reason).toBe('next');
  });

  it('says when every backend is offline', async () => {
    await redis.set(
      redisKeys(config.keyPrefix).backend('comfyui-1'),
      JSON.stringify(backendRecord({ id: 'comfyui-1', url: config.comfyuiUrls[0]!, online: false })),
    );
    await new Promise((r) => setTimeout(r, 600));
    const view = await queueView();
    expect(view.items[0]!.place).toMatchObject({ reason: 'no_backend_online', message: 'no backend is online' });
    await redis.set(redisKeys(config.keyPrefix).backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: config.comfyuiUrls[0]! })));
  });
});

describe('PATCH /api/jobs/:id and POST /api/jobs/:id/move-to-front', () => {
  it('re-prioritises a queued job: its level changes, it moves ahead of lower levels, the record and an event say so', async () => {
    const before = (await queueView()).items.map((i) => i.job.id);
    const id = await submit({ ...request, priority: 'low' });
    expect((await queueView()).items.at(-1)!.job.id).toBe(id);
    const res = await app.inject({ method: 'PATCH', url: `/api/jobs/${id}`, payload: { priority: 'high' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Job>()).toMatchObject({ id, status: 'queued', request: { priority: 'high' }, queue: { position: 0 } });
    expect((await queueView()).items.map((i) => i.job.id)).toEqual([id, ...before]);
    const events = (await redis.xrevrange(redisKeys(config.keyPrefix).events, '+', '-', 'COUNT', 5)).map(([, f]) => JSON.parse(f[1]!) as AppEvent);
    expect(events.some((e) => e.type === 'job.progress' && (e.data as Job).id === id && (e.data as Job).request.priority === 'high')).toBe(true);
  });

  it('moves a job to the front, before jobs of a higher level, and in the order jobs were moved', async () => {
    const first = await submit({ ...request, priority: 'low' });
    const second = await submit();
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${first}/move-to-front` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${second}/move-to-front` })).statusCode).toBe(200);
    const order = (await queueView()).items.map((i) => i.job.id);
    expect(order.slice(0, 2)).toEqual([first, second]);
    expect((await new JobStore(redis, config.keyPrefix).get(first))?.request.priority).toBe('high');
  });

  it('refuses a job that is not queued with 409 not_queued, bad bodies with 400, unknown jobs with 404', async () => {
    const id = await submit();
    await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    for (const res of [
      await app.inject({ method: 'PATCH', url: `/api/jobs/${id}`, payload: { priority: 'low' } }),
      await app.inject({ method: 'POST', url: `/api/jobs/${id}/move-to-front` }),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'not_queued' });
    }
    const other = await submit();
    for (const payload of [{ priority: 'urgent' }, { priority: 1 }, {}, { priority: 'low', extra: 1 }]) {
      expect((await app.inject({ method: 'PATCH', url: `/api/jobs/${other}`, payload })).statusCode).toBe(400);
    }
    expect((await app.inject({ method: 'PATCH', url: `/api/jobs/${other}`, payload: 'null', headers: { 'content-type': 'application/json' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: `/api/jobs/${crypto.randomUUID()}`, payload: { priority: 'low' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${crypto.randomUUID()}/move-to-front` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/jobs/not-a-uuid/move-to-front' })).statusCode).toBe(400);
  });
});

describe('agents', () => {
  it('lists every provider and backend with its state and queue', async () => {
    const res = await app.inject({ url: '/api/agents' });
    expect(res.statusCode).toBe(200);
    const agents = res.json<{ agents: Agent[] }>().agents;
    expect(agents.map((a) => a.name)).toEqual(['comfyui', 'flux', 'v0', 'comfyui-1', 'comfyui-2']);
    const comfy = agents.find((a) => a.name === 'comfyui')!;
    expect(comfy).toMatchObject({ kind: 'provider', enabled: true, busy: false, draining: false });
    expect(comfy.queue.waiting).toBeGreaterThan(0);
    const gpu2 = agents.find((a) => a.name === 'comfyui-2')!;
    expect(gpu2).toMatchObject({ kind: 'backend', provider: 'comfyui', enabled: true, online: false, url: config.comfyuiUrls[1] });
    expect(agents.find((a) => a.name === 'flux')).toMatchObject({ online: false, message: 'no running worker serves it' });
  });

  it('switches an agent off and on: persisted, announced as agent.status, and the queue says why its jobs wait', async () => {
    const off = await app.inject({ method: 'POST', url: '/api/agents/comfyui/off' });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<Agent>()).toMatchObject({ name: 'comfyui', enabled: false, draining: false });
    expect(await redis.hget(redisKeys(config.keyPrefix).sched.agents, 'comfyui')).toBe('off');
    const last = (await redis.xrevrange(redisKeys(config.keyPrefix).events, '+', '-', 'COUNT', 1)).map(([, f]) => JSON.parse(f[1]!) as AppEvent)[0]!;
    expect(last).toMatchObject({ type: 'agent.status', data: { name: 'comfyui', enabled: false } });
    await new Promise((r) => setTimeout(r, 600));
    expect((await queueView()).items[0]!.place).toMatchObject({ reason: 'provider_off', message: 'comfyui is switched off' });
    const on = await app.inject({ method: 'POST', url: '/api/agents/comfyui/on' });
    expect(on.json<Agent>().enabled).toBe(true);
    expect(await redis.hget(redisKeys(config.keyPrefix).sched.agents, 'comfyui')).toBeNull();
  });

  it('answers 404 naming the agents for an unknown name, 400 for a bad state', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/agents/gpu9/off' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'unknown_agent', details: { agents: ['comfyui', 'flux', 'v0', 'comfyui-1', 'comfyui-2'] } });
    expect(res.json<{ message: string }>().message).toContain('comfyui-1');
    expect((await app.inject({ method: 'POST', url: '/api/agents/comfyui/pause' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/agents/a%20b/off' })).statusCode).toBe(400);
  });
});
