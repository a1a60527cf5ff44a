import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText, type Job } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/*
 * ComfyUI on Windows lists model paths with backslashes and matches combo values exactly. The catalogue
 * and the picker speak forward slashes; the job must still run with the backend's spelling.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('windows-backend', { comfy: { stepMs: 5, windowsPaths: true, checkpoints: ['sd_xl_base_1.0.safetensors', 'SDXL/juggernaut.safetensors'] } });
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/models?folder=loras`)).json()) as { items: Array<{ backends: string[] }> }).items[0]?.backends.length, 15000, 'model lists');
});

afterAll(async () => {
  await stack?.close();
});

describe('a backend that lists backslashed paths', () => {
  it('lists its models with forward slashes and runs them with its own spelling', async () => {
    const models = (await (await fetch(`${stack.url}/api/models?folder=checkpoints`)).json()) as { items: Array<{ file?: string; backends: string[] }> };
    expect(models.items.find((m) => m.file === 'SDXL/juggernaut.safetensors')?.backends).toEqual(['comfyui-1']);

    const res = await fetch(`${stack.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'comfyui',
        kind: 'image',
        model: 'SDXL/juggernaut.safetensors',
        prompt: 'a harbour',
        params: { steps: 3, width: 512, height: 512, loras: [{ name: 'style/ink_wash_sdxl.safetensors', strength: 1 }] },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const job = await waitFor(async () => {
      const j = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    }, 20000, 'job');
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const graph = JSON.parse(readPngText(Buffer.from(await (await fetch(`${stack.url}${job.assets![0]!.url}`)).arrayBuffer())).prompt!) as Record<
      string,
      { class_type: string; inputs: Record<string, unknown> }
    >;
    const byType = (t: string) => Object.values(graph).find((n) => n.class_type === t)!.inputs;
    expect(byType('CheckpointLoaderSimple').ckpt_name).toBe('SDXL\\juggernaut.safetensors');
    expect(byType('LoraLoader').lora_name).toBe('style\\ink_wash_sdxl.safetensors');
  });
});
