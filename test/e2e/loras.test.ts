import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText, type Job } from '@orchestrator/shared';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/* LoRAs and the model folder, end to end: what the request asks for is the graph the backend ran. */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('loras', { comfy: { stepMs: 5, checkpoints: [...DEFAULT_CHECKPOINTS, 'flux1-dev-fp8.safetensors', 'svd_xt.safetensors'] } });
  // The per-folder lists (LoRAs, diffusion models) arrive with the monitor's first full probe.
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/models?folder=loras`)).json()) as { items: Array<{ backends: string[] }> }).items[0]?.backends.length, 15000, 'LoRAs reported by the backend');
});

afterAll(async () => {
  await stack?.close();
});

const post = (body: object) => fetch(`${stack.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function ran(body: object): Promise<{ job: Job; graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>; meta: Record<string, unknown> }> {
  const res = await post(body);
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const job = await waitFor(async () => {
    const j = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
    return j.status === 'completed' || j.status === 'failed' ? j : null;
  }, 20000, `job ${id}`);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  const text = readPngText(Buffer.from(await (await fetch(`${stack.url}${job.assets![0]!.url}`)).arrayBuffer()));
  return { job, graph: JSON.parse(text.prompt!), meta: JSON.parse(text.orchestrator!) };
}

describe('LoRAs and model folders', () => {
  it('chains the requested LoRAs into the graph and records them with the image', async () => {
    const loras = [
      { name: 'add_detail.safetensors', strength: 0.7 },
      { name: 'style/ink_wash_sdxl.safetensors', strength: 1.2 },
    ];
    const { graph, meta } = await ran({ provider: 'comfyui', kind: 'image', model: 'sd_xl_base_1.0.safetensors', prompt: 'ink fox', params: { steps: 3, width: 512, height: 512, loras } });
    const chain = Object.entries(graph).filter(([, n]) => n.class_type === 'LoraLoader');
    expect(chain.map(([, n]) => [n.inputs.lora_name, n.inputs.strength_model])).toEqual([
      ['add_detail.safetensors', 0.7],
      ['style/ink_wash_sdxl.safetensors', 1.2],
    ]);
    const sampler = Object.values(graph).find((n) => n.class_type === 'KSampler')!;
    expect(sampler.inputs.model).toEqual([chain[1]![0], 0]);
    expect(meta.loras).toBe('add_detail.safetensors:0.7, style/ink_wash_sdxl.safetensors:1.2');
  });

  it('runs a FLUX file from checkpoints as an all-in-one checkpoint', async () => {
    const { job, graph } = await ran({ provider: 'comfyui', kind: 'image', model: 'flux1-dev-fp8.safetensors', prompt: 'a fox', params: { steps: 3, width: 512, height: 512 } });
    expect(job.request).toMatchObject({ family: 'flux', modelFolder: 'checkpoints' });
    const types = Object.values(graph).map((n) => n.class_type);
    expect(types).toContain('CheckpointLoaderSimple');
    expect(types).toContain('FluxGuidance');
    expect(types).not.toContain('UNETLoader');
  });

  it('refuses LoRAs a template cannot take, a video without its image, and names a LoRA the backend lacks', async () => {
    const svd = await post({ provider: 'comfyui', kind: 'video', model: 'svd_xt.safetensors', inputImage: 'abc', params: { loras: [{ name: 'add_detail.safetensors', strength: 1 }] } });
    expect(svd.status).toBe(400);
    expect(await svd.json()).toMatchObject({ error: 'template_unsupported', message: expect.stringMatching(/does not take LoRAs/) });
    const missing = await post({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { loras: [{ name: 'nope.safetensors', strength: 1 }] } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_workflow', details: [{ classType: 'LoraLoader', input: 'lora_name' }] });
    const noImage = await post({ provider: 'comfyui', kind: 'video', model: 'svd_xt.safetensors' });
    expect(noImage.status).toBe(400);
    expect(await noImage.json()).toMatchObject({ error: 'input_image_required' });
    const tooMany = await post({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { loras: Array.from({ length: 9 }, () => ({ name: 'add_detail.safetensors', strength: 1 })) } });
    expect(tooMany.status).toBe(400);
    const badStrength = await post({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { loras: [{ name: 'add_detail.safetensors', strength: 'max' }] } });
    expect(badStrength.status).toBe(400);
  });
});
