import { IMAGE_FORM_BASE, placeholder as P, defineTemplate, sizeFields } from './types.js';

/*
 * FLUX.1 run locally: a bare diffusion model (UNETLoader, `diffusion_models` folder), its two text
 * encoders (DualCLIPLoader, type "flux", loader order [t5xxl, clip_l]), the FLUX VAE (VAELoader), and
 * guidance through FluxGuidance on the positive conditioning instead of cfg (KSampler's cfg stays 1).
 * The ComfyUI_examples layout.
 */
export const FLUX_LOCAL_TEMPLATE = defineTemplate({
  id: 'flux-txt2img',
  family: 'flux',
  kind: 'image',
  title: 'FLUX.1 (local)',
  graph: {
    '12': { class_type: 'UNETLoader', inputs: { unet_name: P('model'), weight_dtype: P('weightDtype') } },
    '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: P('clipName1'), clip_name2: P('clipName2'), type: 'flux' } },
    '10': { class_type: 'VAELoader', inputs: { vae_name: P('vae') } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: P('prompt'), clip: ['11', 0] } },
    '33': { class_type: 'CLIPTextEncode', inputs: { text: P('negativePrompt'), clip: ['11', 0] } },
    '26': { class_type: 'FluxGuidance', inputs: { conditioning: ['6', 0], guidance: P('guidance') } },
    '27': { class_type: 'EmptySD3LatentImage', inputs: { width: P('width'), height: P('height'), batch_size: P('batchSize') } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: P('seed'),
        steps: P('steps'),
        cfg: 1,
        sampler_name: P('sampler'),
        scheduler: P('scheduler'),
        denoise: P('denoise'),
        model: ['12', 0],
        positive: ['26', 0],
        negative: ['33', 0],
        latent_image: ['27', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['10', 0] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['8', 0] } },
  },
  defaults: {
    negativePrompt: '',
    width: 1024,
    height: 1024,
    steps: 20,
    guidance: 3.5,
    sampler: 'euler',
    scheduler: 'simple',
    batchSize: 1,
    denoise: 1,
    weightDtype: 'default',
    clipName1: 't5xxl_fp16.safetensors',
    clipName2: 'clip_l.safetensors',
    vae: 'ae.safetensors',
    filenamePrefix: 'ComfyUI',
  },
  form: [
    ...IMAGE_FORM_BASE.filter((f) => f.name !== 'negativePrompt'),
    { name: 'guidance', label: 'Guidance', type: 'float', min: 0, max: 100, step: 0.1 },
    ...sizeFields(16),
  ],
  outputNode: '9',
});
