import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAYOUTS, safetensorsBytes, writeModel } from '../testing/safetensors-files.js';
import { scanModelFiles, type ScannedFile } from './model-scanner.js';
import { readSafetensorsHeader } from './header-reader.js';
import { recordForFile } from './model-record.js';
import { familyFromModelName } from '@orchestrator/shared';
import { prettyStem } from './model-naming.js';

let root: string;
let shared: string;
let files: ScannedFile[];
const byId = (id: string) => {
  const f = files.find((x) => x.id === id);
  if (!f) throw new Error(`not scanned: ${id}`);
  return f;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-models-scan-'));
  shared = await mkdtemp(path.join(tmpdir(), 'orch-models-shared-'));
  const st = (spec: Record<string, number[]>, md?: Record<string, string>) => safetensorsBytes(spec, md);
  await writeModel(root, 'checkpoints/v1-5-pruned-emaonly.safetensors', st(LAYOUTS.sd15));
  await writeModel(root, 'checkpoints/XL/juggernaut.SAFETENSORS', st(LAYOUTS.sdxl, { 'modelspec.title': 'Juggernaut XL', 'modelspec.resolution': '1024x1024' }));
  await writeModel(root, 'checkpoints/sd3.5_large.safetensors', st(LAYOUTS.sd35Large));
  await writeModel(root, 'checkpoints/notes.txt', 'not a model');
  await writeModel(root, 'checkpoints/config.yaml', 'model: {}');
  await writeModel(root, 'checkpoints/old.pkl', 'pickle');
  await writeModel(root, 'checkpoints/.hidden/secret.safetensors', st(LAYOUTS.sd15));
  await writeModel(root, 'checkpoints/legacy_model.ckpt', 'PK\u0003\u0004 zip of pickles');
  await writeModel(root, 'checkpoints/broken.safetensors', Buffer.from('\u000f\u0000\u0000\u0000\u0000\u0000\u0000\u0000<html>no</html>'));
  await writeModel(root, 'unet/flux1-dev.sft', st(LAYOUTS.fluxDev));
  await writeModel(root, 'diffusion_models/flux1-dev.sft', st(LAYOUTS.sd15)); // shadowed by unet/ (ComfyUI's order)
  await writeModel(root, 'diffusion_models/extra/model.safetensors', st(LAYOUTS.fluxDev));
  await writeModel(root, 'loras/styles/ink.safetensors', st(LAYOUTS.sdxlLora, { 'modelspec.trigger_phrase': 'inkwash, sumi-e', 'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora' }));
  await writeModel(root, 'vae/sdxl_vae.safetensors', st(LAYOUTS.vae));
  await writeModel(root, 'clip/clip_l.safetensors', st({ 'text_model.encoder.layers.0.self_attn.k_proj.weight': [768, 768] }));
  await writeModel(root, 't2i_adapter/depth.pth', 'torch');
  await writeModel(root, 'video/svd_xt.safetensors', st(LAYOUTS.svd));
  await writeModel(shared, 'up/4x-UltraSharp.pth', 'torch');
  await mkdir(path.join(root, 'upscale_models'), { recursive: true });
  await symlink(path.join(shared, 'up'), path.join(root, 'upscale_models', 'linked'));
  files = await scanModelFiles(root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(shared, { recursive: true, force: true });
});

describe('scanModelFiles', () => {
  it('lists model files recursively under folder keys, with legacy folders merged and forward-slash names', () => {
    expect(files.map((f) => f.id).sort()).toEqual(
      [
        'checkpoints/XL/juggernaut.SAFETENSORS',
        'checkpoints/broken.safetensors',
        'checkpoints/legacy_model.ckpt',
        'checkpoints/sd3.5_large.safetensors',
        'checkpoints/v1-5-pruned-emaonly.safetensors',
        'text_encoders/clip_l.safetensors',
        'controlnet/depth.pth',
        'diffusion_models/extra/model.safetensors',
        'diffusion_models/flux1-dev.sft',
        'loras/styles/ink.safetensors',
        'upscale_models/linked/4x-UltraSharp.pth',
        'vae/sdxl_vae.safetensors',
        'video/svd_xt.safetensors',
      ].sort(),
    );
    expect(byId('loras/styles/ink.safetensors')).toMatchObject({ folder: 'loras', file: 'styles/ink.safetensors' });
    expect(byId('checkpoints/v1-5-pruned-emaonly.safetensors').size).toBeGreaterThan(8);
  });

  it('takes the first directory of a folder when a name is in both (unet/ before diffusion_models/)', () => {
    expect(byId('diffusion_models/flux1-dev.sft').path).toBe(path.join(root, 'unet', 'flux1-dev.sft'));
  });

  it('answers an empty list for a MODELS_PATH that does not exist', async () => {
    expect(await scanModelFiles(path.join(root, 'nothing-here'))).toEqual([]);
  });
});

describe('reading headers and detecting families', () => {
  it('reads the header of a file whose tensor data is absent (only the header is read)', async () => {
    const header = await readSafetensorsHeader(byId('checkpoints/sd3.5_large.safetensors').path);
    expect(header.tensors).toHaveLength(40);
  });

  it.each([
    ['checkpoints/v1-5-pruned-emaonly.safetensors', 'sd15', 'header', undefined],
    ['checkpoints/XL/juggernaut.SAFETENSORS', 'sdxl', 'header', undefined],
    ['checkpoints/sd3.5_large.safetensors', 'sd3', 'header', 'large'],
    ['diffusion_models/flux1-dev.sft', 'flux', 'header', 'dev'],
    ['video/svd_xt.safetensors', 'svd', 'header', undefined],
    ['loras/styles/ink.safetensors', 'sdxl', 'header', undefined],
    ['vae/sdxl_vae.safetensors', 'sdxl', 'name', undefined],
    ['checkpoints/legacy_model.ckpt', 'unknown', 'none', undefined],
    ['text_encoders/clip_l.safetensors', 'unknown', 'none', undefined],
  ])('%s → %s from the %s', async (id, family, source, variant) => {
    const rec = await recordForFile(byId(id));
    expect(rec).toMatchObject({ family, familySource: source });
    expect(rec.variant).toBe(variant);
  });

  it('uses the modelspec title as the name and keeps trigger words and resolution', async () => {
    expect(await recordForFile(byId('checkpoints/XL/juggernaut.SAFETENSORS'))).toMatchObject({
      name: 'Juggernaut XL',
      resolution: { width: 1024, height: 1024 },
    });
    const lora = await recordForFile(byId('loras/styles/ink.safetensors'));
    expect(lora).toMatchObject({ name: 'ink', kind: 'lora', triggerWords: ['inkwash', 'sumi-e'] });
    expect(lora.haystack).toContain('sumi-e');
  });

  it('notes a broken header instead of failing', async () => {
    const rec = await recordForFile(byId('checkpoints/broken.safetensors'));
    expect(rec).toMatchObject({ family: 'unknown', familySource: 'none' });
    expect(rec.familyReason).toMatch(/not a safetensors file|not valid JSON/);
  });
});

describe('names', () => {
  it.each([
    ['sd_xl_base_1.0.safetensors', 'sdxl'],
    ['SDXL/b.safetensors', 'sdxl'],
    ['v1-5-pruned-emaonly.ckpt', 'sd15'],
    ['sd15/realistic.safetensors', 'sd15'],
    ['sd3.5_medium.safetensors', 'sd3'],
    ['flux1-schnell-fp8.safetensors', 'flux'],
    ['svd_xt.safetensors', 'svd'],
    ['dreamshaper_8.safetensors', undefined],
    ['sd150_merge.safetensors', undefined],
  ])('familyFromModelName(%s) = %s', (name, family) => {
    expect(familyFromModelName(name)).toBe(family);
  });

  it('prettifies the stem', () => {
    expect(prettyStem('styles/ink_wash__v2.safetensors')).toBe('ink wash v2');
    expect(prettyStem('a.safetensors')).toBe('a');
  });
});
