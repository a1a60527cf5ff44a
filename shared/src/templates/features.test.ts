import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLNET_MODELS, startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import type { ComfyJobRequest } from '../jobs.js';
import type { WorkflowGraph } from '../workflows.js';
import { buildWorkflow, TemplateChoiceError, type ApiGraph, type TemplateValues } from './index.js';
import { templateFromWorkflow } from './import.js';
import { imageSources, prepareWorkflow } from './request.js';
import { slotSpecs, slotValueProblems } from './slot-specs.js';
import { validateWorkflowAgainstObjectInfo } from './validate-workflow.js';

/*
 * Beyond txt2img (issue 14): img2img, inpaint, outpaint, ControlNet, hires fix, IP-Adapter and upscale per
 * family — each graph's shape, where the request's values land, and that it validates against the fake's
 * /object_info (whose node specs mirror a real ComfyUI 0.3.64, see test/fakes/comfyui/real-object-info.test.ts).
 */

let fake: FakeComfy;
let info: Record<string, unknown>;

beforeAll(async () => {
  fake = await startFakeComfy({
    customNodes: ['ipadapter'],
    models: { controlnet: CONTROLNET_MODELS },
    checkpoints: ['v1-5-pruned-emaonly.safetensors', 'sd-v1-5-inpainting.ckpt', 'sd_xl_base_1.0.safetensors', 'sd3.5_large_fp8_scaled.safetensors', 'flux1-dev-fp8.safetensors'],
  });
  info = (await (await fetch(`${fake.url}/object_info`)).json()) as Record<string, unknown>;
});
afterAll(async () => {
  await fake?.close();
});

const MODELS = {
  sd15: { model: 'v1-5-pruned-emaonly.safetensors', family: 'sd15' },
  sdxl: { model: 'sd_xl_base_1.0.safetensors', family: 'sdxl' },
  sd3: { model: 'sd3.5_large_fp8_scaled.safetensors', family: 'sd3' },
  flux: { model: 'flux1-dev.safetensors', family: 'flux', modelFolder: 'diffusion_models' },
  'flux-checkpoint': { model: 'flux1-dev-fp8.safetensors', family: 'flux', modelFolder: 'checkpoints' },
} as const;

/** What the worker fills in after uploading the images. */
const UPLOADED: TemplateValues = { image: 'in.png', mask: 'mask.png', controlImage1: 'c1.png', controlImage2: 'c2.png', ipAdapterImage: 'ipa.png' };

function build(request: Partial<ComfyJobRequest> & { family?: string }): { graph: ApiGraph; values: TemplateValues } {
  const full = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', ...request } as ComfyJobRequest;
  const prepared = prepareWorkflow(full, { seed: 42, filenamePrefix: 'orchestrator/t' });
  return { graph: buildWorkflow(prepared.template, { ...prepared.values, ...UPLOADED }), values: prepared.values };
}

const byType = (g: ApiGraph, type: string) => Object.entries(g).filter(([, n]) => n.class_type === type);
const one = (g: ApiGraph, type: string) => {
  const found = byType(g, type);
  expect(found, type).toHaveLength(1);
  return { id: found[0]![0], inputs: found[0]![1].inputs };
};

describe('every family × feature validates against /object_info', () => {
  const features: Record<string, Partial<ComfyJobRequest>> = {
    img2img: { inputImage: 'up-1', params: { denoise: 0.6 } },
    'img2img resized': { inputImage: 'up-1', params: { width: 768 } },
    inpaint: { inputImage: 'up-1', mask: 'mask-1' },
    outpaint: { inputImage: 'up-1', params: { outpaint: { left: 64, right: 128 } } },
    controlnet: { params: { controlNets: [{ model: 'diffusers_xl_depth_mid.safetensors', image: 'c-1', strength: 0.8 }, { model: 'control_v11p_sd15_canny.pth', image: 'c-2', preprocessor: 'canny' }] } },
    'hires fix': { params: { hiresFix: { scale: 1.5, denoise: 0.4, steps: 10 } } },
    'img2img + hires fix': { inputImage: 'up-1', params: { hiresFix: { scale: 2 } } },
  };
  for (const [family, m] of Object.entries(MODELS)) {
    for (const [feature, extra] of Object.entries(features)) {
      it(`${family}: ${feature}`, () => {
        // ControlNet files are family-checked by name: this test uses the family-neutral names only.
        const params = { ...extra.params, ...(extra.params?.controlNets ? { controlNets: extra.params.controlNets.map((c) => ({ ...c, model: `any-${c.model.replace(/sd15|sdxl|xl_/g, '')}` })) } : {}) };
        const { graph } = build({ ...m, ...extra, params } as Partial<ComfyJobRequest>);
        const problems = validateWorkflowAgainstObjectInfo(graph, info).filter((p) => !p.message.includes('any-'));
        expect(problems).toEqual([]);
      });
    }
  }
});

/** The whole /object_info of a real ComfyUI 0.3.64 (a copy of ../shared/protocols/real-comfyui-0.3.64 in test/fixtures, so CI has it). */
const REAL_INFO = JSON.parse(readFileSync(new URL('../../../test/fixtures/real-comfyui-0.3.64/object_info.json', import.meta.url), 'utf8')) as Record<string, unknown>;
/** Nodes whose modules failed to import on the captured machine (see its README), and a custom node pack's. */
const NOT_IN_REAL_DUMP = new Set(['Canny', 'UpscaleModelLoader', 'ImageUpscaleWithModel', 'IPAdapterUnifiedLoader', 'IPAdapter']);
/** Inputs whose choices are that machine's files (models, the input folder): not the template's concern. */
const FILE_INPUTS = new Set(['ckpt_name', 'unet_name', 'vae_name', 'clip_name', 'clip_name1', 'clip_name2', 'clip_name3', 'control_net_name', 'model_name', 'lora_name', 'image']);

describe('every family × feature validates against a real ComfyUI 0.3.64 /object_info', () => {
  const features: Record<string, Partial<ComfyJobRequest>> = {
    img2img: { inputImage: 'up-1', params: { denoise: 0.6, width: 768 } },
    inpaint: { inputImage: 'up-1', mask: 'mask-1' },
    'inpaint scaled': { inputImage: 'up-1', mask: 'mask-1', params: { width: 768, height: 512 } },
    outpaint: { inputImage: 'up-1', params: { outpaint: { left: 64, right: 128 } } },
    controlnet: { params: { controlNets: [{ model: 'any-canny.safetensors', image: 'c-1', strength: 0.8, preprocessor: 'canny' }] } },
    'hires fix': { params: { hiresFix: { scale: 1.5, denoise: 0.4, steps: 10 } } },
  };
  for (const [family, m] of Object.entries(MODELS)) {
    it(`${family}: every feature's graph, input for input (the machine's file lists and absent modules aside)`, () => {
      for (const [feature, extra] of Object.entries(features)) {
        const { graph } = build({ ...m, ...extra } as Partial<ComfyJobRequest>);
        const problems = validateWorkflowAgainstObjectInfo(graph, REAL_INFO).filter((p) => !FILE_INPUTS.has(p.input) && !NOT_IN_REAL_DUMP.has(p.classType));
        expect(problems, feature).toEqual([]);
      }
    });
  }
  it('the inpaint checkpoint path and the upscale graphs too', () => {
    const inpaint = build({ model: 'sd-v1-5-inpainting.ckpt', family: 'sd15', inputImage: 'up-1', mask: 'mask-1' } as Partial<ComfyJobRequest>).graph;
    const upscale = prepareWorkflow({ provider: 'comfyui', kind: 'image', workflow: 'upscale', inputImage: 'up-1', params: { upscale: { factor: 2 } } }, { seed: 1 });
    for (const graph of [inpaint, buildWorkflow(upscale.template, { ...upscale.values, image: 'in.png' })]) {
      expect(validateWorkflowAgainstObjectInfo(graph, REAL_INFO).filter((p) => !FILE_INPUTS.has(p.input) && !NOT_IN_REAL_DUMP.has(p.classType))).toEqual([]);
    }
  });
});

describe('img2img', () => {
  it('LoadImage → VAEEncode → the sampler, the empty latent gone, denoise 0.75 by default', () => {
    const { graph } = build({ ...MODELS.sdxl, inputImage: 'up-1' });
    expect(byType(graph, 'EmptyLatentImage')).toEqual([]);
    const load = one(graph, 'LoadImage');
    expect(load.inputs.image).toBe('in.png');
    const encode = one(graph, 'VAEEncode');
    expect(encode.inputs).toEqual({ pixels: [load.id, 0], vae: ['4', 2] });
    expect(graph['3']!.inputs).toMatchObject({ latent_image: [encode.id, 0], denoise: 0.75, seed: 42 });
    expect(byType(graph, 'ImageScale')).toEqual([]);
  });

  it('scales the picture to the requested size first (0 keeps the aspect ratio), with its denoise', () => {
    const { graph } = build({ ...MODELS.sd15, inputImage: 'up-1', params: { width: 512, denoise: 0.3 } });
    const scale = one(graph, 'ImageScale');
    expect(scale.inputs).toMatchObject({ width: 512, height: 0, crop: 'center', upscale_method: 'lanczos' });
    expect(one(graph, 'VAEEncode').inputs.pixels).toEqual([scale.id, 0]);
    expect(graph['3']!.inputs.denoise).toBe(0.3);
  });

  it('FLUX from a diffusion model encodes with the FLUX VAE; SD3 keeps ModelSamplingSD3 in front of the sampler', () => {
    expect(one(build({ ...MODELS.flux, inputImage: 'up-1' }).graph, 'VAEEncode').inputs.vae).toEqual(['10', 0]);
    const sd3 = build({ ...MODELS.sd3, inputImage: 'up-1' }).graph;
    expect(sd3['3']!.inputs.model).toEqual(['13', 0]);
    expect(byType(sd3, 'EmptySD3LatentImage')).toEqual([]);
  });

  it('SVD keeps its own input image (no img2img rewiring)', () => {
    const request = { provider: 'comfyui', kind: 'video', family: 'svd', model: 'svd_xt.safetensors', inputImage: 'up-1' } as ComfyJobRequest;
    const prepared = prepareWorkflow(request, { seed: 1 });
    expect(prepared.template.id).toBe('svd-img2vid');
    expect(imageSources(request, prepared.template)).toEqual([{ param: 'image', id: 'up-1', field: 'inputImage' }]);
  });
});

describe('inpainting', () => {
  it('a normal checkpoint: InpaintModelConditioning wraps the conditioning and makes the latent, mask from the red channel', () => {
    const { graph } = build({ ...MODELS.sd15, inputImage: 'up-1', mask: 'mask-1' });
    const mask = one(graph, 'LoadImageMask');
    expect(mask.inputs).toEqual({ image: 'mask.png', channel: 'red' });
    const cond = one(graph, 'InpaintModelConditioning');
    expect(cond.inputs).toMatchObject({ positive: ['6', 0], negative: ['7', 0], vae: ['4', 2], mask: [mask.id, 0], noise_mask: true });
    expect(graph['3']!.inputs).toMatchObject({ positive: [cond.id, 0], negative: [cond.id, 1], latent_image: [cond.id, 2], denoise: 0.75 });
    expect(byType(graph, 'VAEEncodeForInpaint')).toEqual([]);
  });

  it('scaled to the requested size: the mask takes the very same ImageScale (and centre crop) as the picture', () => {
    const { graph } = build({ ...MODELS.sdxl, inputImage: 'up-1', mask: 'mask-1', params: { width: 768, height: 512 } });
    const scales = byType(graph, 'ImageScale').map(([id, n]) => ({ id, inputs: n.inputs }));
    expect(scales).toHaveLength(2);
    const [picture, mask] = [scales.find((x) => x.id === '802')!, scales.find((x) => x.id === '809')!];
    expect(picture.inputs.image).toEqual(['801', 0]);
    expect(graph['801']).toMatchObject({ class_type: 'LoadImage', inputs: { image: 'in.png' } });
    expect(mask.inputs).toMatchObject({ width: 768, height: 512, crop: picture.inputs.crop });
    expect(picture.inputs).toMatchObject({ width: 768, height: 512, crop: 'center' });
    const toMask = one(graph, 'ImageToMask');
    expect(toMask.inputs).toEqual({ image: ['809', 0], channel: 'red' });
    expect(graph['808']).toMatchObject({ class_type: 'LoadImage', inputs: { image: 'mask.png' } });
    expect(byType(graph, 'LoadImageMask')).toEqual([]);
    expect(one(graph, 'InpaintModelConditioning').inputs).toMatchObject({ pixels: [picture.id, 0], mask: [toMask.id, 0] });
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toEqual([]);
  });

  it('an SD1.5 inpaint checkpoint: VAEEncodeForInpaint (mask grown by 6) and denoise 1', () => {
    const { graph } = build({ model: 'sd-v1-5-inpainting.ckpt', family: 'sd15', inputImage: 'up-1', mask: 'mask-1' });
    const enc = one(graph, 'VAEEncodeForInpaint');
    expect(enc.inputs).toMatchObject({ pixels: [one(graph, 'LoadImage').id, 0], grow_mask_by: 6 });
    expect(graph['3']!.inputs).toMatchObject({ latent_image: [enc.id, 0], positive: ['6', 0], denoise: 1 });
  });

  it('FLUX: InpaintModelConditioning after FluxGuidance (the FLUX Fill way)', () => {
    const { graph } = build({ ...MODELS.flux, inputImage: 'up-1', mask: 'mask-1' });
    expect(one(graph, 'InpaintModelConditioning').inputs.positive).toEqual(['26', 0]);
  });

  it('outpainting pads the picture and inpaints the border', () => {
    const { graph, values } = build({ ...MODELS.sdxl, inputImage: 'up-1', params: { outpaint: { left: 64, top: 0, right: 128, bottom: 0, feathering: 24 } } });
    const pad = one(graph, 'ImagePadForOutpaint');
    expect(pad.inputs).toMatchObject({ left: 64, right: 128, top: 0, bottom: 0, feathering: 24 });
    expect(one(graph, 'InpaintModelConditioning').inputs).toMatchObject({ pixels: [pad.id, 0], mask: [pad.id, 1] });
    expect(values.denoise).toBe(1);
  });

  it('refuses a mask without a picture, a mask with outpaint, and a hires fix on an inpaint', () => {
    expect(() => build({ ...MODELS.sd15, mask: 'm' })).toThrow(/mask needs the picture/);
    expect(() => build({ ...MODELS.sd15, inputImage: 'i', mask: 'm', params: { outpaint: { left: 8 } } })).toThrow(TemplateChoiceError);
    expect(() => build({ ...MODELS.sd15, inputImage: 'i', mask: 'm', params: { hiresFix: { scale: 2 } } })).toThrow(/hires fix cannot/);
  });
});

describe('ControlNet', () => {
  it('stacks loader + image (+ Canny) + ControlNetApplyAdvanced per entry, chained into the sampler', () => {
    const { graph } = build({
      ...MODELS.sd15,
      params: {
        controlNets: [
          { model: 'control_v11p_sd15_canny.pth', image: 'c-1', strength: 0.7, startPercent: 0.1, endPercent: 0.9, preprocessor: 'canny' },
          { model: 'control_v11f1p_sd15_depth.pth', image: 'c-2' },
        ],
      },
    });
    const applies = byType(graph, 'ControlNetApplyAdvanced');
    expect(applies).toHaveLength(2);
    const [firstId, first] = applies[0]!;
    const [secondId, second] = applies[1]!;
    expect(first.inputs).toMatchObject({ positive: ['6', 0], negative: ['7', 0], strength: 0.7, start_percent: 0.1, end_percent: 0.9, vae: ['4', 2] });
    const canny = one(graph, 'Canny');
    expect(canny.inputs).toMatchObject({ low_threshold: 0.4, high_threshold: 0.8 });
    expect(first.inputs.image).toEqual([canny.id, 0]);
    expect(second.inputs).toMatchObject({ positive: [firstId, 0], negative: [firstId, 1], strength: 1, start_percent: 0, end_percent: 1 });
    expect(graph['3']!.inputs).toMatchObject({ positive: [secondId, 0], negative: [secondId, 1] });
    expect(byType(graph, 'ControlNetLoader').map(([, n]) => n.inputs.control_net_name)).toEqual(['control_v11p_sd15_canny.pth', 'control_v11f1p_sd15_depth.pth']);
    expect(byType(graph, 'LoadImage').map(([, n]) => n.inputs.image)).toEqual(['c1.png', 'c2.png']);
  });

  it('checks the family a ControlNet file names against the checkpoint', () => {
    expect(() => build({ ...MODELS.sdxl, params: { controlNets: [{ model: 'control_v11p_sd15_canny.pth', image: 'c' }] } })).toThrow(/made for SD1\.5, but the checkpoint is SDXL/);
    expect(() => build({ ...MODELS.sd15, params: { controlNets: [{ model: 'controlnet-canny-sdxl-1.0.safetensors', image: 'c' }] } })).toThrow(/made for SDXL/);
    expect(() => build({ ...MODELS.sdxl, params: { controlNets: [{ model: 'diffusers_xl_depth_mid.safetensors', image: 'c' }] } })).not.toThrow();
  });

  it('applies before an inpaint conditioning (which then carries the hints)', () => {
    const { graph } = build({ ...MODELS.sd15, inputImage: 'i', mask: 'm', params: { controlNets: [{ model: 'cn.pth', image: 'c' }] } });
    expect(one(graph, 'InpaintModelConditioning').inputs.positive).toEqual([one(graph, 'ControlNetApplyAdvanced').id, 0]);
  });
});

describe('hires fix', () => {
  it('LatentUpscaleBy then a second sampler with its own denoise and steps; the decode reads it', () => {
    const { graph } = build({ ...MODELS.sdxl, params: { steps: 25, hiresFix: { scale: 1.5, denoise: 0.45, steps: 12 } } });
    const up = one(graph, 'LatentUpscaleBy');
    expect(up.inputs).toEqual({ samples: ['3', 0], upscale_method: 'nearest-exact', scale_by: 1.5 });
    const samplers = byType(graph, 'KSampler');
    expect(samplers).toHaveLength(2);
    const second = samplers.find(([id]) => id !== '3')!;
    expect(second[1].inputs).toMatchObject({ latent_image: [up.id, 0], denoise: 0.45, steps: 12, seed: 42, model: ['4', 0], positive: ['6', 0] });
    expect(graph['3']!.inputs.steps).toBe(25);
    expect(graph['8']!.inputs.samples).toEqual([second[0], 0]);
  });

  it('defaults: denoise 0.5, the first pass’s steps; FLUX keeps cfg 1 and its guidance', () => {
    const { graph } = build({ ...MODELS.flux, params: { steps: 18, hiresFix: { scale: 2 } } });
    const second = byType(graph, 'KSampler').find(([id]) => id !== '3')![1];
    expect(second.inputs).toMatchObject({ denoise: 0.5, steps: 18, cfg: 1, positive: ['26', 0] });
  });
});

describe('IP-Adapter', () => {
  it('unified loader + IPAdapter on the model path (after LoRAs)', () => {
    const { graph } = build({ ...MODELS.sdxl, params: { loras: [{ name: 'add_detail.safetensors', strength: 0.5 }], ipAdapter: { image: 'ref-1', weight: 0.6, preset: 'PLUS (high strength)' } } });
    const loader = one(graph, 'IPAdapterUnifiedLoader');
    expect(loader.inputs).toEqual({ model: ['901', 0], preset: 'PLUS (high strength)' });
    const apply = one(graph, 'IPAdapter');
    expect(apply.inputs).toMatchObject({ model: [loader.id, 0], ipadapter: [loader.id, 1], weight: 0.6, start_at: 0, end_at: 1, weight_type: 'standard' });
    expect(graph['3']!.inputs.model).toEqual([apply.id, 0]);
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toEqual([]);
  });

  it('is refused for FLUX and SD3.5 (the pack covers SD1.5 and SDXL)', () => {
    expect(() => build({ ...MODELS.flux, params: { ipAdapter: { image: 'r' } } })).toThrow(/SD1\.5 and SDXL/);
    expect(() => build({ ...MODELS.sd3, params: { ipAdapter: { image: 'r' } } })).toThrow(TemplateChoiceError);
  });

  it('says which images the worker uploads, and from which request field', () => {
    const request = { provider: 'comfyui', kind: 'image', prompt: 'x', ...MODELS.sd15, inputImage: 'i-1', mask: 'm-1', params: { controlNets: [{ model: 'cn.pth', image: 'c-1' }], ipAdapter: { image: 'r-1' } } } as ComfyJobRequest;
    const { template } = prepareWorkflow(request, { seed: 1 });
    expect(imageSources(request, template)).toEqual([
      { param: 'image', id: 'i-1', field: 'inputImage' },
      { param: 'mask', id: 'm-1', field: 'mask' },
      { param: 'controlImage1', id: 'c-1', field: 'params.controlNets[0].image' },
      { param: 'ipAdapterImage', id: 'r-1', field: 'params.ipAdapter.image' },
    ]);
  });
});

describe('upscale', () => {
  const request = (upscale: object) => ({ provider: 'comfyui', kind: 'image', workflow: 'upscale', inputImage: 'a-1', params: { upscale } }) as ComfyJobRequest;

  it('with a model: UpscaleModelLoader → ImageUpscaleWithModel → ImageScale to the size the worker sets', () => {
    const p = prepareWorkflow(request({ model: '4x-UltraSharp.pth', factor: 2 }), { seed: 1, filenamePrefix: 'orchestrator/u' });
    const graph = buildWorkflow(p.template, { ...p.values, image: 'in.png', width: 1024, height: 768 });
    expect(one(graph, 'UpscaleModelLoader').inputs.model_name).toBe('4x-UltraSharp.pth');
    expect(one(graph, 'ImageScale').inputs).toMatchObject({ width: 1024, height: 768, crop: 'disabled' });
    expect(byType(graph, 'CheckpointLoaderSimple')).toEqual([]);
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toEqual([]);
  });

  it('without a model: a lanczos ImageScaleBy by the factor (default 2)', () => {
    const p = prepareWorkflow(request({ factor: 3 }), { seed: 1 });
    const graph = buildWorkflow(p.template, { ...p.values, image: 'in.png' });
    expect(one(graph, 'ImageScaleBy').inputs).toMatchObject({ upscale_method: 'lanczos', scale_by: 3 });
    expect(prepareWorkflow(request({}), { seed: 1 }).values.scale).toBe(2);
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toEqual([]);
  });

  it('refuses what an upscale cannot take', () => {
    expect(() => prepareWorkflow({ ...request({}), model: 'x.safetensors' }, { seed: 1 })).toThrow(/params\.upscale\.model/);
    expect(() => prepareWorkflow({ ...request({}), mask: 'm' }, { seed: 1 })).toThrow(TemplateChoiceError);
    expect(() => build({ ...MODELS.sd15, params: { upscale: { factor: 2 } } })).toThrow(/workflow "upscale"/);
  });
});

describe('custom workflows: any literal input is a slot, typed from /object_info', () => {
  const graph: WorkflowGraph = {
    '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 255 } },
    '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 3, sigma: 1.5 } },
    '3': { class_type: 'ImageScaleToTotalPixels', inputs: { image: ['2', 0], upscale_method: 'bicubic', megapixels: 0.25 } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'plain' } },
    '5': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
  };
  const slots = [
    { param: 'color', nodeId: '1', input: 'color' },
    { param: 'width', nodeId: '1', input: 'width' },
    { param: 'sigma', nodeId: '2', input: 'sigma' },
    { param: 'method', nodeId: '3', input: 'upscale_method' },
    { param: 'megapixels', nodeId: '3', input: 'megapixels' },
    { param: 'prefix_note', nodeId: '4', input: 'filename_prefix' },
    { param: 'overlay', nodeId: '5', input: 'image' },
  ];

  it('makes a placeholder per slot, its own ones as slot:<name>, image slots listed for upload', () => {
    const t = templateFromWorkflow({ id: 'wf-x', name: 'Blur', graph, slots });
    expect(t.graph['1']!.inputs.color).toEqual({ $param: 'slot:color' });
    expect(t.graph['1']!.inputs.width).toEqual({ $param: 'width' });
    expect(t.graph['4']!.inputs.filename_prefix).toEqual({ $param: 'slot:prefix_note' });
    expect(t.imageSlots).toEqual(['overlay']);
    expect(t.defaults).toMatchObject({ 'slot:color': 255, 'slot:sigma': 1.5, width: 64, 'slot:method': 'bicubic' });
    const request = { provider: 'comfyui', kind: 'image', workflow: 'wf-x', slots: { color: 65280, width: 333, sigma: 0.25, method: 'area', overlay: 'up-9' } } as ComfyJobRequest;
    const p = prepareWorkflow(request, { seed: 5, template: t, filenamePrefix: 'orchestrator/j' });
    expect(imageSources(request, t)).toEqual([{ param: 'slot:overlay', id: 'up-9', field: 'slots.overlay' }]);
    const built = buildWorkflow(p.template, { ...p.values, 'slot:overlay': 'over.png' });
    expect(built['1']!.inputs).toMatchObject({ color: 65280, width: 333 });
    expect(built['2']!.inputs.sigma).toBe(0.25);
    expect(built['3']!.inputs.upscale_method).toBe('area');
    expect(built['5']!.inputs.image).toBe('over.png');
    expect(validateWorkflowAgainstObjectInfo(built, info)).toEqual([]);
  });

  it('types each slot from object_info: INT range, FLOAT step 0.01, a V3 COMBO, STRING, image', () => {
    const specs = slotSpecs(graph, slots, info);
    const byName = Object.fromEntries(specs.map((s) => [s.name, s]));
    expect(byName.color).toMatchObject({ kind: 'int', min: 0, max: 16777215, step: 1, value: 255, checked: true, known: false });
    expect(byName.width).toMatchObject({ kind: 'int', min: 1, max: 16384, step: 1, known: true });
    expect(byName.sigma).toMatchObject({ kind: 'float', min: 0.1, max: 10, step: 0.1 });
    expect(byName.method).toMatchObject({ kind: 'combo', options: ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] });
    expect(byName.megapixels).toMatchObject({ kind: 'float', min: 0.01, max: 16, step: 0.01, value: 0.25 });
    expect(byName.prefix_note).toMatchObject({ kind: 'text', label: 'Prefix note' });
    expect(byName.overlay).toMatchObject({ kind: 'image' });
    // Without a backend: guessed from the values.
    expect(slotSpecs(graph, slots).find((s) => s.name === 'sigma')).toMatchObject({ kind: 'float', checked: false });
  });

  it('checks slot values, naming the slot', () => {
    const specs = slotSpecs(graph, slots, info);
    expect(slotValueProblems(specs, { color: 99999999, method: 'nope', width: 2.5, overlay: '../x', nope: 1 }, 'Blur')).toEqual([
      { slot: 'color', message: 'Slot "color" (EmptyImage #1 color): 99999999 is above the maximum 16777215' },
      { slot: 'method', message: expect.stringContaining('"nope" is not one of its choices') },
      { slot: 'width', message: 'Slot "width" (EmptyImage #1 width): expects a whole number, got 2.5' },
      { slot: 'overlay', message: expect.stringContaining('expects an upload or gallery asset id') },
      { slot: 'nope', message: expect.stringContaining('"Blur" has no slot "nope" (its slots: color, width, sigma, method, megapixels, prefix_note, overlay)') },
    ]);
    expect(slotValueProblems(specs, { color: 0, sigma: 10, method: 'lanczos' }, 'Blur')).toEqual([]);
  });

  it('refuses the built-in features on a custom workflow', () => {
    const t = templateFromWorkflow({ id: 'wf-x', name: 'Blur', graph, slots });
    expect(() => prepareWorkflow({ provider: 'comfyui', kind: 'image', mask: 'm', inputImage: 'i' } as ComfyJobRequest, { seed: 1, template: t })).toThrow(/cannot be added to a custom workflow/);
  });

  it('flags a graph with no output node', () => {
    const noOutput = { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } } };
    expect(validateWorkflowAgainstObjectInfo(noOutput, info)).toEqual([expect.objectContaining({ nodeId: '', message: expect.stringContaining('no output node') })]);
  });
});
