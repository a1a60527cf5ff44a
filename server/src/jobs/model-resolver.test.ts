import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type BackendModels, type ComfyJobRequest, type Config, type Job } from '@orchestrator/shared';
import { toView, type BackendView } from '../backends/backend-registry.js';
import { HttpError } from '../errors.js';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';
import { resolveComfyModel, type ModelLookup } from './model-resolver.js';

const URL_1 = 'http://127.0.0.1:18191';
const request: ComfyJobRequest = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse' };

function views(checkpoints: string[]): BackendView[] {
  return [toView({ id: 'comfyui-1', url: URL_1 }, backendRecord({ id: 'comfyui-1', url: URL_1, checkpoints }), Date.now())];
}

function lists(folders: Record<string, string[]>): BackendModels {
  return { id: 'comfyui-1', url: URL_1, checkedAt: new Date().toISOString(), folders, separator: '/', hash: 'h' };
}

/** A catalogue that knows a few files and records what it was asked. */
function catalogue(families: Record<string, string>): ModelLookup & { asked: Array<[string, readonly string[]]> } {
  const asked: Array<[string, readonly string[]]> = [];
  return {
    asked,
    lookup: async (file, folders) => {
      asked.push([file, folders]);
      for (const folder of folders) {
        const family = families[`${folder}/${file}`];
        if (family) return { folder, family };
      }
      return null;
    },
  };
}

describe('resolveComfyModel', () => {
  const models = [lists({ checkpoints: ['sd_xl_base_1.0.safetensors'], diffusion_models: ['flux1-dev.safetensors', 'flux/schnell.safetensors'], loras: ['ink.safetensors'] })];

  it('accepts a diffusion model a backend lists, and fills the family the catalogue detected', async () => {
    const c = catalogue({ 'diffusion_models/flux1-dev.safetensors': 'flux' });
    const out = await resolveComfyModel({ ...request, model: 'flux1-dev.safetensors' }, views(['sd_xl_base_1.0.safetensors']), { models, catalogue: c });
    expect(out).toEqual({ ...request, model: 'flux1-dev.safetensors', modelFolder: 'diffusion_models', family: 'flux' });
    expect(c.asked).toEqual([['flux1-dev.safetensors', ['diffusion_models']]]);
  });

  it('matches names whatever the separator (a Windows backend lists backslashes)', async () => {
    const out = await resolveComfyModel({ ...request, model: 'flux\\schnell.safetensors' }, views(['SDXL\\remote.safetensors']), { models });
    expect(out.model).toBe('flux\\schnell.safetensors');
    expect((await resolveComfyModel({ ...request, model: 'SDXL/remote.safetensors' }, views(['SDXL\\remote.safetensors']))).model).toBe('SDXL/remote.safetensors');
  });

  it('rejects a model that is neither a checkpoint nor a diffusion model, listing both kinds', async () => {
    const err = await resolveComfyModel({ ...request, model: 'ink.safetensors' }, views(['sd_xl_base_1.0.safetensors']), { models }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ statusCode: 400, code: 'model_unavailable' });
    expect((err as HttpError).message).toBe(
      'Model "ink.safetensors" is not a checkpoint or diffusion model on any ComfyUI backend; available: sd_xl_base_1.0.safetensors, flux1-dev.safetensors, flux/schnell.safetensors',
    );
    expect((err as HttpError).details).toEqual({ model: 'ink.safetensors', available: ['sd_xl_base_1.0.safetensors', 'flux1-dev.safetensors', 'flux/schnell.safetensors'] });
  });

  it('fills the family of the default checkpoint too, keeps a family the request names, and ignores unknown or failed lookups', async () => {
    const c = catalogue({ 'checkpoints/sd_xl_base_1.0.safetensors': 'sdxl', 'checkpoints/odd.safetensors': 'unknown' });
    expect(await resolveComfyModel(request, views(['sd_xl_base_1.0.safetensors']), { catalogue: c })).toMatchObject({ model: 'sd_xl_base_1.0.safetensors', family: 'sdxl' });
    expect(await resolveComfyModel({ ...request, model: 'sd_xl_base_1.0.safetensors', family: 'sd15' }, views(['sd_xl_base_1.0.safetensors']), { catalogue: c })).toMatchObject({ family: 'sd15' });
    expect((await resolveComfyModel({ ...request, model: 'odd.safetensors' }, views(['odd.safetensors']), { catalogue: c })).family).toBeUndefined();
    const broken: ModelLookup = { lookup: () => Promise.reject(new Error('redis away')) };
    expect((await resolveComfyModel({ ...request, model: 'odd.safetensors' }, views(['odd.safetensors']), { catalogue: broken })).family).toBeUndefined();
  });

  it('checks nothing when no backend has reported yet, and still names provider_not_configured without one configured', async () => {
    const unseen = [toView({ id: 'comfyui-1', url: URL_1 }, null, Date.now())];
    expect(await resolveComfyModel({ ...request, model: 'anything.safetensors' }, unseen)).toMatchObject({ model: 'anything.safetensors' });
    await expect(resolveComfyModel(request, [])).rejects.toMatchObject({ code: 'provider_not_configured' });
  });
});

describe('POST /api/jobs with the catalogue wired in', () => {
  let app: FastifyInstance;
  let config: Config;
  let outputPath: string;
  let redis: Redis;

  beforeAll(async () => {
    ({ config, outputPath } = await testConfig('model-resolver', { COMFYUI_URLS: URL_1 }));
    redis = newRedis();
    app = await buildServer(config, { logger: false, backendCacheMs: 0, models: { backgroundHash: false } });
    const keys = redisKeys(config.keyPrefix);
    await redis.set(keys.backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: URL_1, checkpoints: ['sd_xl_base_1.0.safetensors'] })));
    await redis.set(keys.backendModels('comfyui-1'), JSON.stringify(lists({ checkpoints: ['sd_xl_base_1.0.safetensors'], diffusion_models: ['flux1-dev.safetensors'] })));
  });
  afterAll(async () => {
    await app.close();
    await cleanup(redis, config, outputPath);
    redis.disconnect();
  });

  it('queues a FLUX diffusion model with the family the catalogue detected, so the worker need not guess', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...request, model: 'flux1-dev.safetensors' } });
    expect(res.statusCode, res.body).toBe(202);
    const job = (await app.inject({ url: `/api/jobs/${res.json<{ id: string }>().id}` })).json<Job>();
    expect(job.request).toMatchObject({ model: 'flux1-dev.safetensors', family: 'flux' });
  });
});
