import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from '../state/formDraft';
import { buildRequest, familyDraft } from './request';

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

describe('familyDraft', () => {
  it("switches the form to the family's defaults (sd3: scheduler sgm_uniform, shift 3)", () => {
    expect(familyDraft('sd3')).toMatchObject({ width: '1024', height: '1024', cfg: '4.5', shift: '3', scheduler: 'sgm_uniform' });
    expect(familyDraft('sd15')).toMatchObject({ width: '512', height: '512' });
  });
});
