import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from '../state/formDraft';
import { buildRequest, familyDraft, fieldOf } from './request';

const draft = { ...DEFAULT_DRAFT, model: 'model.safetensors', prompt: 'a fox', negativePrompt: 'blurry', randomSeed: false, seed: '7' };

describe('buildRequest with a template family', () => {
  it('sends the classic SD fields and no family when the family is unknown', () => {
    const built = buildRequest(draft);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.request).not.toHaveProperty('family');
    expect(built.request).toMatchObject({ negativePrompt: 'blurry', params: { cfg: 7, seed: 7 } });
  });

  it('sends shift for sd3 and names the family', () => {
    const built = buildRequest({ ...draft, shift: '3' }, 'sd3');
    expect(built.ok && built.request).toMatchObject({ family: 'sd3', params: { shift: 3, cfg: 7 } });
  });

  it('sends guidance instead of cfg, and no negative prompt, for local FLUX', () => {
    const built = buildRequest({ ...draft, guidance: '3.5' }, 'flux');
    expect(built.ok).toBe(true);
    if (!built.ok || built.request.provider !== 'comfyui') return;
    expect(built.request.params).toMatchObject({ guidance: 3.5 });
    expect(built.request.params).not.toHaveProperty('cfg');
    expect(built.request).not.toHaveProperty('negativePrompt');
  });
});

describe('buildRequest with separate text encoders and VAE', () => {
  const files = { t5xxl: 't5/t5xxl_fp8.safetensors', clipL: 'clip_l.safetensors', clipG: 'clip_g.safetensors', vae: 'flux/ae.safetensors' };
  const params = (built: ReturnType<typeof buildRequest>) => (built.ok && built.request.provider === 'comfyui' ? built.request.params : undefined);

  it('sends FLUX local its encoders in loader order [t5xxl, clip_l] and its VAE', () => {
    const built = buildRequest({ ...draft, ...files }, 'flux');
    expect(built.ok).toBe(true);
    expect(params(built)).toMatchObject({ textEncoders: ['t5/t5xxl_fp8.safetensors', 'clip_l.safetensors'], vae: 'flux/ae.safetensors' });
  });

  it('sends SD3 no encoders while the checkpoint has them built in', () => {
    const built = buildRequest({ ...draft, ...files, sd3Encoders: 'checkpoint' }, 'sd3');
    expect(built.ok).toBe(true);
    expect(params(built)).not.toHaveProperty('textEncoders');
    expect(params(built)).not.toHaveProperty('vae');
  });

  it('sends SD3 from separate files [clip_l, clip_g, t5xxl], and no VAE', () => {
    const built = buildRequest({ ...draft, ...files, sd3Encoders: 'separate' }, 'sd3');
    expect(params(built)).toMatchObject({ textEncoders: ['clip_l.safetensors', 'clip_g.safetensors', 't5/t5xxl_fp8.safetensors'] });
    expect(params(built)).not.toHaveProperty('vae');
  });

  it('sends neither for the families whose checkpoint holds everything', () => {
    for (const family of ['sd15', 'sdxl', undefined] as const) {
      const p = params(buildRequest({ ...draft, ...files, sd3Encoders: 'separate' }, family));
      expect(p).toBeDefined();
      expect(p).not.toHaveProperty('textEncoders');
      expect(p).not.toHaveProperty('vae');
    }
  });

  it('names the empty encoder and VAE fields, by their place in the loader order', () => {
    const built = buildRequest({ ...draft, t5xxl: ' ', clipL: 'clip_l.safetensors', vae: '' }, 'flux');
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors.map((e) => fieldOf(e.path))).toEqual(['textEncoders.0', 'vae']);
  });
});

describe('fieldOf', () => {
  it('maps a schema path to its form field, and a text-encoder item to its index', () => {
    expect(fieldOf('/params/width')).toBe('width');
    expect(fieldOf('/prompt')).toBe('prompt');
    expect(fieldOf('/params/textEncoders/2')).toBe('textEncoders.2');
    expect(fieldOf('/params/textEncoders')).toBe('textEncoders');
    expect(fieldOf('')).toBe('form');
  });
});

describe('familyDraft', () => {
  it("switches the form to the family's defaults (sd3: scheduler sgm_uniform, shift 3)", () => {
    expect(familyDraft('sd3')).toMatchObject({ width: '1024', height: '1024', cfg: '4.5', shift: '3', scheduler: 'sgm_uniform' });
    expect(familyDraft('sd15')).toMatchObject({ width: '512', height: '512' });
  });
});
