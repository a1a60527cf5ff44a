import { CFG_FIELD, IMAGE_FORM_BASE, placeholder as P, defineTemplate, kSampler, sizeFields, type TemplateAnchors, type TemplateGraph } from './types.js';

/** The canonical txt2img graph for an all-in-one checkpoint (protocol §3.3); SD1.5 and SDXL share it. */
export function checkpointTxt2ImgGraph(): TemplateGraph {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: P('model') } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: P('width'), height: P('height'), batch_size: P('batchSize') } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: P('prompt'), clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: P('negativePrompt'), clip: ['4', 1] } },
    '3': kSampler({ model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent: ['5', 0] }),
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['8', 0] } },
  };
}

/** Where img2img, inpainting, ControlNets and the hires fix attach to that graph. */
export const CHECKPOINT_ANCHORS: TemplateAnchors = { sampler: '3', latent: '5', vae: ['4', 2], decode: '8' };

export const SD15_TEMPLATE = defineTemplate({
  id: 'sd15-txt2img',
  family: 'sd15',
  kind: 'image',
  title: 'Stable Diffusion 1.5',
  graph: checkpointTxt2ImgGraph(),
  defaults: {
    negativePrompt: '',
    width: 512,
    height: 512,
    steps: 20,
    cfg: 7,
    sampler: 'euler',
    scheduler: 'normal',
    batchSize: 1,
    denoise: 1,
    filenamePrefix: 'ComfyUI',
  },
  form: [...IMAGE_FORM_BASE, CFG_FIELD, ...sizeFields(8)],
  outputNode: '9',
  loraSource: { model: ['4', 0], clip: ['4', 1] },
  anchors: CHECKPOINT_ANCHORS,
});
