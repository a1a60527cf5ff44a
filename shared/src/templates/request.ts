import type { ComfyJobRequest } from '../jobs.js';
import { readTemplateParams, resolveTemplateFamily, templateFor } from './index.js';
import { TemplateChoiceError, withLoras } from './loras.js';
import type { TemplateValues, WorkflowTemplate } from './types.js';

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

/** A ComfyUI request as a template and the values bound into it (family defaults under the request's). */
export function prepareWorkflow(request: ComfyJobRequest, o: PrepareOptions): PreparedWorkflow {
  // A custom workflow keeps the model its graph names unless the request picks another.
  const model = request.model ?? (o.template ? undefined : (o.fallbackModel ?? 'sd_xl_base_1.0.safetensors'));
  const family = o.template?.family ?? resolveTemplateFamily({ family: request.family, catalogueFamily: o.catalogueFamily, model, kind: request.kind });
  if (!o.template && request.modelFolder === 'diffusion_models' && family !== 'flux') {
    throw new TemplateChoiceError(`"${model}" is a bare diffusion model; only FLUX ones can be run from the diffusion_models folder (use a full checkpoint)`);
  }
  const p = request.params ?? {};
  // Three text encoders mean an SD3.5 checkpoint without its own (TripleCLIPLoader); a FLUX file in
  // checkpoints is all-in-one. LoRAs chain onto whichever loader the template has.
  const base = o.template ?? templateFor(family, { separateTextEncoders: p.textEncoders?.length === 3, checkpoint: request.modelFolder === 'checkpoints' });
  const template = withLoras(base, o.template ? undefined : p.loras);
  if (o.template && p.loras?.length) throw new TemplateChoiceError('LoRAs cannot be added to a custom workflow: add LoraLoader nodes to the graph instead');
  const values: TemplateValues = { ...template.defaults, seed: p.seed ?? o.seed };
  const set = (k: keyof TemplateValues, x: string | number | boolean | undefined) => {
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
  set('denoise', p.denoise);
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
  } else {
    set('width', p.width);
    set('height', p.height);
  }
  return { template, values: o.ran ? { ...values, ...readTemplateParams(template, o.ran) } : values };
}
