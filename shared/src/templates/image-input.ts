import type { Outpaint } from '../requests/comfy-features.js';
import { anchorsOf, copyGraph, samplerLink, samplerNode, withGraph, type Link } from './graph-edit.js';
import { placeholder as P, type TemplateGraph, type WorkflowTemplate } from './types.js';

/*
 * Starting from a picture instead of an empty latent (issue 14): the input image (LoadImage "801",
 * uploaded by the worker) replaces the template's empty latent.
 *
 * - img2img: VAEEncode → the sampler's latent; `denoise` says how much of the picture is re-noised.
 * - inpaint: the mask (LoadImageMask "804", its red channel: white = repaint) goes the family's way. An
 *   inpaint checkpoint of SD1.5 / SDXL takes VAEEncodeForInpaint (the masked part greyed out, the mask
 *   grown by 6 px: ComfyUI's inpaint example); every other model InpaintModelConditioning, which keeps
 *   the picture under the mask as the start (so denoise < 1 works), carries image and mask in the
 *   conditioning for inpaint models (FLUX Fill), and sets the noise mask.
 * - outpaint: ImagePadForOutpaint "803" pads the picture; its mask (the new border) is inpainted.
 *
 * With `resize`, ImageScale "802" first brings the picture to the request's width × height (0 for one
 * side keeps the aspect ratio; both set crop the centre), and the mask goes the same way (LoadImage "808"
 * → ImageScale "809" → ImageToMask "804"). Without it the output has the picture's size (VAEEncode
 * crops it to a multiple of 8).
 */

export type ImageInputMode = 'img2img' | 'inpaint' | 'outpaint';

export interface ImageInputOptions {
  mode: ImageInputMode;
  resize: boolean;
  /** The checkpoint is an inpaint model (a name with "inpaint"): SD1.5 / SDXL use VAEEncodeForInpaint. */
  inpaintModel?: boolean;
  outpaint?: Outpaint;
}

export const IMAGE_INPUT_NODES = {
  load: '801',
  scale: '802',
  pad: '803',
  mask: '804',
  encode: '805',
  encodeInpaint: '806',
  inpaintConditioning: '807',
  maskImage: '808',
  maskScale: '809',
} as const;

export function withImageInput(template: WorkflowTemplate, o: ImageInputOptions): WorkflowTemplate {
  const anchors = anchorsOf(template, 'an input image');
  const ids = IMAGE_INPUT_NODES;
  const graph: TemplateGraph = copyGraph(template.graph);
  delete graph[anchors.latent];
  const sampler = samplerNode(graph, anchors);
  const vae: Link = [anchors.vae[0], anchors.vae[1]];

  graph[ids.load] = { class_type: 'LoadImage', inputs: { image: P('image') }, _meta: { title: 'Input image' } };
  let pixels: Link = [ids.load, 0];
  if (o.resize) {
    graph[ids.scale] = { class_type: 'ImageScale', inputs: { image: pixels, upscale_method: 'lanczos', width: P('width'), height: P('height'), crop: 'center' } };
    pixels = [ids.scale, 0];
  }
  let mask: Link | undefined;
  if (o.mode === 'outpaint') {
    const pad = o.outpaint ?? {};
    graph[ids.pad] = {
      class_type: 'ImagePadForOutpaint',
      inputs: { image: pixels, left: pad.left ?? 0, top: pad.top ?? 0, right: pad.right ?? 0, bottom: pad.bottom ?? 0, feathering: pad.feathering ?? 40 },
    };
    pixels = [ids.pad, 0];
    mask = [ids.pad, 1];
  } else if (o.mode === 'inpaint' && o.resize) {
    // The mask is scaled and cropped exactly as the picture (ImageScale takes images, not masks), then
    // its red channel taken; a mask merely stretched to the new size would slip off a centre crop.
    graph[ids.maskImage] = { class_type: 'LoadImage', inputs: { image: P('mask') }, _meta: { title: 'Mask' } };
    graph[ids.maskScale] = {
      class_type: 'ImageScale',
      inputs: { image: [ids.maskImage, 0], upscale_method: 'bilinear', width: P('width'), height: P('height'), crop: 'center' },
    };
    graph[ids.mask] = { class_type: 'ImageToMask', inputs: { image: [ids.maskScale, 0], channel: 'red' } };
    mask = [ids.mask, 0];
  } else if (o.mode === 'inpaint') {
    graph[ids.mask] = { class_type: 'LoadImageMask', inputs: { image: P('mask'), channel: 'red' }, _meta: { title: 'Mask' } };
    mask = [ids.mask, 0];
  }

  if (!mask) {
    graph[ids.encode] = { class_type: 'VAEEncode', inputs: { pixels, vae } };
    sampler.inputs.latent_image = [ids.encode, 0];
  } else if (o.inpaintModel && (template.family === 'sd15' || template.family === 'sdxl')) {
    graph[ids.encodeInpaint] = { class_type: 'VAEEncodeForInpaint', inputs: { pixels, vae, mask, grow_mask_by: 6 } };
    sampler.inputs.latent_image = [ids.encodeInpaint, 0];
  } else {
    graph[ids.inpaintConditioning] = {
      class_type: 'InpaintModelConditioning',
      inputs: { positive: samplerLink(sampler, 'positive'), negative: samplerLink(sampler, 'negative'), vae, pixels, mask, noise_mask: true },
    };
    sampler.inputs.positive = [ids.inpaintConditioning, 0];
    sampler.inputs.negative = [ids.inpaintConditioning, 1];
    sampler.inputs.latent_image = [ids.inpaintConditioning, 2];
  }
  return withGraph(template, graph);
}

/** Whether a checkpoint's file name says it is an inpaint model (sd-v1-5-inpainting, sdxl …inpaint…). */
export function isInpaintModel(model: string | undefined): boolean {
  return model !== undefined && /inpaint/i.test(model);
}
