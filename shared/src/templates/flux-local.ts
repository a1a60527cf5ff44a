import { IMAGE_FORM_BASE, placeholder as P, defineTemplate, kSampler, sizeFields, type FormParam, type TemplateGraph, type TemplateValues } from './types.js';

/*
 * FLUX.1 run locally, the ComfyUI_examples layouts. A bare diffusion model (UNETLoader, the
 * `diffusion_models` folder) takes its two text encoders (DualCLIPLoader, type "flux", loader order
 * [t5xxl, clip_l]) and the FLUX VAE (VAELoader) apart; an all-in-one checkpoint (e.g.
 * flux1-dev-fp8.safetensors in `checkpoints`) carries all three. Either way guidance goes through
 * FluxGuidance on the positive conditioning instead of cfg (KSampler's cfg stays 1).
 */
function fluxGraph(loader: 'diffusion_model' | 'checkpoint'): TemplateGraph {
  const parts: { model: [string, number]; clip: [string, number]; vae: [string, number] } =
    loader === 'checkpoint' ? { model: ['4', 0], clip: ['4', 1], vae: ['4', 2] } : { model: ['12', 0], clip: ['11', 0], vae: ['10', 0] };
  const loaders: TemplateGraph =
    loader === 'checkpoint'
      ? { '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: P('model') } } }
      : {
          '12': { class_type: 'UNETLoader', inputs: { unet_name: P('model'), weight_dtype: P('weightDtype') } },
          '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: P('clipName1'), clip_name2: P('clipName2'), type: 'flux' } },
          '10': { class_type: 'VAELoader', inputs: { vae_name: P('vae') } },
        };
  return {
    ...loaders,
    '6': { class_type: 'CLIPTextEncode', inputs: { text: P('prompt'), clip: parts.clip } },
    '33': { class_type: 'CLIPTextEncode', inputs: { text: P('negativePrompt'), clip: parts.clip } },
    '26': { class_type: 'FluxGuidance', inputs: { conditioning: ['6', 0], guidance: P('guidance') } },
    '27': { class_type: 'EmptySD3LatentImage', inputs: { width: P('width'), height: P('height'), batch_size: P('batchSize') } },
    '3': kSampler({ model: parts.model, positive: ['26', 0], negative: ['33', 0], latent: ['27', 0] }, 1),
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: parts.vae } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['8', 0] } },
  };
}

const FLUX_DEFAULTS: TemplateValues = {
  negativePrompt: '',
  width: 1024,
  height: 1024,
  steps: 20,
  guidance: 3.5,
  sampler: 'euler',
  scheduler: 'simple',
  batchSize: 1,
  denoise: 1,
  filenamePrefix: 'ComfyUI',
};

const FLUX_FORM: readonly FormParam[] = [
  ...IMAGE_FORM_BASE.filter((f) => f.name !== 'negativePrompt'),
  { name: 'guidance', label: 'Guidance', type: 'float', min: 0, max: 100, step: 0.1 },
  ...sizeFields(16),
];

/** FLUX from a bare diffusion model: the family's template. */
export const FLUX_LOCAL_TEMPLATE = defineTemplate({
  id: 'flux-txt2img',
  family: 'flux',
  kind: 'image',
  title: 'FLUX.1 (local)',
  graph: fluxGraph('diffusion_model'),
  defaults: { ...FLUX_DEFAULTS, weightDtype: 'default', clipName1: 't5xxl_fp16.safetensors', clipName2: 'clip_l.safetensors', vae: 'ae.safetensors' },
  form: FLUX_FORM,
  outputNode: '9',
  loraSource: { model: ['12', 0], clip: ['11', 0] },
  anchors: { sampler: '3', latent: '27', vae: ['10', 0], decode: '8' },
});

/** FLUX from an all-in-one checkpoint (model, text encoders and VAE in one file). */
export const FLUX_CHECKPOINT_TEMPLATE = defineTemplate({
  id: 'flux-txt2img-checkpoint',
  family: 'flux',
  kind: 'image',
  title: 'FLUX.1 (local, all-in-one checkpoint)',
  graph: fluxGraph('checkpoint'),
  defaults: FLUX_DEFAULTS,
  form: FLUX_FORM,
  outputNode: '9',
  loraSource: { model: ['4', 0], clip: ['4', 1] },
  anchors: { sampler: '3', latent: '27', vae: ['4', 2], decode: '8' },
});
