import { CFG_FIELD, IMAGE_FORM_BASE, placeholder as P, defineTemplate, kSampler, sizeFields, type FormParam, type TemplateAnchors, type TemplateGraph, type TemplateValues } from './types.js';

/**
 * SD3.5 (protocol §3.4): the 16-channel SD3 latent and ModelSamplingSD3's shift between loader and
 * sampler. CLIP comes from the checkpoint itself (all-in-one files such as sd3.5_large_fp8_scaled), or,
 * for a checkpoint without text encoders (sd3.5_large / medium), from TripleCLIPLoader "43" fed
 * [clip_l, clip_g, t5xxl] and wired into both prompts; model and VAE still come from the checkpoint.
 */
function sd3Graph(encoders: 'checkpoint' | 'separate'): TemplateGraph {
  const clip: [string, number] = encoders === 'checkpoint' ? ['4', 1] : ['43', 0];
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: P('model') } },
    ...(encoders === 'separate'
      ? { '43': { class_type: 'TripleCLIPLoader', inputs: { clip_name1: P('clipName1'), clip_name2: P('clipName2'), clip_name3: P('clipName3') } } }
      : {}),
    '13': { class_type: 'ModelSamplingSD3', inputs: { model: ['4', 0], shift: P('shift') } },
    '16': { class_type: 'CLIPTextEncode', inputs: { text: P('prompt'), clip } },
    '40': { class_type: 'CLIPTextEncode', inputs: { text: P('negativePrompt'), clip } },
    '53': { class_type: 'EmptySD3LatentImage', inputs: { width: P('width'), height: P('height'), batch_size: P('batchSize') } },
    '3': kSampler({ model: ['13', 0], positive: ['16', 0], negative: ['40', 0], latent: ['53', 0] }),
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['8', 0] } },
  };
}

const SD3_ANCHORS: TemplateAnchors = { sampler: '3', latent: '53', vae: ['4', 2], decode: '8' };

const SD3_DEFAULTS: TemplateValues = {
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
};

const SD3_FORM: readonly FormParam[] = [
  ...IMAGE_FORM_BASE,
  CFG_FIELD,
  { name: 'shift', label: 'Shift', type: 'float', min: 0, max: 100, step: 0.01 },
  ...sizeFields(16),
];

/** SD3.5 with an all-in-one checkpoint (text encoders included): the family's template. */
export const SD3_TEMPLATE = defineTemplate({
  id: 'sd3-txt2img',
  family: 'sd3',
  kind: 'image',
  title: 'Stable Diffusion 3.5',
  graph: sd3Graph('checkpoint'),
  defaults: SD3_DEFAULTS,
  form: SD3_FORM,
  outputNode: '9',
  loraSource: { model: ['4', 0], clip: ['4', 1] },
  anchors: SD3_ANCHORS,
});

/** SD3.5 from a checkpoint without text encoders: `params.textEncoders` = [clip_l, clip_g, t5xxl]. */
export const SD3_SEPARATE_ENCODERS_TEMPLATE = defineTemplate({
  id: 'sd3-txt2img-separate-encoders',
  family: 'sd3',
  kind: 'image',
  title: 'Stable Diffusion 3.5 (separate text encoders)',
  graph: sd3Graph('separate'),
  defaults: { ...SD3_DEFAULTS, clipName1: 'clip_l.safetensors', clipName2: 'clip_g.safetensors', clipName3: 't5xxl_fp16.safetensors' },
  form: SD3_FORM,
  outputNode: '9',
  loraSource: { model: ['4', 0], clip: ['43', 0] },
  anchors: SD3_ANCHORS,
});
