import { describe, expect, it } from 'vitest';
import { crc32, writePngText } from '@orchestrator/shared';
import { readPngSettings } from './pngSettings';

/** A 1×1 PNG (the pixels do not matter here) with the given text chunks. */
function png(text: Record<string, string>): Uint8Array {
  const chunk = (type: string, data: number[]) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
    return [...out];
  };
  const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]), ...chunk('IEND', [])];
  return writePngText(Uint8Array.from(bytes), text);
}

const graph = {
  '3': { class_type: 'KSampler', inputs: { seed: 11, steps: 9, cfg: 6.5, sampler_name: 'euler', scheduler: 'karras', denoise: 1, model: ['10', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
  '10': { class_type: 'LoraLoader', inputs: { lora_name: 'pixel.safetensors', strength_model: 0.7, strength_clip: 0.7, model: ['4', 0], clip: ['4', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 832, height: 1216, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox in the snow', clip: ['10', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['10', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

describe('settings from a dropped PNG', () => {
  it('reads our own chunk first, FLUX files into the FLUX mode', () => {
    const r = readPngSettings(png({ orchestrator: JSON.stringify({ provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a crane', seed: 5 }), prompt: JSON.stringify(graph) }));
    expect(r).toMatchObject({ ok: true, source: 'orchestrator', plan: { mode: 'flux', flux: { model: 'flux-pro-1.1-ultra', prompt: 'a crane' } } });
  });

  it('reads a ComfyUI graph into the Image mode, LoRAs included, and says what it set by itself', () => {
    const r = readPngSettings(png({ prompt: JSON.stringify(graph), workflow: '{"nodes":[],"links":[]}' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.source).toBe('comfyui');
    expect(r.plan).toMatchObject({
      mode: 'image',
      image: { model: 'sd_xl_base_1.0.safetensors', prompt: 'a red fox in the snow', negativePrompt: 'blurry', seed: '11', steps: '9', cfg: '6.5', scheduler: 'karras', width: '832', height: '1216', loras: [{ name: 'pixel.safetensors', strength: '1' }] },
    });
    expect(r.plan.notes.join(' ')).toContain('LoRA strengths');
  });

  it('reads an A1111 infotext and lists the keys it has no place for', () => {
    const text = 'a castle on a hill\nNegative prompt: fog\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 7, Size: 512x768, Model hash: 0123abcd, Model: dreamshaper_8, Clip skip: 2, Version: v1.10.1';
    const r = readPngSettings(png({ parameters: text }));
    expect(r).toMatchObject({
      ok: true,
      source: 'a1111',
      plan: { mode: 'image', image: { prompt: 'a castle on a hill', negativePrompt: 'fog', steps: '28', sampler: 'dpmpp_2m', scheduler: 'karras', seed: '7', width: '512', height: '768', model: 'dreamshaper_8' } },
    });
    expect(r.ok && r.plan.notes).toEqual(['Model hash: 0123abcd', 'Clip skip: 2', 'Version: v1.10.1']);
  });

  it('says why nothing could be read', () => {
    expect(readPngSettings(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false, message: expect.stringContaining('Only PNG') });
    expect(readPngSettings(png({}))).toMatchObject({ ok: false, message: expect.stringContaining('no generation settings') });
    expect(readPngSettings(png({ workflow: '{"nodes":[]}' }))).toMatchObject({ ok: false, message: expect.stringContaining('editor workflow') });
    const noSampler = { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0] } } };
    expect(readPngSettings(png({ prompt: JSON.stringify(noSampler) }))).toMatchObject({ ok: false, message: expect.stringContaining('Workflow') });
  });
});
