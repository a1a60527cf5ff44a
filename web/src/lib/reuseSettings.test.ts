import { describe, expect, it } from 'vitest';
import { nearestAspectRatio, planFromMeta, planFromRequest } from './reuseSettings';

describe('which mode a reuse goes to, and with what', () => {
  it('sends a FLUX image to the FLUX mode with its model and the params that model takes', () => {
    const plan = planFromMeta(
      { provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a paper crane', seed: 42, width: 2720, height: 1536, aspectRatio: '16:9', guidance: 3 },
      'image',
    );
    expect(plan.mode).toBe('flux');
    if (plan.mode !== 'flux') return;
    expect(plan.flux).toMatchObject({ model: 'flux-pro-1.1-ultra', prompt: 'a paper crane', aspectRatio: '16:9', numbers: { seed: '42' } });
    // Ultra takes an aspect ratio, not a size; nor guidance.
    expect(plan.flux.numbers.width).toBeUndefined();
    expect(plan.flux.numbers.guidance).toBeUndefined();
    expect(plan.notes).toEqual([]);
  });

  it('derives an ultra aspect ratio from the size when the file has none, and a new seed for a remix', () => {
    const plan = planFromMeta({ provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'p', seed: 1, width: 2720, height: 1536 }, 'image', {}, { newSeed: true });
    expect(plan.mode === 'flux' && plan.flux.aspectRatio).toBe('16:9');
    expect(plan.mode === 'flux' && plan.flux.numbers.seed).toBe('');
    expect(nearestAspectRatio(1536, 2720)).toBe('9:16');
    expect(nearestAspectRatio(1024, 1024)).toBe('1:1');
  });

  it('keeps a FLUX pro size it can send, and says so when it cannot', () => {
    const ok = planFromMeta({ provider: 'flux', model: 'flux-pro-1.1', prompt: 'p', width: 1024, height: 768 }, 'image');
    expect(ok.mode === 'flux' && ok.flux.numbers).toMatchObject({ width: '1024', height: '768' });
    const big = planFromMeta({ provider: 'flux', model: 'flux-dev', prompt: 'p', width: 2000, height: 1000, steps: 30, guidance: 2.5 }, 'image');
    expect(big.mode === 'flux' && big.flux.numbers).toEqual({ steps: '30', guidance: '2.5' });
    expect(big.notes[0]).toContain('2000×1000');
  });

  it('takes a FLUX job request as it was sent, with the seed BFL chose when it had none', () => {
    const plan = planFromRequest(
      { provider: 'flux', kind: 'image', model: 'flux-pro-1.1-ultra', prompt: 'p', params: { aspectRatio: '21:9', raw: true, outputFormat: 'png' }, inputImage: '0123456789abcdef' },
      { actualSeed: 99 },
    );
    expect(plan).toMatchObject({
      mode: 'flux',
      flux: { model: 'flux-pro-1.1-ultra', aspectRatio: '21:9', raw: true, outputFormat: 'png', numbers: { seed: '99' }, image: { id: '0123456789abcdef' } },
    });
  });

  it('sends sites to the Site mode, SVD to the Video mode and custom workflows to the Workflow mode', () => {
    expect(planFromRequest({ provider: 'v0', kind: 'site', prompt: 'a bakery', model: 'v0-max' })).toMatchObject({ mode: 'site', site: { prompt: 'a bakery', model: 'v0-max' } });
    expect(planFromMeta({ provider: 'v0', prompt: 'a bakery' }, 'site')).toMatchObject({ mode: 'site', site: { prompt: 'a bakery' } });
    const video = planFromRequest({
      provider: 'comfyui',
      kind: 'video',
      family: 'svd',
      model: 'svd_xt.safetensors',
      inputImage: '0123456789abcdef',
      params: { seed: 5, frames: 25, fps: 8, motionBucketId: 100 },
    } as never);
    expect(video).toMatchObject({ mode: 'video', video: { model: 'svd_xt.safetensors', values: { frames: '25', fps: '8', motionBucketId: '100' }, image: { id: '0123456789abcdef' } } });
    expect(video.mode === 'video' && video.video.values?.seed).toBeUndefined();
    const wf = planFromRequest({ provider: 'comfyui', kind: 'image', workflow: 'my-flow', prompt: 'p', params: { seed: 3, steps: 9 } }, { newSeed: true });
    expect(wf).toMatchObject({ mode: 'workflow', workflow: { id: 'my-flow', values: { prompt: 'p', steps: '9' }, randomSeed: true } });
  });

  it('sends ComfyUI images to the Image mode with every field the form has', () => {
    const plan = planFromRequest({
      provider: 'comfyui',
      kind: 'image',
      family: 'flux',
      model: 'flux1-dev.safetensors',
      modelFolder: 'diffusion_models',
      prompt: 'p',
      params: { seed: 7, steps: 20, guidance: 3.5, batchSize: 2, vae: 'ae.safetensors', textEncoders: ['t5.safetensors', 'clip_l.safetensors'] },
    } as never);
    expect(plan).toMatchObject({
      mode: 'image',
      image: { model: 'flux1-dev.safetensors', modelFolder: 'diffusion_models', seed: '7', randomSeed: false, guidance: '3.5', batchSize: '2', t5xxl: 't5.safetensors', clipL: 'clip_l.safetensors' },
    });
    const meta = planFromMeta({ provider: 'comfyui', model: 'sd_xl_base_1.0.safetensors', prompt: 'p', seed: 3, inputImage: 'abc' }, 'image', { loras: [{ name: 'l.safetensors', strength: '1' }] });
    expect(meta).toMatchObject({ mode: 'image', image: { model: 'sd_xl_base_1.0.safetensors', seed: '3', loras: [{ name: 'l.safetensors', strength: '1' }] } });
    expect(meta.notes).toHaveLength(1);
  });
});
