import { CFG_FIELD, IMAGE_FORM_BASE, placeholder as P, defineTemplate, sizeFields } from './types.js';

/**
 * SD3.5 with an all-in-one checkpoint (text encoders included), the 16-channel SD3 latent and
 * ModelSamplingSD3's shift between loader and sampler (protocol §3.4).
 */
export const SD3_TEMPLATE = defineTemplate({
  id: 'sd3-txt2img',
  family: 'sd3',
  kind: 'image',
  title: 'Stable Diffusion 3.5',
  graph: {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: P('model') } },
    '13': { class_type: 'ModelSamplingSD3', inputs: { model: ['4', 0], shift: P('shift') } },
    '16': { class_type: 'CLIPTextEncode', inputs: { text: P('prompt'), clip: ['4', 1] } },
    '40': { class_type: 'CLIPTextEncode', inputs: { text: P('negativePrompt'), clip: ['4', 1] } },
    '53': { class_type: 'EmptySD3LatentImage', inputs: { width: P('width'), height: P('height'), batch_size: P('batchSize') } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: P('seed'),
        steps: P('steps'),
        cfg: P('cfg'),
        sampler_name: P('sampler'),
        scheduler: P('scheduler'),
        denoise: P('denoise'),
        model: ['13', 0],
        positive: ['16', 0],
        negative: ['40', 0],
        latent_image: ['53', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['8', 0] } },
  },
  defaults: {
    negativePrompt: '',
    width: 1024,
    height: 1024,
    steps: 20,
    cfg: 4.5,
    shift: 3,
    sampler: 'euler',
    scheduler: 'sgm_uniform',
    batchSize: 1,
    denoise: 1,
    filenamePrefix: 'ComfyUI',
  },
  form: [
    ...IMAGE_FORM_BASE,
    CFG_FIELD,
    { name: 'shift', label: 'Shift', type: 'float', min: 0, max: 100, step: 0.01 },
    ...sizeFields(16),
  ],
  outputNode: '9',
});
