import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { BackendModels, BackendStatus } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import { ComfyHttpError } from '../providers/comfyui/http-client.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { BackendMonitor, comboOptions, inputSpec, isSimulated } from './monitor.js';
import { readModelLists, type ModelListClient } from './model-lists.js';

describe('object_info parsing', () => {
  it('reads both combo encodings', () => {
    expect(comboOptions([['a.safetensors', 'b.safetensors'], { tooltip: 't' }])).toEqual(['a.safetensors', 'b.safetensors']);
    expect(comboOptions(['COMBO', { options: ['euler', 'ddim'], multiselect: false }])).toEqual(['euler', 'ddim']);
    expect(comboOptions(['INT', { default: 1 }])).toEqual([]);
    expect(comboOptions(undefined)).toEqual([]);
  });

  it('finds an input of a class in an /object_info/{Class} answer', () => {
    const info = { KSampler: { input: { required: { sampler_name: [['euler'], {}] } } } };
    expect(comboOptions(inputSpec(info, 'KSampler', 'sampler_name'))).toEqual(['euler']);
    expect(inputSpec({}, 'KSampler', 'sampler_name')).toBeUndefined();
  });

  it('labels a fake as simulated', () => {
    expect(isSimulated({ system: { simulated: true } })).toBe(true);
    expect(isSimulated({ system: { argv: ['fake-comfyui', '--port', '1'] } })).toBe(true);
    expect(isSimulated({ system: { argv: ['main.py'] } })).toBe(false);
  });
});

describe('readModelLists', () => {
  const notFound = (what: string) => new ComfyHttpError('http_status', `${what}: HTTP 404`, 404);
  const stub = (folders: string[] | Error, files: Record<string, string[] | Error>): ModelListClient & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      modelFolders: async () => {
        if (folders instanceof Error) throw folders;
        return folders;
      },
      modelFiles: async (folder: string) => {
        asked.push(folder);
        const f = files[folder] ?? notFound(`GET /models/${folder}`);
        if (f instanceof Error) throw f;
        return f;
      },
    };
  };

  it('asks only for our folders the backend lists, drops one that 404s, and normalizes backslashes', async () => {
    const client = stub(['checkpoints', 'configs', 'loras', 'vae', 'ipadapter'], {
      checkpoints: ['sdxl\\base.safetensors', 'a.safetensors'],
      loras: ['z.safetensors', 'style\\ink.safetensors', 'style/ink.safetensors'],
      vae: notFound('GET /models/vae'),
      ipadapter: ['ip.bin'],
    });
    expect(await readModelLists(client)).toEqual({
      folders: { checkpoints: ['a.safetensors', 'sdxl/base.safetensors'], loras: ['style/ink.safetensors', 'z.safetensors'], ipadapter: ['ip.bin'] },
      separator: '\\',
    });
    expect(client.asked.sort()).toEqual(['checkpoints', 'ipadapter', 'loras', 'vae']);
  });

  it('without GET /models asks for every folder; any failure other than 404 fails the read', async () => {
    const old = stub(notFound('GET /models'), { checkpoints: ['a.safetensors'] });
    expect(await readModelLists(old, { os: 'posix' })).toEqual({ folders: { checkpoints: ['a.safetensors'] }, separator: '/' });
    expect(old.asked).toHaveLength(9);
    const down = stub(['checkpoints', 'loras'], { checkpoints: [], loras: new ComfyHttpError('timeout', 'GET /models/loras: no answer') });
    await expect(readModelLists(down)).rejects.toThrow(/no answer/);
  });
});

describe('BackendMonitor against the fake ComfyUI', () => {
  let h: Harness;
  let fake: FakeComfy;
  let monitor: BackendMonitor | undefined;

  beforeAll(async () => {
    h = await createHarness('monitor');
    fake = await startFakeComfy({
      windowsPaths: true,
      models: { loras: ['zeta.safetensors', 'style/ink.safetensors', 'add_detail.safetensors'], ipadapter: ['ip-adapter_sdxl.safetensors'] },
    });
  });
  afterAll(async () => {
    await monitor?.stop();
    await fake?.close();
    await h?.close();
  });

  it('stores every folder the backend lists under backendModels(id), and only counts and a hash in the status', async () => {
    monitor = new BackendMonitor({
      redis: h.redis, keys: h.keys, events: h.events, backends: [{ id: 'comfyui-1', url: fake.url }], log: pino({ level: 'silent' }),
      intervalMs: 60_000,
    });
    await monitor.start();
    const models = JSON.parse((await h.redis.get(h.keys.backendModels('comfyui-1'))) ?? 'null') as BackendModels;
    expect(models).toMatchObject({ id: 'comfyui-1', url: fake.url, separator: '\\' });
    expect(models.folders).toEqual({
      checkpoints: ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'],
      diffusion_models: ['flux1-dev.safetensors'],
      loras: ['add_detail.safetensors', 'style/ink.safetensors', 'zeta.safetensors'],
      vae: ['ae.safetensors', 'sdxl_vae.safetensors'],
      controlnet: [],
      clip_vision: ['clip_vision_h.safetensors'],
      text_encoders: ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors'],
      upscale_models: ['4x-UltraSharp.pth'],
      ipadapter: ['ip-adapter_sdxl.safetensors'],
    });
    expect(await h.redis.pttl(h.keys.backendModels('comfyui-1'))).toBeGreaterThan(50_000);

    const status = JSON.parse((await h.redis.get(h.keys.backend('comfyui-1'))) ?? 'null') as BackendStatus;
    expect(status.modelCounts).toEqual({
      checkpoints: 2, diffusion_models: 1, loras: 3, vae: 2, controlnet: 0, clip_vision: 1, text_encoders: 3, upscale_models: 1, ipadapter: 1,
    });
    expect(status.modelsHash).toBe(models.hash);
    expect(JSON.stringify(status)).not.toContain('zeta.safetensors');
    const events = (await h.events.readAfter('0-0')).filter((e) => e.type === 'backend.status');
    expect(events).toHaveLength(1);

    // An unchanged round sends no event; lost lists are written again from memory.
    await h.redis.del(h.keys.backendModels('comfyui-1'));
    await monitor.probeNow();
    expect(JSON.parse((await h.redis.get(h.keys.backendModels('comfyui-1'))) ?? 'null')).toEqual(models);
    expect((await h.events.readAfter('0-0')).filter((e) => e.type === 'backend.status')).toHaveLength(1);
  });
});
