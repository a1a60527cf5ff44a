/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// Model folders (§1.9, §4.4) and the loaders of FLUX-local / SD3.5 / LoRA graphs: object_info entries,
// validation against the folder lists, and execution.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, type FakeComfy, startFakeComfy } from './index.js';
import { getJson, postJson, WsClient } from './testkit.js';

let fake: FakeComfy;
beforeAll(async () => {
  fake = await startFakeComfy({
    stepMs: 1,
    previews: false,
    models: {
      loras: ['zeta.safetensors', 'style/ink.safetensors', 'alpha.safetensors'],
      ipadapter: ['ip-adapter_sdxl.safetensors'],
      vae_approx: ['taesd_decoder.pth', 'taesd_encoder.pth', 'taesdxl_decoder.pth'],
    },
  });
});
afterAll(async () => {
  await fake.close();
});

/** FLUX.1 local (ComfyUI_examples layout) with a LoRA between the loaders and the sampler. */
function fluxGraph(o: { guidance?: number; lora?: string; unet?: string; device?: string; prefix?: string } = {}): Record<string, any> {
  return {
    '12': { class_type: 'UNETLoader', inputs: { unet_name: o.unet ?? 'flux1-dev.safetensors', weight_dtype: 'fp8_e4m3fn' } },
    '11': {
      class_type: 'DualCLIPLoader',
      inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux', ...(o.device ? { device: o.device } : {}) },
    },
    '10': { class_type: 'VAELoader', inputs: { vae_name: 'ae.safetensors' } },
    '20': {
      class_type: 'LoraLoader',
      inputs: { model: ['12', 0], clip: ['11', 0], lora_name: o.lora ?? 'style/ink.safetensors', strength_model: 0.8, strength_clip: 1 },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: ['20', 1] } },
    '33': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['20', 1] } },
    '26': { class_type: 'FluxGuidance', inputs: { conditioning: ['6', 0], guidance: o.guidance ?? 3.5 } },
    '27': { class_type: 'EmptySD3LatentImage', inputs: { width: 64, height: 48, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 1, steps: 2, cfg: 1, sampler_name: 'euler', scheduler: 'simple', denoise: 1,
        model: ['20', 0], positive: ['26', 0], negative: ['33', 0], latent_image: ['27', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['10', 0] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: o.prefix ?? 'flux', images: ['8', 0] } },
  };
}

async function run(prompt: Record<string, any>): Promise<Record<string, any>> {
  const clientId = randomUUID();
  const ws = await WsClient.connect(fake.url, clientId);
  try {
    const r = await postJson(fake.url, '/prompt', { prompt, client_id: clientId });
    expect(r.status, r.text).toBe(200);
    await ws.done(r.json.prompt_id);
    return (await getJson(fake.url, `/history/${r.json.prompt_id}`)).json[r.json.prompt_id];
  } finally {
    ws.close();
  }
}

/** The IDAT bytes of a PNG: the pixels, without the metadata chunks (which differ with every prompt). */
function pixels(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return Buffer.concat(parts);
}

const nodeErrors = async (prompt: Record<string, any>) => {
  const r = await postJson(fake.url, '/prompt', { prompt });
  expect(r.status, r.text).toBe(400);
  return r.json.node_errors as Record<string, { errors: Array<Record<string, any>> }>;
};

describe('GET /models and /models/{folder}', () => {
  it('lists the core folder keys, then one only a custom node registers; each folder sorted, from the options over the defaults', async () => {
    const folders = (await getJson(fake.url, '/models')).json as string[];
    expect(folders.slice(0, 6)).toEqual(['checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models']);
    expect(folders.at(-1)).toBe('ipadapter');
    expect(folders).not.toContain('unet');
    expect((await getJson(fake.url, '/models/loras')).json).toEqual(['alpha.safetensors', 'style/ink.safetensors', 'zeta.safetensors']);
    expect((await getJson(fake.url, '/api/models/diffusion_models')).json).toEqual(['flux1-dev.safetensors']);
    expect((await getJson(fake.url, '/models/text_encoders')).json).toEqual(['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors']);
    expect((await getJson(fake.url, '/models/vae')).json).toEqual([...DEFAULT_MODELS.vae!].sort());
    expect((await getJson(fake.url, '/models/ipadapter')).json).toEqual(['ip-adapter_sdxl.safetensors']);
    expect((await getJson(fake.url, '/models/configs')).json).toEqual([]);
    for (const key of ['unet', 'clip', 'nope']) {
      const res = await fetch(`${fake.url}/models/${key}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('');
    }
    expect((await getJson(fake.url, '/internal/folder_paths')).json.ipadapter).toHaveLength(1);
  });

  it('refuses the legacy aliases as option keys', async () => {
    await expect(startFakeComfy({ models: { unet: ['x.safetensors'] } })).rejects.toThrow(/legacy alias/);
  });

  it('windowsPaths: relative paths with backslashes in /models/{folder} and in the loader combos, os "nt"', async () => {
    const win = await startFakeComfy({ windowsPaths: true, models: { loras: ['style/ink.safetensors'] } });
    try {
      expect((await getJson(win.url, '/models/loras')).json).toEqual(['style\\ink.safetensors']);
      const info = (await getJson(win.url, '/object_info/LoraLoader')).json.LoraLoader;
      expect(info.input.required.lora_name[0]).toEqual(['style\\ink.safetensors']);
      expect((await getJson(win.url, '/system_stats')).json.system.os).toBe('nt');
    } finally {
      await win.close();
    }
  });
});

describe('object_info of the FLUX-local, SD3.5 and LoRA loaders (v0.3.64 specs)', () => {
  let info: Record<string, any>;
  beforeAll(async () => {
    info = (await getJson(fake.url, '/object_info')).json;
  });

  it('UNETLoader: diffusion_models combo and weight_dtype, legacy encoding', () => {
    expect(info.UNETLoader).toEqual({
      input: {
        required: {
          unet_name: [['flux1-dev.safetensors']],
          weight_dtype: [['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2']],
        },
      },
      input_order: { required: ['unet_name', 'weight_dtype'] },
      output: ['MODEL'], output_is_list: [false], output_name: ['MODEL'],
      name: 'UNETLoader', display_name: 'Load Diffusion Model', description: '', python_module: 'nodes',
      category: 'advanced/loaders', output_node: false,
    });
  });

  it('DualCLIPLoader: two text_encoders combos, the type list, and the optional device', () => {
    const d = info.DualCLIPLoader;
    expect(d.input.required.clip_name1).toEqual([['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors']]);
    expect(d.input.required.clip_name2).toEqual(d.input.required.clip_name1);
    expect(d.input.required.type).toEqual([['sdxl', 'sd3', 'flux', 'hunyuan_video', 'hidream', 'hunyuan_image']]);
    expect(d.input.optional).toEqual({ device: [['default', 'cpu'], { advanced: true }] });
    expect(d.input_order).toEqual({ required: ['clip_name1', 'clip_name2', 'type'], optional: ['device'] });
    expect(d).toMatchObject({ output: ['CLIP'], display_name: 'DualCLIPLoader', category: 'advanced/loaders', python_module: 'nodes' });
    expect(d.description).toMatch(/^\[Recipes\]\n\nsdxl: clip-l, clip-g\n.*flux: clip-l, t5/s);
  });

  it('TripleCLIPLoader: legacy combos over text_encoders (as the real 0.3.64 lists them)', () => {
    expect(info.TripleCLIPLoader.input.required.clip_name3).toEqual([['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors']]);
    expect(info.TripleCLIPLoader).toMatchObject({ display_name: 'TripleCLIPLoader', python_module: 'comfy_extras.nodes_sd3', output: ['CLIP'] });
  });

  it('VAELoader: the vae folder, complete TAESD pairs of vae_approx, then pixel_space', () => {
    expect(info.VAELoader.input.required.vae_name).toEqual([['ae.safetensors', 'sdxl_vae.safetensors', 'taesd', 'pixel_space']]);
    expect(info.VAELoader).toMatchObject({ output: ['VAE'], display_name: 'Load VAE', category: 'loaders' });
  });

  it('FluxGuidance: legacy node in 0.3.64, conditioning link and guidance FLOAT 0..100 (3.5, step 0.1)', () => {
    expect(info.FluxGuidance).toMatchObject({
      input: { required: { conditioning: ['CONDITIONING'], guidance: ['FLOAT', { default: 3.5, min: 0, max: 100, step: 0.1 }] } },
      output: ['CONDITIONING'], output_name: ['CONDITIONING'], display_name: 'FluxGuidance',
      category: 'advanced/conditioning/flux', python_module: 'comfy_extras.nodes_flux', output_node: false,
    });
  });

  it('LoraLoader: model and clip links, loras combo, strengths -100..100, MODEL + CLIP out', () => {
    const l = info.LoraLoader;
    expect(l.input_order.required).toEqual(['model', 'clip', 'lora_name', 'strength_model', 'strength_clip']);
    expect(l.input.required.lora_name).toEqual([['alpha.safetensors', 'style/ink.safetensors', 'zeta.safetensors'], { tooltip: 'The name of the LoRA.' }]);
    expect(l.input.required.strength_clip[1]).toMatchObject({ default: 1, min: -100, max: 100, step: 0.01 });
    expect(l).toMatchObject({ output: ['MODEL', 'CLIP'], display_name: 'Load LoRA', category: 'loaders' });
    expect(l.output_tooltips).toEqual(['The modified diffusion model.', 'The modified CLIP model.']);
  });
});

describe('validating and running graphs with them', () => {
  it('runs FLUX local with a LoRA; guidance and the LoRA change the picture', async () => {
    const a = await run(fluxGraph({ prefix: 'fa' }));
    expect(a.status.status_str).toBe('success');
    expect(a.outputs['9'].images[0].filename).toBe('fa_00001_.png');
    const png = async (h: Record<string, any>) => pixels(Buffer.from(await (await fetch(`${fake.url}/view?filename=${h.outputs['9'].images[0].filename}`)).arrayBuffer()));
    const same = await run(fluxGraph({ prefix: 'fb' }));
    const guided = await run(fluxGraph({ prefix: 'fc', guidance: 5 }));
    const lora = await run(fluxGraph({ prefix: 'fd', lora: 'alpha.safetensors' }));
    expect((await png(same)).equals(await png(a))).toBe(true);
    expect((await png(guided)).equals(await png(a))).toBe(false);
    expect((await png(lora)).equals(await png(a))).toBe(false);
  });

  it('runs SD3.5 from a checkpoint without encoders (TripleCLIPLoader feeding both prompts)', async () => {
    const h = await run({
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '43': { class_type: 'TripleCLIPLoader', inputs: { clip_name1: 'clip_l.safetensors', clip_name2: 'clip_g.safetensors', clip_name3: 't5xxl_fp16.safetensors' } },
      '16': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['43', 0] } },
      '40': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['43', 0] } },
      '53': { class_type: 'EmptySD3LatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '3': {
        class_type: 'KSampler',
        inputs: { seed: 3, steps: 2, cfg: 4.5, sampler_name: 'euler', scheduler: 'sgm_uniform', denoise: 1, model: ['4', 0], positive: ['16', 0], negative: ['40', 0], latent_image: ['53', 0] },
      },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'sd3sep', images: ['8', 0] } },
    });
    expect(h.status.status_str).toBe('success');
  });

  it('an optional input is checked when given and never reported missing', async () => {
    expect((await run(fluxGraph({ device: 'cpu', prefix: 'dev' }))).status.status_str).toBe('success');
    const errors = await nodeErrors(fluxGraph({ device: 'gpu' }));
    expect(errors['11']!.errors[0]).toMatchObject({
      type: 'value_not_in_list', details: "device: 'gpu' not in ['default', 'cpu']", extra_info: { input_name: 'device', received_value: 'gpu' },
    });
  });

  it('names a file the folder does not hold, a missing required input, and a strength out of range', async () => {
    const g = fluxGraph({ unet: 'flux1-schnell.safetensors' });
    delete g['11'].inputs.type;
    g['20'].inputs.strength_model = 101;
    g['10'].inputs.vae_name = 'taesdxl'; // only its decoder is in vae_approx
    const errors = await nodeErrors(g);
    expect(errors['12']!.errors[0]).toMatchObject({ type: 'value_not_in_list', details: "unet_name: 'flux1-schnell.safetensors' not in ['flux1-dev.safetensors']" });
    expect(errors['11']!.errors[0]).toMatchObject({ type: 'required_input_missing', details: 'type' });
    expect(errors['20']!.errors[0]).toMatchObject({ type: 'value_bigger_than_max', message: 'Value 101.0 bigger than max of 100.0' });
    expect(errors['10']!.errors[0]).toMatchObject({ type: 'value_not_in_list' });
  });
});
