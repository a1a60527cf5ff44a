import { CHECKPOINT_ANCHORS, SD15_TEMPLATE, checkpointTxt2ImgGraph } from './sd15.js';
import { CFG_FIELD, IMAGE_FORM_BASE, defineTemplate, sizeFields } from './types.js';

/** SDXL base: the SD1.5 graph and defaults with an SDXL checkpoint and a 1024² latent (protocol §3.3). */
export const SDXL_TEMPLATE = defineTemplate({
  id: 'sdxl-txt2img',
  family: 'sdxl',
  kind: 'image',
  title: 'Stable Diffusion XL',
  graph: checkpointTxt2ImgGraph(),
  defaults: { ...SD15_TEMPLATE.defaults, width: 1024, height: 1024 },
  form: [...IMAGE_FORM_BASE, CFG_FIELD, ...sizeFields(8)],
  outputNode: '9',
  loraSource: { model: ['4', 0], clip: ['4', 1] },
  anchors: CHECKPOINT_ANCHORS,
});
