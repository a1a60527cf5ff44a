import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AssetStore, assetIdForPath, assetUrls, redisKeys, type Config, type Job } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let bare: FastifyInstance;
let config: Config;
let bareConfig: Config;
let outputPath: string;
let bareOutput: string;
let redis: Redis;
let queue: Queue;
const KEY = 'bfl_route_test_key_5e4d3c2b1a';

const flux = { provider: 'flux', kind: 'image', prompt: 'a lighthouse at dusk' } as const;

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('flux-jobs', { BFL_API_KEY: KEY, BFL_API_URL: 'http://127.0.0.1:1' }));
  ({ config: bareConfig, outputPath: bareOutput } = await testConfig('flux-bare'));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0 });
  bare = await buildServer(bareConfig, { logger: false, backendCacheMs: 0 });
  queue = new Queue('flux', { connection: redis, prefix: redisKeys(config.keyPrefix).bullPrefix });
});

afterAll(async () => {
  await app.close();
  await bare.close();
  await queue.close();
  await cleanup(redis, config, outputPath);
  await cleanup(redis, bareConfig, bareOutput);
  redis.disconnect();
});

const post = (payload: object, on = app) => on.inject({ method: 'POST', url: '/api/jobs', payload });

describe('POST /api/jobs with provider "flux"', () => {
  it('queues the job on the flux queue with the default model written into the request', async () => {
    const res = await post({ ...flux, params: { aspectRatio: '21:9', raw: true, seed: 7, outputFormat: 'png' } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    const job = (await app.inject({ url: `/api/jobs/${id}` })).json<Job>();
    expect(job).toMatchObject({ provider: 'flux', kind: 'image', status: 'queued', request: { model: 'flux-pro-1.1-ultra', params: { raw: true } } });
    const bull = await queue.getJob(id);
    expect(bull?.data).toEqual({ id, request: job.request });
  });

  it('answers 400 provider_not_configured naming BFL_API_KEY when the key is missing', async () => {
    const res = await post(flux, bare);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'provider_not_configured' });
    expect(res.json<{ message: string }>().message).toMatch(/BFL_API_KEY/);
  });

  it.each([
    [{ model: 'flux-pro-1.1-ultra', params: { steps: 20 } }, 'body/params/steps', /flux-pro-1.1-ultra does not take steps/],
    [{ model: 'flux-pro-1.1', params: { guidance: 3 } }, 'body/params/guidance', /flux-pro-1.1 does not take guidance/],
    [{ model: 'flux-dev', params: { aspectRatio: '1:1' } }, 'body/params/aspectRatio', /flux-dev does not take aspectRatio/],
    [{ model: 'flux-kontext-pro', params: { width: 512 } }, 'body/params/width', /flux-kontext-pro does not take width/],
    [{ model: 'flux-kontext-max' }, 'body/inputImage', /inputImage .* is required/],
    [{ params: { aspectRatio: '3:1' } }, 'body/params/aspectRatio', /between 21:9 and 9:21/],
    [{ params: { imagePromptStrength: 0.5 } }, 'body/params/imagePromptStrength', /needs an inputImage/],
  ])('refuses a param the model does not take: %j → 400 naming %s', async (extra, where, message) => {
    const res = await post({ ...flux, ...extra });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; message: string; details: { path: string }[] }>();
    expect(body.error).toBe('validation_failed');
    expect(body.message).toMatch(message);
    expect(body.details[0]?.path).toBe(where);
  });

  it.each([
    [{ params: { width: 1000 } }, /multiple/i],
    [{ params: { width: 2048 } }, /1440/],
    [{ params: { safetyTolerance: 7 } }, /6/],
    [{ params: { outputFormat: 'webp' } }, /outputFormat|jpeg/],
    [{ params: { guidance: 9 } }, /5/],
    [{ model: 'flux-2-pro' }, /model/],
    [{ inputImage: '../../etc/passwd' }, /inputImage|pattern/],
    [{ negativePrompt: 'x' }, /negativePrompt|unknown/],
  ])('refuses what the schema forbids: %j', async (extra, message) => {
    const res = await post({ ...flux, ...extra });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toBe('validation_failed');
    expect(JSON.stringify(res.json())).toMatch(message);
  });

  it('accepts an input image that is a gallery asset or an upload, and refuses an unknown one', async () => {
    const relPath = '2026-01-01/source.png';
    const id = assetIdForPath(relPath);
    await new AssetStore(redis, config.keyPrefix).put({
      id,
      type: 'image',
      fileName: 'source.png',
      relPath,
      size: 10,
      mimeType: 'image/png',
      createdAt: new Date().toISOString(),
      ...assetUrls(id),
      meta: {},
    });
    expect((await post({ ...flux, model: 'flux-kontext-pro', inputImage: id })).statusCode).toBe(202);

    const upload = randomUUID();
    await mkdir(path.join(config.dataPath, 'uploads'), { recursive: true });
    await writeFile(path.join(config.dataPath, 'uploads', `${upload}.png`), 'x');
    expect((await post({ ...flux, model: 'flux-kontext-max', inputImage: upload })).statusCode).toBe(202);
    expect((await post({ ...flux, model: 'flux-pro-1.1', inputImage: upload })).statusCode).toBe(202);

    const missing = await post({ ...flux, model: 'flux-kontext-pro', inputImage: '0123456789abcdef' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'input_image_not_found' });
    expect((await post({ ...flux, model: 'flux-kontext-pro', inputImage: randomUUID() })).statusCode).toBe(400);
  });

  it('never returns the key, even in the health report of an unreachable BFL', async () => {
    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json<{ providers: { flux: object } }>().providers.flux).toMatchObject({ configured: true, creditsError: expect.stringMatching(/could not be reached/) });
    for (const res of [health, await post({ ...flux, params: { steps: 3 } }), await app.inject({ url: '/api/jobs' })]) {
      expect(res.body).not.toContain(KEY);
    }
  });
});
