/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// Model loading (loadMs): a loader pays the load only when it really executes, i.e. when v0.3.64's
// classic node cache, which keeps the previous prompt's outputs whose inputs are unchanged, does not
// serve it. Times are only bounded from below, so a busy machine cannot make these tests fail.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeComfy, startFakeComfy } from './index.js';
import { postJson, txt2img, WsClient } from './testkit.js';

const LOAD_MS = 300;
const SLACK_MS = 5; // timers may fire a millisecond early against Date.now()
const SD15 = 'v1-5-pruned-emaonly.safetensors';
const SDXL = 'sd_xl_base_1.0.safetensors';

let fake: FakeComfy;
let ws: WsClient;
beforeEach(async () => {
  fake = await startFakeComfy({
    stepMs: 1, loadMs: LOAD_MS, previews: false,
    models: { diffusion_models: ['flux1-dev.safetensors', 'flux1-schnell.safetensors'] },
  });
  ws = await WsClient.connect(fake.url, 'loads');
});
afterEach(async () => {
  ws.close();
  await fake.close();
});

const submit = async (prompt: unknown): Promise<string> => {
  const r = await postJson(fake.url, '/prompt', { prompt, prompt_id: randomUUID(), client_id: 'loads' });
  expect(r.status, r.text).toBe(200);
  return r.json.prompt_id as string;
};
const run = async (prompt: unknown): Promise<string> => {
  const id = await submit(prompt);
  await ws.done(id);
  return id;
};
/** execution_start → end of the prompt, from the timestamps of its history entry. */
const durationMs = (id: string): number => {
  const msgs = (fake.history() as any)[id].status.messages as Array<[string, { timestamp: number }]>;
  return msgs.at(-1)![1].timestamp - msgs[0]![1].timestamp;
};
const cachedNodes = (id: string): string[] => [...ws.ofType('execution_cached').find((f) => f.data.prompt_id === id)!.data.nodes].sort();
const executedNodes = (id: string): string[] =>
  ws.ofType('executing').filter((f) => f.data.prompt_id === id && f.data.node !== null).map((f) => f.data.node as string);

/** FLUX.1 local: three loaders (diffusion model, text encoders, VAE) and a LoRA on top. */
function fluxGraph(unet: string): Record<string, any> {
  return {
    '12': { class_type: 'UNETLoader', inputs: { unet_name: unet, weight_dtype: 'default' } },
    '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' } },
    '10': { class_type: 'VAELoader', inputs: { vae_name: 'ae.safetensors' } },
    '20': {
      class_type: 'LoraLoader',
      inputs: { model: ['12', 0], clip: ['11', 0], lora_name: 'add_detail.safetensors', strength_model: 0.8, strength_clip: 1 },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: ['20', 1] } },
    '33': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['20', 1] } },
    '27': { class_type: 'EmptySD3LatentImage', inputs: { width: 64, height: 48, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 1, steps: 2, cfg: 1, sampler_name: 'euler', scheduler: 'simple', denoise: 1,
        model: ['20', 0], positive: ['6', 0], negative: ['33', 0], latent_image: ['27', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['10', 0] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'flux', images: ['8', 0] } },
  };
}

describe('loadMs: what a model switch costs', () => {
  it('two prompts with the same checkpoint pay one load; the second gets the loader from the cache', async () => {
    expect(fake.stats).toMatchObject({ modelLoads: 0, loadedModel: null });
    const first = await run(txt2img({ ckpt: SD15, seed: 1 }));
    const second = await run(txt2img({ ckpt: SD15, seed: 2 }));
    expect(fake.stats).toMatchObject({ modelLoads: 1, loadedModel: SD15, promptsExecuted: 2 });
    expect(durationMs(first)).toBeGreaterThanOrEqual(LOAD_MS - SLACK_MS);
    expect(fake.stats.executionMs).toBeGreaterThanOrEqual(LOAD_MS - SLACK_MS);
    expect(executedNodes(first)).toContain('4');
    expect(cachedNodes(second)).toEqual(['4', '5', '6', '7']);
    expect(executedNodes(second)).toEqual(['3', '8', '9']);
    expect((fake.history() as any)[second].status.status_str).toBe('success');
  });

  it('A, B, A pays three loads: the cache only keeps the previous prompt, so switching back reloads', async () => {
    const ids = [];
    for (const ckpt of [SD15, SDXL, SD15]) ids.push(await run(txt2img({ ckpt, seed: 1 })));
    expect(fake.stats).toMatchObject({ modelLoads: 3, loadedModel: SD15 });
    for (const id of ids) {
      expect(executedNodes(id)).toContain('4');
      expect(durationMs(id)).toBeGreaterThanOrEqual(LOAD_MS - SLACK_MS);
    }
    expect(fake.stats.executionMs).toBeGreaterThanOrEqual(3 * (LOAD_MS - SLACK_MS));
    // The third prompt is identical to the first, but only the model-free latent survived the second.
    expect(cachedNodes(ids[2]!)).toEqual(['5']);
  });

  it('each model loader pays (UNET, text encoders, VAE); switching the UNET reloads only it; a LoRA is no load', async () => {
    const dev = await run(fluxGraph('flux1-dev.safetensors'));
    expect(fake.stats.modelLoads).toBe(3);
    expect(durationMs(dev)).toBeGreaterThanOrEqual(3 * (LOAD_MS - SLACK_MS));
    const schnell = await run(fluxGraph('flux1-schnell.safetensors'));
    expect(fake.stats).toMatchObject({ modelLoads: 4, loadedModel: 'flux1-schnell.safetensors' });
    expect(durationMs(schnell)).toBeGreaterThanOrEqual(LOAD_MS - SLACK_MS);
    expect(cachedNodes(schnell)).toEqual(['10', '11', '27']);
    expect(executedNodes(schnell)).toContain('20'); // the LoRA re-ran on the new model without a load
  });

  it('an interrupt during a load takes effect after it, at the next node; the loaded model stays cached', async () => {
    const id = await submit(txt2img({ ckpt: SDXL, seed: 1 }));
    await ws.waitFor((f) => f.type === 'executing' && f.data.node === '4'); // the loader is the executing node
    expect((await postJson(fake.url, '/interrupt', { prompt_id: id })).status).toBe(200);
    await ws.done(id);
    const intr = ws.ofType('execution_interrupted')[0]!.data;
    expect(intr.prompt_id).toBe(id);
    expect(intr.node_id).not.toBe('4');
    expect(intr.executed).toEqual(['4']);
    expect(durationMs(id)).toBeGreaterThanOrEqual(LOAD_MS - SLACK_MS);
    expect(fake.stats).toMatchObject({ modelLoads: 1, loadedModel: SDXL });

    const next = await run(txt2img({ ckpt: SDXL, seed: 2 }));
    expect(cachedNodes(next)).toContain('4');
    expect(fake.stats.modelLoads).toBe(1);
    expect((fake.history() as any)[next].status.status_str).toBe('success');
  });
});
