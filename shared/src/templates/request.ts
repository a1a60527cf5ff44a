import type { ComfyJobRequest } from '../jobs.js';
import { isKnownSlot } from '../workflows.js';
import { CONTROLNET_PREPROCESSORS } from '../requests/comfy-features.js';
import { controlImageParam, controlNetFamilyProblem, withControlNets } from './controlnet.js';
import { withHiresFix } from './hires-fix.js';
import { isInpaintModel, withImageInput, type ImageInputMode } from './image-input.js';
import { readTemplateParams, resolveTemplateFamily, templateFor } from './index.js';
import { withIpAdapter } from './ip-adapter.js';
import { TemplateChoiceError, withLoras } from './loras.js';
import { IMAGE_PARAMS, slotParam, type TemplateParam, type TemplateValues, type WorkflowTemplate } from './types.js';
import { UPSCALE_DEFAULT_FACTOR, UPSCALE_MODEL_TEMPLATE, UPSCALE_PIXEL_TEMPLATE } from './upscale.js';

/** Where `params.textEncoders` go, by position. */
const ENCODER_SLOTS = ['clipName1', 'clipName2', 'clipName3'] as const;

export interface PreparedWorkflow {
  template: WorkflowTemplate;
  values: TemplateValues;
}

export interface PrepareOptions {
  /** Seed to use when the request has none (the worker draws a random one). */
  seed: number;
  filenamePrefix?: string;
  /** Checkpoint when the request names none. */
  fallbackModel?: string;
  /** Family the model catalogue detected for the checkpoint, if known. */
  catalogueFamily?: string;
  /** A graph the backend ran: its values win (e.g. the seed really used). */
  ran?: Record<string, unknown>;
  /** A custom workflow's template (request.workflow names it): used instead of the family's. */
  template?: WorkflowTemplate;
}

/** What an image job starts from: nothing (txt2img), a picture, a picture and mask, or a picture to pad. */
export function imageMode(request: ComfyJobRequest): ImageInputMode | undefined {
  if (request.params?.outpaint) return 'outpaint';
  if (request.mask) return 'inpaint';
  return request.inputImage ? 'img2img' : undefined;
}

/** The features a custom workflow cannot take (its graph is the user's: they add the nodes themselves). */
function refuseOnCustom(request: ComfyJobRequest): void {
  const p = request.params ?? {};
  const extras = [
    p.loras?.length ? 'LoRAs' : '',
    p.controlNets?.length ? 'ControlNets' : '',
    p.hiresFix ? 'a hires fix' : '',
    p.ipAdapter ? 'an IP-Adapter' : '',
    p.outpaint ? 'outpainting' : '',
    request.mask ? 'a mask' : '',
    p.upscale ? 'upscale settings' : '',
  ].filter(Boolean);
  if (extras.length > 0) throw new TemplateChoiceError(`${extras[0]} cannot be added to a custom workflow: put the nodes in the graph and mark their inputs as slots`);
}

/** The combinations the built-in graphs cannot make, each refused with what to do instead. */
function refuseCombinations(request: ComfyJobRequest, mode: ImageInputMode | undefined): void {
  const p = request.params ?? {};
  if (p.upscale) throw new TemplateChoiceError('params.upscale belongs to an upscale job: set workflow "upscale" (or POST /api/assets/:id/upscale)');
  if (request.mask && !request.inputImage) throw new TemplateChoiceError('A mask needs the picture it belongs to: set inputImage');
  if (p.outpaint && !request.inputImage) throw new TemplateChoiceError('Outpainting pads a picture: set inputImage');
  if (p.outpaint && request.mask) throw new TemplateChoiceError('Send either a mask (inpaint) or outpaint, not both');
  if (p.hiresFix && (mode === 'inpaint' || mode === 'outpaint')) throw new TemplateChoiceError('The hires fix cannot be combined with inpainting or outpainting; upscale the result instead');
  p.controlNets?.forEach((cn, i) => {
    if (cn.preprocessor && !CONTROLNET_PREPROCESSORS.includes(cn.preprocessor)) throw new TemplateChoiceError(`ControlNet ${i + 1}: unknown preprocessor "${String(cn.preprocessor)}"`);
    if (cn.startPercent !== undefined && cn.endPercent !== undefined && cn.startPercent > cn.endPercent) {
      throw new TemplateChoiceError(`ControlNet ${i + 1}: startPercent (${cn.startPercent}) is after endPercent (${cn.endPercent})`);
    }
  });
}

/** An upscale job: the picture through an upscale model (or lanczos) by `params.upscale.factor`. */
function prepareUpscale(request: ComfyJobRequest, o: PrepareOptions): PreparedWorkflow {
  const p = request.params ?? {};
  if (request.mask || p.controlNets?.length || p.hiresFix || p.ipAdapter || p.outpaint || p.loras?.length) {
    throw new TemplateChoiceError('An upscale job takes only the image and params.upscale {model, factor}');
  }
  if (request.model !== undefined) throw new TemplateChoiceError('An upscale job names its model in params.upscale.model (a file of upscale_models), not in model');
  const up = p.upscale ?? {};
  const template = up.model ? UPSCALE_MODEL_TEMPLATE : UPSCALE_PIXEL_TEMPLATE;
  const values: TemplateValues = { ...template.defaults };
  if (o.filenamePrefix !== undefined) values.filenamePrefix = o.filenamePrefix;
  if (up.model) values.model = up.model;
  else values.scale = up.factor ?? UPSCALE_DEFAULT_FACTOR;
  return { template, values: o.ran ? { ...values, ...readTemplateParams(template, o.ran) } : values };
}

/** A ComfyUI request as a template and the values bound into it (family defaults under the request's). */
export function prepareWorkflow(request: ComfyJobRequest, o: PrepareOptions): PreparedWorkflow {
  if (request.workflow === 'upscale') return prepareUpscale(request, o);
  // A custom workflow keeps the model its graph names unless the request picks another.
  const model = request.model ?? (o.template ? undefined : (o.fallbackModel ?? 'sd_xl_base_1.0.safetensors'));
  const family = o.template?.family ?? resolveTemplateFamily({ family: request.family, catalogueFamily: o.catalogueFamily, model, kind: request.kind });
  if (!o.template && request.modelFolder === 'diffusion_models' && family !== 'flux') {
    throw new TemplateChoiceError(`"${model}" is a bare diffusion model; only FLUX ones can be run from the diffusion_models folder (use a full checkpoint)`);
  }
  const p = request.params ?? {};
  // Three text encoders mean an SD3.5 checkpoint without its own (TripleCLIPLoader); a FLUX file in
  // checkpoints is all-in-one. LoRAs chain onto whichever loader the template has.
  const base = o.template ?? templateFor(family === 'any' ? 'sdxl' : family, { separateTextEncoders: p.textEncoders?.length === 3, checkpoint: request.modelFolder === 'checkpoints' });
  // SVD's own template loads the input image; for an image template it makes img2img / inpaint / outpaint.
  const mode = base.bindings.image ? undefined : imageMode(request);
  let template = base;
  if (o.template) refuseOnCustom(request);
  else {
    refuseCombinations(request, mode);
    p.controlNets?.forEach((cn, i) => {
      const problem = controlNetFamilyProblem(cn.model, family, i);
      if (problem) throw new TemplateChoiceError(problem);
    });
    template = withLoras(template, p.loras);
    template = withIpAdapter(template, p.ipAdapter);
    template = withControlNets(template, p.controlNets);
    if (mode) template = withImageInput(template, { mode, resize: p.width !== undefined || p.height !== undefined, inpaintModel: isInpaintModel(model), ...(p.outpaint ? { outpaint: p.outpaint } : {}) });
    template = withHiresFix(template, p.hiresFix);
  }
  const values: TemplateValues = { ...template.defaults, seed: p.seed ?? o.seed };
  const set = (k: TemplateParam, x: string | number | boolean | undefined) => {
    if (x !== undefined) values[k] = x;
  };
  set('model', model);
  set('prompt', request.prompt);
  set('filenamePrefix', o.filenamePrefix);
  set('negativePrompt', request.negativePrompt);
  set('steps', p.steps);
  set('cfg', p.cfg);
  set('sampler', p.sampler);
  set('scheduler', p.scheduler);
  set('batchSize', p.batchSize);
  set('denoise', p.denoise ?? (mode ? defaultDenoise(mode, isInpaintModel(model)) : undefined));
  set('shift', p.shift);
  set('guidance', p.guidance);
  set('minCfg', p.minCfg);
  // Loader order is the template's: FLUX [t5xxl, clip_l], SD3.5 separate [clip_l, clip_g, t5xxl]; unbound slots are unused.
  p.textEncoders?.forEach((file, i) => set(ENCODER_SLOTS[i]!, file));
  set('vae', p.vae);
  if (family === 'svd') {
    set('width', p.videoWidth ?? p.width);
    set('height', p.videoHeight ?? p.height);
    set('frames', p.frames);
    set('fps', p.fps);
    set('motionBucketId', p.motionBucketId);
    set('augmentationLevel', p.augmentationLevel);
    values.outputFps = values.fps ?? 6;
  } else if (mode) {
    // ImageScale: 0 keeps the picture's aspect ratio on that side.
    values.width = p.width ?? 0;
    values.height = p.height ?? 0;
  } else {
    set('width', p.width);
    set('height', p.height);
  }
  // A custom workflow's slots by name: its own ones, and the well-known ones given that way.
  if (o.template) for (const [name, v] of Object.entries(request.slots ?? {})) values[isKnownSlot(name) ? name : slotParam(name)] = v;
  return { template, values: o.ran ? { ...values, ...readTemplateParams(template, o.ran) } : values };
}

/**
 * img2img keeps most of the picture (0.75, as A1111); an inpaint checkpoint's VAEEncodeForInpaint greys
 * the masked part out and outpainting's border is empty, so those redraw it fully (1).
 */
export function defaultDenoise(mode: ImageInputMode, inpaintModel: boolean): number {
  if (mode === 'outpaint') return 1;
  if (mode === 'inpaint' && inpaintModel) return 1;
  return 0.75;
}

/** One image a job's graph loads: the template param it fills, the id it comes from, and the request field that names it. */
export interface ImageSource {
  param: TemplateParam;
  id: string | undefined;
  field: string;
}

/** The images the worker must upload before the graph can run, in graph order, with where each comes from. */
export function imageSources(request: ComfyJobRequest, template: WorkflowTemplate): ImageSource[] {
  const p = request.params ?? {};
  const slotId = (name: string) => (typeof request.slots?.[name] === 'string' ? (request.slots[name] as string) : undefined);
  const out: ImageSource[] = [];
  for (const param of IMAGE_PARAMS) {
    if (!template.bindings[param]) continue;
    if (param === 'image') out.push({ param, id: slotId('image') ?? request.inputImage, field: 'inputImage' });
    else if (param === 'mask') out.push({ param, id: request.mask, field: 'mask' });
    else if (param === 'ipAdapterImage') out.push({ param, id: p.ipAdapter?.image, field: 'params.ipAdapter.image' });
    else {
      const i = Number(param.slice('controlImage'.length)) - 1;
      if (param === controlImageParam(i)) out.push({ param, id: p.controlNets?.[i]?.image, field: `params.controlNets[${i}].image` });
    }
  }
  for (const name of template.imageSlots ?? []) out.push({ param: slotParam(name), id: slotId(name), field: `slots.${name}` });
  return out;
}
