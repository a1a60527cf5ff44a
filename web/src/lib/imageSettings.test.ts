import { describe, expect, it } from 'vitest';
import { crc32, writeJpegComment, writePngText } from '@orchestrator/shared';
import { readImageSettings } from './imageSettings';

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
  '10': { class_type: 'LoraLoader', inputs: { lora_name: 'pixel.safetensors', strength_model: 0.7, strength_clip: 0.7, model: ['11', 0], clip: ['4', 1] } },
  '11': { class_type: 'LoraLoaderModelOnly', inputs: { lora_name: 'detail.safetensors', strength_model: ['12', 0], model: ['4', 0] } },
  '12': { class_type: 'PrimitiveFloat', inputs: { value: -0.35 } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 832, height: 1216, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox in the snow', clip: ['10', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['10', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

describe('settings from a dropped PNG', () => {
  it('reads our own chunk first, FLUX files into the FLUX mode', () => {
    const r = readImageSettings(png({ orchestrator: JSON.stringify({ provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a crane', seed: 5 }), prompt: JSON.stringify(graph) }));
    expect(r).toMatchObject({ ok: true, source: 'orchestrator', plan: { mode: 'flux', flux: { model: 'flux-pro-1.1-ultra', prompt: 'a crane' } } });
  });

  it('reads a ComfyUI graph into the Image mode, LoRAs included, and says what it set by itself', () => {
    const r = readImageSettings(png({ prompt: JSON.stringify(graph), workflow: '{"nodes":[],"links":[]}' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.source).toBe('comfyui');
    expect(r.plan).toMatchObject({
      mode: 'image',
      image: { model: 'sd_xl_base_1.0.safetensors', prompt: 'a red fox in the snow', negativePrompt: 'blurry', seed: '11', steps: '9', cfg: '6.5', scheduler: 'karras', width: '832', height: '1216', loras: [{ name: 'pixel.safetensors', strength: '0.7' }, { name: 'detail.safetensors', strength: '-0.35' }] },
    });
    expect(r.plan.notes.join(' ')).not.toContain('LoRA');
  });

  it('takes each LoRA’s strength_model, and says when strength_clip differs or a strength is unreadable', () => {
    const g = structuredClone(graph) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    g['10']!.inputs.strength_clip = 0.2;
    g['11']!.inputs.strength_model = ['99', 0]; // a link to nothing
    const r = readImageSettings(png({ prompt: JSON.stringify(g) }));
    expect(r.ok && r.plan.mode === 'image' && r.plan.image.loras).toEqual([{ name: 'pixel.safetensors', strength: '0.7' }, { name: 'detail.safetensors', strength: '1' }]);
    expect(r.ok && r.plan.notes).toEqual(
      expect.arrayContaining([
        'LoRA strength not readable in the graph, set to 1: detail.safetensors',
        'LoRA pixel.safetensors: text-encoder strength 0.2 differs from its model strength; the form applies 0.7 to both',
      ]),
    );
  });

  it('reads an A1111 infotext and lists the keys it has no place for', () => {
    const text = 'a castle on a hill\nNegative prompt: fog\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 7, Size: 512x768, Model hash: 0123abcd, Model: dreamshaper_8, Clip skip: 2, Version: v1.10.1';
    const r = readImageSettings(png({ parameters: text }));
    expect(r).toMatchObject({
      ok: true,
      source: 'a1111',
      plan: { mode: 'image', image: { prompt: 'a castle on a hill', negativePrompt: 'fog', steps: '28', sampler: 'dpmpp_2m', scheduler: 'karras', seed: '7', width: '512', height: '768', model: 'dreamshaper_8' } },
    });
    expect(r.ok && r.plan.notes).toEqual(['Model hash: 0123abcd', 'Clip skip: 2', 'Version: v1.10.1']);
  });

  it('says why nothing could be read', () => {
    expect(readImageSettings(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false, message: 'Only PNG, JPEG and WebP files carry settings this page can read' });
    expect(readImageSettings(png({}))).toMatchObject({ ok: false, message: expect.stringContaining('no generation settings') });
    expect(readImageSettings(png({ workflow: '{"nodes":[]}' }))).toMatchObject({ ok: false, message: expect.stringContaining('editor workflow') });
    const noSampler = { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0] } } };
    expect(readImageSettings(png({ prompt: JSON.stringify(noSampler) }))).toMatchObject({ ok: false, message: expect.stringContaining('Workflow') });
  });
});

describe('settings from a dropped JPEG or WebP', () => {
  const INFOTEXT = 'a castle on a hill\nNegative prompt: fog\nSteps: 28, Sampler: Euler a, CFG scale: 7, Seed: 7, Size: 512x768, Clip skip: 2';
  /** The smallest JPEG the reader walks: SOI, then EOI (the pixels do not matter here). */
  const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]);

  /** A little-endian TIFF block with ASCII IFD0 tags (tag → text), as ComfyUI's SaveAnimatedWEBP writes it. */
  function tiff(tags: Array<[number, string]>): Uint8Array {
    const enc = new TextEncoder();
    const values = tags.map(([, v]) => enc.encode(`${v}\0`));
    const ifdSize = 2 + tags.length * 12 + 4;
    const out = new Uint8Array(8 + ifdSize + values.reduce((n, v) => n + v.length, 0));
    const view = new DataView(out.buffer);
    out.set([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
    view.setUint16(8, tags.length, true);
    let at = 8 + ifdSize;
    tags.forEach(([tag], i) => {
      const e = 10 + i * 12;
      view.setUint16(e, tag, true);
      view.setUint16(e + 2, 2, true); // ASCII
      view.setUint32(e + 4, values[i]!.length, true);
      view.setUint32(e + 8, at, true);
      out.set(values[i]!, at);
      at += values[i]!.length;
    });
    return out;
  }

  /** RIFF/WEBP with a VP8X header and one EXIF chunk. */
  function webp(exif: Uint8Array): Uint8Array {
    const chunk = (type: string, data: Uint8Array) => {
      const out = new Uint8Array(8 + data.length + (data.length & 1));
      out.set(Array.from(type, (c) => c.charCodeAt(0)));
      new DataView(out.buffer).setUint32(4, data.length, true);
      out.set(data, 8);
      return out;
    };
    const body = [Uint8Array.from([0x57, 0x45, 0x42, 0x50]), chunk('VP8X', Uint8Array.from([0x08, 0, 0, 0, 7, 0, 0, 7, 0, 0])), chunk('EXIF', exif)];
    const size = body.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(8 + size);
    out.set([0x52, 0x49, 0x46, 0x46]);
    new DataView(out.buffer).setUint32(4, size, true);
    let at = 8;
    for (const b of body) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  it('reads an A1111 JPEG (a COM segment here; EXIF UserComment in shared’s tests) like the PNG', () => {
    const r = readImageSettings(writeJpegComment(JPEG, INFOTEXT));
    expect(r).toMatchObject({ ok: true, source: 'a1111', plan: { mode: 'image', image: { prompt: 'a castle on a hill', sampler: 'euler_ancestral', seed: '7' } } });
    expect(r.ok && r.plan.notes).toEqual(['Clip skip: 2']);
  });

  it('reads our own JPEG comment, and a ComfyUI WebP’s EXIF prompt (Model) beside its workflow (Make)', () => {
    const ours = readImageSettings(writeJpegComment(JPEG, `orchestrator:${JSON.stringify({ provider: 'flux', model: 'flux-dev', prompt: 'a crane', seed: 5 })}`));
    expect(ours).toMatchObject({ ok: true, source: 'orchestrator', plan: { mode: 'flux', flux: { model: 'flux-dev', prompt: 'a crane' } } });
    const comfy = readImageSettings(webp(tiff([[0x010f, 'workflow:{"nodes":[]}'], [0x0110, `prompt:${JSON.stringify(graph)}`]])));
    expect(comfy).toMatchObject({ ok: true, source: 'comfyui', plan: { mode: 'image', image: { prompt: 'a red fox in the snow', seed: '11' } } });
    const editorOnly = readImageSettings(webp(tiff([[0x010f, 'workflow:{"nodes":[]}']])));
    expect(editorOnly).toMatchObject({ ok: false, message: expect.stringContaining('editor workflow') });
  });

  it('gives a clear message for a damaged or bare file, never an exception', () => {
    const cut = writeJpegComment(JPEG, INFOTEXT).subarray(0, 20);
    expect(readImageSettings(cut)).toEqual({ ok: false, message: expect.stringContaining('JPEG file is damaged') });
    expect(readImageSettings(JPEG)).toEqual({ ok: false, message: expect.stringContaining('no generation settings') });
    const w = webp(tiff([[0x0110, 'hello']]));
    expect(readImageSettings(w)).toEqual({ ok: false, message: expect.stringContaining('in the WebP file') });
    for (let n = 0; n < w.length; n++) expect(() => readImageSettings(w.subarray(0, n))).not.toThrow();
  });
});
