import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from '../state/formDraft';
import type { Job } from '@orchestrator/shared';
import { appendToPrompt, buildRequest, draftFrom, draftFromRequest, familyDraft, fieldOf, promptHas } from './request';

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

  it('maps a LoRA item to its row, and the list to itself', () => {
    expect(fieldOf('/params/loras/2/strength')).toBe('loras.2.strength');
    expect(fieldOf('/params/loras/0/name')).toBe('loras.0.name');
    expect(fieldOf('/params/loras')).toBe('loras');
  });
});

describe('buildRequest with LoRAs', () => {
  const loraParams = (built: ReturnType<typeof buildRequest>) => (built.ok && built.request.provider === 'comfyui' ? built.request.params?.loras : undefined);
  const rows = [
    { name: 'style/ink_wash_sdxl.safetensors', strength: '0.75' },
    { name: 'add_detail.safetensors', strength: '-1.5' },
    { name: 'zz_last.safetensors', strength: ' 1 ' },
  ];

  it('sends the LoRAs in the order of the rows, strengths as numbers', () => {
    expect(loraParams(buildRequest({ ...draft, loras: rows }, 'sdxl'))).toEqual([
      { name: 'style/ink_wash_sdxl.safetensors', strength: 0.75 },
      { name: 'add_detail.safetensors', strength: -1.5 },
      { name: 'zz_last.safetensors', strength: 1 },
    ]);
  });

  it('sends no loras field for an empty list', () => {
    const built = buildRequest({ ...draft, loras: [] }, 'sdxl');
    expect(built.ok).toBe(true);
    if (!built.ok || built.request.provider !== 'comfyui') return;
    expect(built.request.params).not.toHaveProperty('loras');
  });

  it('sends none for SVD, whose template takes no LoRAs, and does not validate them there', () => {
    const built = buildRequest({ ...draft, loras: [{ name: 'a.safetensors', strength: 'x' }] }, 'svd');
    expect(built.ok).toBe(true);
    expect(loraParams(built)).toBeUndefined();
  });

  it('accepts the ends of the range, −10 and 10', () => {
    const ends = [
      { name: 'a.safetensors', strength: '-10' },
      { name: 'b.safetensors', strength: '10' },
    ];
    expect(loraParams(buildRequest({ ...draft, loras: ends }, 'sd15'))).toEqual([
      { name: 'a.safetensors', strength: -10 },
      { name: 'b.safetensors', strength: 10 },
    ]);
  });

  it('names the row whose strength is empty, not a number or outside −10..10', () => {
    const bad = [
      { name: 'a.safetensors', strength: '' },
      { name: 'b.safetensors', strength: '1' },
      { name: 'c.safetensors', strength: 'strong' },
      { name: 'd.safetensors', strength: '10.05' },
      { name: 'e.safetensors', strength: '-11' },
    ];
    const built = buildRequest({ ...draft, loras: bad }, 'sdxl');
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors.map((e) => fieldOf(e.path))).toEqual(['loras.0.strength', 'loras.2.strength', 'loras.3.strength', 'loras.4.strength']);
  });

  it('refuses more than 8 LoRAs', () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ name: `l${i}.safetensors`, strength: '1' }));
    const built = buildRequest({ ...draft, loras: many }, 'sdxl');
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors.map((e) => fieldOf(e.path))).toEqual(['loras']);
    expect(buildRequest({ ...draft, loras: many.slice(0, 8) }, 'sdxl').ok).toBe(true);
  });
});

describe('buildRequest with the model folder', () => {
  const files = { t5xxl: 't5xxl_fp16.safetensors', clipL: 'clip_l.safetensors', vae: 'ae.safetensors' };

  it('sends the folder the model was picked from, and none when it is not known', () => {
    const inFolder = buildRequest({ ...draft, modelFolder: 'checkpoints' }, 'sdxl');
    expect(inFolder.ok && inFolder.request).toMatchObject({ model: 'model.safetensors', modelFolder: 'checkpoints' });
    const unknown = buildRequest({ ...draft, modelFolder: '' }, 'sdxl');
    expect(unknown.ok && unknown.request).not.toHaveProperty('modelFolder');
  });

  it('sends FLUX from diffusion_models its encoders and VAE, and an all-in-one FLUX checkpoint neither', () => {
    const bare = buildRequest({ ...draft, ...files, modelFolder: 'diffusion_models' }, 'flux');
    expect(bare.ok && bare.request).toMatchObject({ modelFolder: 'diffusion_models', params: { textEncoders: ['t5xxl_fp16.safetensors', 'clip_l.safetensors'], vae: 'ae.safetensors' } });
    const whole = buildRequest({ ...draft, ...files, modelFolder: 'checkpoints' }, 'flux');
    expect(whole.ok).toBe(true);
    if (!whole.ok || whole.request.provider !== 'comfyui') return;
    expect(whole.request.modelFolder).toBe('checkpoints');
    expect(whole.request.params).not.toHaveProperty('textEncoders');
    expect(whole.request.params).not.toHaveProperty('vae');
  });
});

describe('reusing the settings of an asset or a job', () => {

  it("fills the form's LoRA rows from an asset's metadata, and clears them when it had none", () => {
    expect(draftFrom({ model: 'm.safetensors', loras: 'a.safetensors:0.5, b.safetensors:1' })).toMatchObject({
      model: 'm.safetensors',
      modelFolder: '',
      loras: [
        { name: 'a.safetensors', strength: '0.5' },
        { name: 'b.safetensors', strength: '1' },
      ],
    });
    expect(draftFrom({ model: 'm.safetensors' }).loras).toEqual([]);
  });

  it("fills the form from a job's request: its LoRAs exactly and its model folder", () => {
    const request: Job['request'] = {
      provider: 'comfyui',
      kind: 'image',
      model: 'flux1-dev.safetensors',
      modelFolder: 'diffusion_models',
      prompt: 'a fox',
      params: { seed: 3, loras: [{ name: 'style/ink.safetensors', strength: 0.65 }] },
    };
    expect(draftFromRequest(request)).toMatchObject({
      model: 'flux1-dev.safetensors',
      modelFolder: 'diffusion_models',
      prompt: 'a fox',
      seed: '3',
      randomSeed: false,
      loras: [{ name: 'style/ink.safetensors', strength: '0.65' }],
    });
  });
});

describe('trigger words', () => {
  it('appends a word after a comma, tidying the end of the prompt, or starts the prompt with it', () => {
    expect(appendToPrompt('a fox in the snow', 'inkwash')).toBe('a fox in the snow, inkwash');
    expect(appendToPrompt('a fox,  ', 'inkwash')).toBe('a fox, inkwash');
    expect(appendToPrompt('  ', 'inkwash')).toBe('inkwash');
  });

  it('tells a word already in the prompt, as a whole word in any case', () => {
    expect(promptHas('A fox, InkWash style', 'inkwash')).toBe(true);
    expect(promptHas('inkwashed', 'inkwash')).toBe(false);
    expect(promptHas('a (detailed:1.2) fox', 'detailed:1.2')).toBe(true);
    expect(promptHas('anything', ' ')).toBe(false);
  });
});

describe('familyDraft', () => {
  it("switches the form to the family's defaults (sd3: scheduler sgm_uniform, shift 3)", () => {
    expect(familyDraft('sd3')).toMatchObject({ width: '1024', height: '1024', cfg: '4.5', shift: '3', scheduler: 'sgm_uniform' });
    expect(familyDraft('sd15')).toMatchObject({ width: '512', height: '512' });
  });
});

describe('buildRequest beyond text to image (issue 14)', () => {
  const picture = { id: 'up-1', url: '/api/uploads/up-1', label: 'photo.png' };
  const mask = { id: 'up-2', url: '/api/uploads/up-2', label: 'Painted mask' };

  it('img2img: inputImage and params.denoise; the picture keeps its size unless asked to scale', () => {
    const built = buildRequest({ ...draft, inputImage: picture, imageMode: 'img2img', denoise: '0.6' }, 'sdxl');
    expect(built.ok && built.request).toMatchObject({ inputImage: 'up-1', params: { denoise: 0.6 } });
    if (!built.ok || built.request.provider !== 'comfyui') return;
    expect(built.request.params).not.toHaveProperty('width');
    expect(built.request).not.toHaveProperty('mask');
    const scaled = buildRequest({ ...draft, inputImage: picture, keepSize: false, width: '768', height: '512' }, 'sdxl');
    expect(scaled.ok && scaled.request).toMatchObject({ params: { width: 768, height: 512 } });
  });

  it('inpaint: the painted mask goes as `mask`; without one the mask field is named; no hires fix', () => {
    const hires = { enabled: true, scale: '2', denoise: '0.4', steps: '' };
    const built = buildRequest({ ...draft, inputImage: picture, imageMode: 'inpaint', mask, hires }, 'sd15');
    expect(built.ok && built.request).toMatchObject({ inputImage: 'up-1', mask: 'up-2' });
    if (built.ok && built.request.provider === 'comfyui') expect(built.request.params).not.toHaveProperty('hiresFix');
    const unpainted = buildRequest({ ...draft, inputImage: picture, imageMode: 'inpaint', mask: null }, 'sd15');
    expect(unpainted.ok).toBe(false);
    if (!unpainted.ok) expect(unpainted.errors.map((e) => fieldOf(e.path))).toContain('mask');
  });

  it('ControlNets in row order with their numbers, and a hires fix with its own denoise', () => {
    const built = buildRequest(
      {
        ...draft,
        controlNets: [
          { model: 'controlnet-canny-sdxl-1.0.safetensors', image: picture, preprocessor: 'canny', strength: '0.8', start: '0', end: '0.7' },
          { model: 'diffusers_xl_depth_mid.safetensors', image: mask, preprocessor: 'none', strength: '0.5', start: '0.1', end: '1' },
        ],
        hires: { enabled: true, scale: '1.5', denoise: '0.4', steps: '12' },
      },
      'sdxl',
    );
    expect(built.ok && built.request).toMatchObject({
      params: {
        controlNets: [
          { model: 'controlnet-canny-sdxl-1.0.safetensors', image: 'up-1', strength: 0.8, startPercent: 0, endPercent: 0.7, preprocessor: 'canny' },
          { model: 'diffusers_xl_depth_mid.safetensors', image: 'up-2', strength: 0.5, startPercent: 0.1, endPercent: 1 },
        ],
        hiresFix: { scale: 1.5, denoise: 0.4, steps: 12 },
      },
    });
  });

  it('names the ControlNet row that lacks its model or image, or has a bad number', () => {
    const built = buildRequest({ ...draft, controlNets: [{ model: '', image: null, preprocessor: 'none', strength: 'x', start: '0', end: '1' }] }, 'sdxl');
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.errors.map((e) => fieldOf(e.path))).toEqual(expect.arrayContaining(['controlNets.0.model', 'controlNets.0.image', 'controlNets.0.strength']));
  });

  it('fills the form back from such a request (Use these settings)', () => {
    const back = draftFromRequest({
      provider: 'comfyui',
      kind: 'image',
      prompt: 'a fox',
      inputImage: 'up-1',
      mask: 'up-2',
      params: { denoise: 0.6, controlNets: [{ model: 'c.safetensors', image: 'up-3', strength: 0.5 }], hiresFix: { scale: 2 } },
    });
    expect(back).toMatchObject({ imageMode: 'inpaint', denoise: '0.6', keepSize: true, inputImage: { id: 'up-1' }, mask: { id: 'up-2' } });
    expect(back.controlNets).toEqual([expect.objectContaining({ model: 'c.safetensors', image: expect.objectContaining({ id: 'up-3' }), strength: '0.5' })]);
    expect(back.hires).toMatchObject({ enabled: true, scale: '2', denoise: '0.5' });
  });
});
