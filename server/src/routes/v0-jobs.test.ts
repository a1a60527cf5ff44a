import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config, Job } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let withKey: FastifyInstance;
let bare: FastifyInstance;
let keyed: { config: Config; outputPath: string };
let plain: { config: Config; outputPath: string };
let redis: Redis;
const KEY = 'v0_route_test_key_0a9b8c7d';
const site = { provider: 'v0', kind: 'site', prompt: 'a landing page for a bakery' } as const;

beforeAll(async () => {
  keyed = await testConfig('v0-jobs', { V0_API_KEY: KEY, V0_API_URL: 'http://127.0.0.1:1/v1' });
  plain = await testConfig('v0-bare');
  redis = newRedis();
  withKey = await buildServer(keyed.config, { logger: false });
  bare = await buildServer(plain.config, { logger: false });
});

afterAll(async () => {
  await withKey.close();
  await bare.close();
  await cleanup(redis, keyed.config, keyed.outputPath);
  await cleanup(redis, plain.config, plain.outputPath);
  redis.disconnect();
});

describe('POST /api/jobs with provider "v0"', () => {
  it('queues a site job when V0_API_KEY is set, and the job never shows the key', async () => {
    const res = await withKey.inject({ method: 'POST', url: '/api/jobs', payload: site });
    expect(res.statusCode).toBe(202);
    const job = (await withKey.inject({ url: `/api/jobs/${res.json<{ id: string }>().id}` })).json<Job>();
    expect(job).toMatchObject({ provider: 'v0', kind: 'site', status: 'queued' });
    expect(JSON.stringify(job)).not.toContain(KEY);
  });

  it('answers 400 provider_not_configured naming V0_API_KEY instead of queueing a job no worker can run', async () => {
    const res = await bare.inject({ method: 'POST', url: '/api/jobs', payload: site });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'provider_not_configured' });
    expect(res.json<{ message: string }>().message).toMatch(/V0_API_KEY/);
  });
});
