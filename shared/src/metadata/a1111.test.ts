import { describe, expect, it } from 'vitest';
import { mapA1111Sampler, mapA1111Scheduler, parseA1111Parameters } from './a1111.js';

describe('parseA1111Parameters', () => {
  it('parses an A1111 1.10 infotext with multi-line prompts and quoted commas', () => {
    const text = [
      'masterpiece, best quality, 1girl, solo, long hair, looking at viewer,',
      'smile, outdoors, cherry blossoms <lora:add_detail:0.6>',
      'Negative prompt: (worst quality, low quality:1.4), lowres, bad anatomy,',
      'extra fingers, watermark',
      'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, ' +
        'Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.45, Clip skip: 2, ' +
        'Hires upscale: 2, Hires steps: 15, Hires upscaler: 4x-UltraSharp, ' +
        'Lora hashes: "add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef", TI hashes: "easynegative: c74b4e810b03", ' +
        'Version: v1.10.1',
    ].join('\n');
    expect(parseA1111Parameters(text)).toEqual({
      prompt: 'masterpiece, best quality, 1girl, solo, long hair, looking at viewer,\nsmile, outdoors, cherry blossoms <lora:add_detail:0.6>',
      negativePrompt: '(worst quality, low quality:1.4), lowres, bad anatomy,\nextra fingers, watermark',
      steps: 28,
      sampler: 'dpmpp_2m',
      scheduler: 'karras',
      cfg: 7,
      seed: 1234567890,
      width: 512,
      height: 768,
      model: 'v1-5-pruned-emaonly',
      extra: {
        'Model hash': '6ce0161689',
        'Denoising strength': '0.45',
        'Clip skip': '2',
        'Hires upscale': '2',
        'Hires steps': '15',
        'Hires upscaler': '4x-UltraSharp',
        'Lora hashes': 'add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef',
        'TI hashes': 'easynegative: c74b4e810b03',
        Version: 'v1.10.1',
      },
    });
  });

  it('splits legacy sampler names that carry the schedule ("DPM++ 2M Karras")', () => {
    const meta = parseA1111Parameters(
      'a castle\nSteps: 20, Sampler: DPM++ 2M SDE Karras, CFG scale: 7.5, Seed: 42, Size: 768x512, Model hash: e6bb9ea85b, Model: sd_xl_base_1.0',
    );
    expect(meta).toMatchObject({ prompt: 'a castle', sampler: 'dpmpp_2m_sde', scheduler: 'karras', cfg: 7.5, width: 768, height: 512 });
    expect(meta.negativePrompt).toBeUndefined();
  });

  it('parses a Forge FLUX infotext (Distilled CFG Scale, Automatic schedule, escaped quotes)', () => {
    const text =
      'photo of a "neon" diner at night\n' +
      'Steps: 20, Sampler: Euler, Schedule type: Automatic, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 3069286025, ' +
      'Size: 896x1152, Model hash: bea01d51bd, Model: flux1-dev-bnb-nf4-v2, ' +
      'ADetailer prompt: "a \\"cute\\" face, smiling", Version: f2.0.1v1.10.1-previous-313-g8a042934, Module 1: ae';
    const meta = parseA1111Parameters(text);
    expect(meta).toMatchObject({ prompt: 'photo of a "neon" diner at night', sampler: 'euler', cfg: 1, seed: 3069286025, model: 'flux1-dev-bnb-nf4-v2' });
    expect(meta.scheduler).toBeUndefined();
    expect(meta.extra).toMatchObject({
      'Distilled CFG Scale': '3.5',
      'ADetailer prompt': 'a "cute" face, smiling',
      'Module 1': 'ae',
    });
  });

  it('handles CRLF, an empty negative, and a parameters-only text', () => {
    const meta = parseA1111Parameters('a cat\r\nNegative prompt: \r\nSteps: 4, Sampler: Euler a, CFG scale: 1, Seed: 5, Size: 1024x1024\r\n');
    expect(meta).toMatchObject({ prompt: 'a cat', steps: 4, sampler: 'euler_ancestral', width: 1024 });
    expect(meta.negativePrompt).toBeUndefined();

    const only = parseA1111Parameters('Steps: 30, Sampler: UniPC, Schedule type: SGM Uniform, CFG scale: 4, Seed: 9');
    expect(only).toEqual({ steps: 30, sampler: 'uni_pc', scheduler: 'sgm_uniform', cfg: 4, seed: 9, extra: {} });
  });

  it('keeps a last line with fewer than 3 parameters as prompt text', () => {
    const meta = parseA1111Parameters('a poster\nStyle: bold, Colors: red');
    expect(meta.prompt).toBe('a poster\nStyle: bold, Colors: red');
    expect(meta.extra).toEqual({});
    expect(parseA1111Parameters('just a prompt')).toEqual({ prompt: 'just a prompt', extra: {} });
  });

  it('keeps odd values in extra and never throws', () => {
    const meta = parseA1111Parameters('x\nSteps: many, Seed: -1, Size: 512, CFG scale: high, Sampler: Restart, Schedule type: Align Your Steps');
    expect(meta).toMatchObject({ seed: -1, sampler: 'Restart', scheduler: 'align_your_steps' });
    expect(meta.extra).toMatchObject({ Steps: 'many', Size: '512', 'CFG scale': 'high' });
    for (const bad of ['', '\n\n', 'Negative prompt:', ':::', 'a: "unterminated, b: c, d: e', undefined as unknown as string]) {
      expect(() => parseA1111Parameters(bad)).not.toThrow();
    }
  });

  it('parses hostile parameter lines in linear time', () => {
    const started = Date.now();
    parseA1111Parameters('p\n' + 'word '.repeat(200_000));
    parseA1111Parameters('p\n' + 'ab: "x\\, '.repeat(50_000));
    const many = parseA1111Parameters('p\n' + Array.from({ length: 20_000 }, (_, i) => `K${i}: "v, ${i}"`).join(', '));
    expect(Object.keys(many.extra)).toHaveLength(20_000);
    expect(many.extra.K19999).toBe('v, 19999');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('A1111 sampler/scheduler mapping', () => {
  it('maps to ComfyUI names', () => {
    expect(mapA1111Sampler('Euler a')).toEqual({ sampler: 'euler_ancestral' });
    expect(mapA1111Sampler('DPM++ SDE Karras')).toEqual({ sampler: 'dpmpp_sde', scheduler: 'karras' });
    expect(mapA1111Sampler('DPM++ 2M SDE Exponential')).toEqual({ sampler: 'dpmpp_2m_sde', scheduler: 'exponential' });
    expect(mapA1111Sampler('DPM++ 3M SDE')).toEqual({ sampler: 'dpmpp_3m_sde' });
    expect(mapA1111Sampler('LCM')).toEqual({ sampler: 'lcm' });
    expect(mapA1111Sampler('PLMS')).toEqual({ sampler: 'PLMS' });
    expect(mapA1111Scheduler('KL Optimal')).toBe('kl_optimal');
    expect(mapA1111Scheduler('DDIM')).toBe('ddim_uniform');
    expect(mapA1111Scheduler('Automatic')).toBeUndefined();
  });
});
