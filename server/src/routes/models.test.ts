import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config, ModelDetails, ModelPage } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { LAYOUTS, safetensorsBytes, writeModel, type TensorSpec } from '../testing/safetensors-files.js';

let redis: Redis;
let config: Config;
let tmp: string;
let app: FastifyInstance;
let tmpModels: string;

const get = async <T>(url: string) => {
  const res = await app.inject({ url });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<T>();
};

beforeAll(async () => {
  redis = newRedis();
  const models = (tmpModels = await mkdtemp(path.join(tmpdir(), 'orch-models-route-')));
  ({ config, outputPath: tmp } = await testConfig('models', { MODELS_PATH: models }));
  const st = (spec: TensorSpec, md?: Record<string, string>) => safetensorsBytes(spec, md);
  await writeModel(models, 'checkpoints/sd_xl_base_1.0.safetensors', st(LAYOUTS.sdxl, { 'modelspec.title': 'SDXL Base', 'modelspec.description': 'The base model' }));
  await writeModel(models, 'checkpoints/dreamshaper_8.safetensors', st(LAYOUTS.sd15));
  await writeModel(models, 'unet/flux1-dev.safetensors', st(LAYOUTS.fluxDev));
  for (const name of ['ink', 'charcoal', 'watercolor']) {
    await writeModel(models, `loras/styles/${name}.safetensors`, st(LAYOUTS.sdxlLora, { 'modelspec.trigger_phrase': `${name} style, artwork` }));
  }
  app = await buildServer(config, { logger: false, backendCacheMs: 0, models: { backgroundHash: false } });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, tmp);
  await rm(tmpModels, { recursive: true, force: true });
  redis.disconnect();
});

describe('GET /api/models', () => {
  it('lists every folder with id, friendly name, family, size and a total', async () => {
    const page = await get<ModelPage>('/api/models');
    expect(page.total).toBe(6);
    expect(page.nextCursor).toBeUndefined();
    expect(page.items.map((m) => m.id)).toEqual([
      'checkpoints/dreamshaper_8.safetensors',
      'checkpoints/sd_xl_base_1.0.safetensors',
      'diffusion_models/flux1-dev.safetensors',
      'loras/styles/charcoal.safetensors',
      'loras/styles/ink.safetensors',
      'loras/styles/watercolor.safetensors',
    ]);
    expect(page.items[1]).toMatchObject({ name: 'SDXL Base', family: 'sdxl', familySource: 'header', folder: 'checkpoints', file: 'sd_xl_base_1.0.safetensors', local: true, backends: [] });
    expect(page.items[0]).toMatchObject({ name: 'dreamshaper 8', family: 'sd15' });
    expect(page.items[1]?.size).toBeGreaterThan(100);
    expect(page.items[1]?.modifiedAt).toMatch(/^\d{4}-/);
  });

  it('filters by folder (legacy names too), family and words in names or trigger words', async () => {
    expect((await get<ModelPage>('/api/models?folder=unet')).items.map((m) => m.id)).toEqual(['diffusion_models/flux1-dev.safetensors']);
    expect((await get<ModelPage>('/api/models?family=flux')).total).toBe(1);
    expect((await get<ModelPage>('/api/models?folder=loras&family=sdxl')).total).toBe(3);
    const ink = await get<ModelPage>('/api/models?q=INK%20artwork');
    expect(ink.items.map((m) => m.id)).toEqual(['loras/styles/ink.safetensors']);
    expect(ink.items[0]?.triggerWords).toEqual(['ink style', 'artwork']);
    expect((await get<ModelPage>('/api/models?q=nothing-like-this')).items).toEqual([]);
  });

  it('pages with a cursor until the end', async () => {
    const ids: string[] = [];
    let url = '/api/models?limit=4';
    for (;;) {
      const page = await get<ModelPage>(url);
      expect(page.total).toBe(6);
      ids.push(...page.items.map((m) => m.id));
      if (!page.nextCursor) break;
      url = `/api/models?limit=4&cursor=${page.nextCursor}`;
    }
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('refuses an unknown folder, a bad cursor and unknown parameters with 400', async () => {
    for (const url of ['/api/models?folder=nope', '/api/models?cursor=zzz', '/api/models?family=sd9', '/api/models?limit=0', '/api/models?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toHaveProperty('error');
    }
  });

  it('keeps /api/models/list as an alias', async () => {
    expect((await get<ModelPage>('/api/models/list?folder=loras')).items).toEqual((await get<ModelPage>('/api/models?folder=loras')).items);
  });

  it('sees a new file after ?refresh=1', async () => {
    await writeModel(tmpModels, 'vae/sdxl_vae.safetensors', safetensorsBytes(LAYOUTS.vae));
    const page = await get<ModelPage>('/api/models?folder=vae&refresh=1');
    expect(page.items).toMatchObject([{ id: 'vae/sdxl_vae.safetensors', family: 'sdxl', familySource: 'name', familyReason: 'name' }]);
  });
});

describe('GET /api/models/:id', () => {
  it('answers metadata details by URL-encoded id, and by bare file name through the legacy alias', async () => {
    const m = await get<ModelDetails>(`/api/models/${encodeURIComponent('checkpoints/sd_xl_base_1.0.safetensors')}`);
    expect(m).toMatchObject({
      id: 'checkpoints/sd_xl_base_1.0.safetensors',
      metadata: { title: 'SDXL Base', description: 'The base model', triggerWords: [], tags: [] },
      rawMetadata: { 'modelspec.title': 'SDXL Base' },
      tensorCount: 5,
      hashStatus: 'none',
    });
    expect((await get<ModelDetails>('/api/models/info/sd_xl_base_1.0.safetensors')).id).toBe(m.id);
    expect((await get<ModelDetails>(`/api/models/${encodeURIComponent('unet/flux1-dev.safetensors')}`)).variant).toBe('dev');
    for (const url of ['/api/models/zzz.safetensors', '/api/models/info/zzz.safetensors', `/api/models/${encodeURIComponent('../../etc/passwd')}`]) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('computes the hash in the background on ?hash=1 and then shows it with the short form', async () => {
    const url = `/api/models/${encodeURIComponent('loras/styles/ink.safetensors')}`;
    expect((await get<ModelDetails>(`${url}?hash=1`)).hashStatus).toMatch(/queued|hashing|done/);
    let m = await get<ModelDetails>(url);
    for (let i = 0; i < 100 && m.hashStatus !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      m = await get<ModelDetails>(url);
    }
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.shortHash).toBe(m.hash?.slice(0, 10));
    const listed = (await get<ModelPage>('/api/models?q=ink')).items[0];
    expect(listed?.shortHash).toBe(m.shortHash);
  });
});

describe('5,000 LoRAs', () => {
  let big: FastifyInstance;
  let bigConfig: Config;
  let bigTmp: string;
  let bigModels: string;

  beforeAll(async () => {
    bigModels = await mkdtemp(path.join(tmpdir(), 'orch-models-5k-'));
    ({ config: bigConfig, outputPath: bigTmp } = await testConfig('models-5k', { MODELS_PATH: bigModels }));
    const layouts = [LAYOUTS.sdxlLora, { 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_down.weight': [16, 768] }];
    const bytes = layouts.map((l, k) => Array.from({ length: 100 }, (_, s) => safetensorsBytes(l, { 'modelspec.trigger_phrase': `style${s}, look${k}` })));
    for (let i = 0; i < 5000; i += 250) {
      await Promise.all(
        Array.from({ length: 250 }, (_, j) => {
          const n = i + j;
          return writeModel(bigModels, `loras/set${n % 10}/lora_${n}.safetensors`, bytes[n % 2]![n % 100]!);
        }),
      );
    }
    big = await buildServer(bigConfig, { logger: false, models: { backgroundHash: false } });
  }, 60_000);

  afterAll(async () => {
    await big.close();
    await cleanup(redis, bigConfig, bigTmp);
    await rm(bigModels, { recursive: true, force: true });
  });

  it('answers a filtered page in under 50 ms once scanned', async () => {
    const first = await big.inject({ url: '/api/models?limit=1' });
    expect(first.json<ModelPage>().total).toBe(5000);
    const urls = ['/api/models?folder=loras&family=sd15&q=style7&limit=50', '/api/models?q=lora_4&limit=100', '/api/models?family=sdxl&limit=200'];
    for (const url of urls) {
      const times: number[] = [];
      let page: ModelPage | undefined;
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        const res = await big.inject({ url });
        times.push(performance.now() - t);
        page = res.json<ModelPage>();
      }
      times.sort((a, b) => a - b);
      expect(page?.items.length, url).toBeGreaterThan(0);
      expect(times[2], `${url}: median ${times[2]?.toFixed(1)} ms`).toBeLessThan(50);
    }
  });
});
