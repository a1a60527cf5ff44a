import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, readPngText, writePngText } from '../png-text.js';
import { comfyExifToText, metaFromPngText, sanitizeGenerationMeta } from './index.js';

/** A valid 2×2 RGB PNG built by hand: signature, IHDR, one zlib IDAT, IEND. */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 2);
  v.setUint32(4, 2);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const raw = new Uint8Array([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255]); // filter byte + 2 px per row
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(raw))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const COMFY_PROMPT = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 8566257, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
      model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk, 灯台', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

const A1111 =
  'an old lighthouse\nNegative prompt: people\n' +
  'Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5, Seed: 77, Size: 640x960, Model: realisticVision, Version: v1.10.1';

describe('metaFromPngText', () => {
  it('reads a PNG as ComfyUI writes it (prompt + workflow chunks)', () => {
    const png = writePngText(tinyPng(), { prompt: JSON.stringify(COMFY_PROMPT), workflow: JSON.stringify({ nodes: [], links: [] }) });
    expect(metaFromPngText(readPngText(png))).toEqual({
      model: 'sd_xl_base_1.0.safetensors',
      prompt: 'a lighthouse at dusk, 灯台',
      negativePrompt: 'blurry',
      seed: 8566257,
      steps: 20,
      cfg: 8,
      sampler: 'euler',
      scheduler: 'normal',
      width: 1024,
      height: 1024,
    });
  });

  it('reads an A1111 PNG', () => {
    const png = writePngText(tinyPng(), { parameters: A1111 });
    expect(metaFromPngText(readPngText(png))).toEqual({
      prompt: 'an old lighthouse',
      negativePrompt: 'people',
      steps: 30,
      sampler: 'dpmpp_2m',
      scheduler: 'karras',
      cfg: 5,
      seed: 77,
      width: 640,
      height: 960,
      model: 'realisticVision',
    });
  });

  it('merges: our chunk wins over the ComfyUI graph, which wins over A1111', () => {
    const ours = { jobId: 'b9c0e7a2-4d1f-4f7e-9a51-3e4b2c1d0f00', provider: 'comfyui', backend: 'gpu-1', seed: 1, prompt: 'as requested' };
    const png = writePngText(tinyPng(), {
      parameters: A1111,
      prompt: JSON.stringify(COMFY_PROMPT),
      orchestrator: JSON.stringify(ours),
    });
    expect(metaFromPngText(readPngText(png))).toEqual({
      jobId: ours.jobId,
      provider: 'comfyui',
      backend: 'gpu-1',
      prompt: 'as requested',
      seed: 1,
      model: 'sd_xl_base_1.0.safetensors',
      negativePrompt: 'blurry',
      steps: 20,
      cfg: 8,
      sampler: 'euler',
      scheduler: 'normal',
      width: 1024,
      height: 1024,
    });
  });

  it('drops wrongly typed fields of our chunk and survives broken chunks', () => {
    expect(
      metaFromPngText({ orchestrator: JSON.stringify({ seed: '5', steps: 20, model: 3, prompt: 'p', evil: 'x' }), prompt: '{broken' }),
    ).toEqual({ steps: 20, prompt: 'p' });
    expect(metaFromPngText({ orchestrator: 'null', prompt: '42', parameters: '' })).toEqual({});
    expect(metaFromPngText({})).toEqual({});
    expect(metaFromPngText(null as unknown as Record<string, string>)).toEqual({});
    expect(sanitizeGenerationMeta({ cfg: NaN, width: 512, backend: 'b' })).toEqual({ width: 512, backend: 'b' });
  });

  it('reads ComfyUI animated WEBP EXIF strings through comfyExifToText', () => {
    const exif = [`prompt:${JSON.stringify(COMFY_PROMPT)}`, 'workflow:{"nodes":[]}'];
    expect(metaFromPngText(comfyExifToText(exif))).toMatchObject({ model: 'sd_xl_base_1.0.safetensors', seed: 8566257 });
  });
});
