import { describe, expect, it } from 'vitest';
import { MAX_SEED } from '@orchestrator/shared';
import { TXT2IMG, bindTemplate, nativeSize, readBindings, txt2imgBindings } from './workflow.js';

describe('txt2img workflow template', () => {
  it('binds request values and defaults into the canonical graph', () => {
    const b = txt2imgBindings('job-1', { provider: 'comfyui', kind: 'image', prompt: 'a cat', model: 'sd_xl_base_1.0.safetensors', params: { seed: 42 } });
    const g = bindTemplate(TXT2IMG, b);
    expect(g['4']).toEqual({ class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } });
    expect(g['3']!.inputs).toMatchObject({ seed: 42, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0] });
    expect(g['5']!.inputs).toEqual({ width: 1024, height: 1024, batch_size: 1 });
    expect(g['6']!.inputs.text).toBe('a cat');
    expect(g['7']!.inputs.text).toBe('');
    expect(g['9']!.inputs.filename_prefix).toBe('orchestrator/job-1');
    // The template itself is never mutated.
    expect(TXT2IMG.graph['3']!.inputs.seed).toEqual({ $bind: 'seed' });
  });

  it('uses 512 px for SD1.5 checkpoints and a random safe seed when none is given', () => {
    expect(nativeSize('v1-5-pruned-emaonly.safetensors')).toBe(512);
    expect(nativeSize('my_sd15_model.ckpt')).toBe(512);
    expect(nativeSize('sd_xl_base_1.0.safetensors')).toBe(1024);
    const b = txt2imgBindings('j', { provider: 'comfyui', kind: 'image', prompt: 'x', model: 'v1-5-pruned-emaonly.safetensors' });
    expect(b.width).toBe(512);
    expect(Number.isSafeInteger(b.seed)).toBe(true);
    expect(b.seed).toBeLessThanOrEqual(MAX_SEED);
  });

  it('reads the values back out of a graph the backend ran', () => {
    const b = txt2imgBindings('j', { provider: 'comfyui', kind: 'image', prompt: 'x', params: { seed: 7, steps: 9 } });
    const back = readBindings(TXT2IMG, JSON.parse(JSON.stringify(bindTemplate(TXT2IMG, b))) as Record<string, unknown>);
    expect(back).toMatchObject({ seed: 7, steps: 9, prompt: 'x', filenamePrefix: 'orchestrator/j' });
  });
});
