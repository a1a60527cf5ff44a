import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type Config } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

const CHECKPOINTS = ['sd_xl_base_1.0.safetensors', 'svd_xt.safetensors'];
let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let fake: FakeComfy;

async function writeBackend(online: boolean): Promise<void> {
  const keys = redisKeys(config.keyPrefix);
  await redis.set(keys.backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: fake.url, checkpoints: CHECKPOINTS, online })));
}

const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
const image = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', model: 'sd_xl_base_1.0.safetensors' } as const;

beforeAll(async () => {
  fake = await startFakeComfy({ checkpoints: CHECKPOINTS });
  ({ config, outputPath } = await testConfig('jobs-validate', { COMFYUI_URLS: fake.url }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, backendCacheMs: 0 });
});

afterAll(async () => {
  await app?.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
  await fake?.close();
});

describe('POST /api/jobs/validate', () => {
  it('answers ok, unchecked, when no backend is online', async () => {
    await writeBackend(false);
    const res = await post('/api/jobs/validate', image);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ok: true, checked: false });
  });

  it('checks the template against the object_info of an online backend', async () => {
    await writeBackend(true);
    const ok = await post('/api/jobs/validate', { ...image, params: { steps: 10 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ ok: true, checked: true });
    const video = await post('/api/jobs/validate', { ...image, kind: 'video', model: 'svd_xt.safetensors', inputImage: 'abc', params: { frames: 25 } });
    expect(video.json()).toEqual({ ok: true, checked: true });
  });

  it('answers 400 invalid_workflow naming node and input, and POST /api/jobs refuses the same request', async () => {
    await writeBackend(true);
    const bad = { ...image, params: { sampler: 'no_such_sampler' } };
    const res = await post('/api/jobs/validate', bad);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid_workflow',
      message: expect.stringMatching(/^KSampler \(#3\) input "sampler_name": value 'no_such_sampler' is not in the list/),
      details: [{ nodeId: '3', classType: 'KSampler', input: 'sampler_name', message: expect.any(String) }],
    });
    const submitted = await post('/api/jobs', bad);
    expect(submitted.statusCode).toBe(400);
    expect(submitted.json()).toMatchObject({ error: 'invalid_workflow', details: [{ nodeId: '3', input: 'sampler_name' }] });
  });

  it('checks a FLUX request against the FLUX loaders: a checkpoint is not a diffusion model', async () => {
    await writeBackend(true);
    const res = await post('/api/jobs/validate', { ...image, family: 'flux', modelFolder: 'diffusion_models' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ details: unknown[] }>().details).toEqual([
      { nodeId: '12', classType: 'UNETLoader', input: 'unet_name', message: expect.stringContaining("value 'sd_xl_base_1.0.safetensors' is not in the list ('flux1-dev.safetensors')") },
    ]);
    // The same file in checkpoints runs as an all-in-one FLUX checkpoint, which the backend can load.
    const allInOne = await post('/api/jobs/validate', { ...image, family: 'flux', modelFolder: 'checkpoints' });
    expect(allInOne.json()).toEqual({ ok: true, checked: true });
  });
});
