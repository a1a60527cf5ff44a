import { placeholder as P, defineTemplate, type WorkflowTemplate } from './types.js';

/*
 * Upscaling a gallery image (issue 14, POST /api/assets/:id/upscale): the image (LoadImage "1", uploaded
 * by the worker) enlarged by a model from `upscale_models` (UpscaleModelLoader + ImageUpscaleWithModel,
 * comfy_extras.nodes_upscale_model), then brought to exactly `factor` × its size by ImageScale (the worker
 * sets width/height from the picture; 0 × 0 keeps the model's own scale); without a model, a plain
 * lanczos ImageScaleBy. No checkpoint is loaded.
 */

export const UPSCALE_DEFAULT_FACTOR = 2;

const base = { kind: 'image' as const, family: 'any' as const, outputNode: '9', form: [] };

export const UPSCALE_MODEL_TEMPLATE: WorkflowTemplate = defineTemplate({
  ...base,
  id: 'upscale-model',
  title: 'Upscale (model)',
  graph: {
    '1': { class_type: 'LoadImage', inputs: { image: P('image') }, _meta: { title: 'Image to upscale' } },
    '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: P('model') } },
    '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
    '4': { class_type: 'ImageScale', inputs: { image: ['3', 0], upscale_method: 'lanczos', width: P('width'), height: P('height'), crop: 'disabled' } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['4', 0] } },
  },
  defaults: { width: 0, height: 0, filenamePrefix: 'ComfyUI' },
});

export const UPSCALE_PIXEL_TEMPLATE: WorkflowTemplate = defineTemplate({
  ...base,
  id: 'upscale-lanczos',
  title: 'Upscale (lanczos)',
  graph: {
    '1': { class_type: 'LoadImage', inputs: { image: P('image') }, _meta: { title: 'Image to upscale' } },
    '4': { class_type: 'ImageScaleBy', inputs: { image: ['1', 0], upscale_method: 'lanczos', scale_by: P('scale') } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: P('filenamePrefix'), images: ['4', 0] } },
  },
  defaults: { scale: UPSCALE_DEFAULT_FACTOR, filenamePrefix: 'ComfyUI' },
});

/** The upscaled size: `factor` × the picture, rounded, each side within ComfyUI's 16384. */
export function upscaledSize(width: number, height: number, factor: number): { width: number; height: number } {
  return { width: Math.round(width * factor), height: Math.round(height * factor) };
}

/** ComfyUI's MAX_RESOLUTION: ImageScale takes no side above it. */
export const MAX_RESOLUTION = 16384;
