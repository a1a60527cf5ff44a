// Simulated node execution. Values flowing between nodes are small descriptors (no tensors);
// output nodes write real files (PNG with tEXt metadata, WebP with EXIF) whose pixels are a
// cheap deterministic pattern derived from the seed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileStore } from './files.js';
import { probeImage } from './imageprobe.js';
import { encodePng, type RowFn, writePng } from './png.js';
import { isPlainObject, PyError, pyJson, pyStr, pyTypeName } from './py.js';
import { buildExif, writeWebp } from './webp.js';

export interface RunContext {
  nodeId: string;
  inputs: Record<string, unknown>; // literals and linked values
  prompt: unknown; // hidden PROMPT (the coerced API graph)
  extraPnginfo: unknown; // hidden EXTRA_PNGINFO
  files: FileStore;
  stepMs: number;
  sleep(ms: number): Promise<void>;
  /**
   * Read model file(s) onto the simulated GPU: takes loadMs and is counted in stats. Only called by loaders
   * that really execute; a loader whose output the node cache serves never runs.
   */
  loadModel(name: string): Promise<void>;
  /** comfy.utils.ProgressBar hook: interrupt check, progress/progress_state/preview frames. */
  progress(value: number, max: number, preview?: () => Buffer): Promise<void>;
}
export interface RunResult {
  out: unknown[];
  ui?: Record<string, unknown>;
}
export type Runner = (c: RunContext) => Promise<RunResult>;

export interface SimValue {
  kind: string;
  [k: string]: unknown;
}
export interface SimImage extends SimValue {
  kind: 'IMAGE';
  w: number;
  h: number;
  batch: number;
  seed: number;
  color?: number;
}
export interface SimLatent extends SimValue {
  kind: 'LATENT';
  w: number; // pixel size (multiple of 8)
  h: number;
  batch: number;
  seed: number;
  channels: number;
  /** Seed of the noise mask (inpainting): sampling changes only the masked part. */
  mask?: number;
}

export function hash32(...parts: unknown[]): number {
  return createHash('md5').update(parts.map((p) => pyStr(p)).join('\u0000')).digest().readUInt32BE(0);
}

const ADDR = (k: string): string => `0x7f${(hash32(k) >>> 0).toString(16).padStart(10, '0')}`;
const REPRS: Record<string, (v: SimValue) => string> = {
  MODEL: (v) => `<comfy.model_patcher.ModelPatcher object at ${ADDR(pyStr(v.name))}>`,
  CLIP: (v) => `<comfy.sd.CLIP object at ${ADDR('clip' + pyStr(v.name))}>`,
  VAE: (v) => `<comfy.sd.VAE object at ${ADDR('vae' + pyStr(v.name))}>`,
  CLIP_VISION: () => `<comfy.clip_vision.ClipVisionModel object at ${ADDR('cv')}>`,
  CONDITIONING: () => "[[tensor([[[-0.3885,  0.0230, -0.0521,  ..., -0.4901, -0.3066,  0.0674]]]), {'pooled_output': tensor([[ 0.0335,  0.1429, -0.0524,  ..., -0.0136, -0.1041,  0.0173]])}]]",
  LATENT: () => "{'samples': tensor([[[[0., 0., 0.,  ..., 0., 0., 0.]]]])}",
  IMAGE: () => 'tensor([[[[0.5020, 0.2510, 0.1255],\n          ...]]])',
  MASK: () => 'tensor([[[0., 0., 0.,  ..., 0., 0., 0.]]])',
};

/** format_value() of execution.py for current_inputs in execution_error. */
export function formatValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (isPlainObject(v) && typeof v.kind === 'string' && REPRS[v.kind]) return REPRS[v.kind]!(v as SimValue);
  return pyStr(v);
}

function need<T extends SimValue>(c: RunContext, name: string, kind: string): T {
  const v = c.inputs[name];
  if (isPlainObject(v) && v.kind === kind) return v as T;
  if (v === undefined) throw new PyError('TypeError', `missing required positional argument: '${name}'`);
  throw new PyError('AttributeError', `'${pyTypeName(v)}' object has no attribute '${kind === 'IMAGE' ? 'shape' : 'model'}'`);
}

/** Deterministic RGB pattern for frame `b` of an image. */
export function imageRowFn(img: SimImage, b: number): RowFn {
  const { w, h } = img;
  if (img.color !== undefined) {
    const c = img.color;
    const [r, g, bl] = [(c >> 16) & 255, (c >> 8) & 255, c & 255];
    return (_y, row) => {
      for (let x = 0; x < w; x++) {
        row[x * 3] = r;
        row[x * 3 + 1] = g;
        row[x * 3 + 2] = bl;
      }
    };
  }
  const s = hash32(img.seed, b);
  const [r0, g0, b0, k] = [s & 255, (s >>> 8) & 255, (s >>> 16) & 255, ((s >>> 24) & 3) + 2];
  return (y, row) => {
    const gy = (g0 + Math.floor((y * 255) / Math.max(1, h - 1))) & 255;
    for (let x = 0; x < w; x++) {
      row[x * 3] = (r0 + Math.floor((x * 255) / Math.max(1, w - 1))) & 255;
      row[x * 3 + 1] = gy;
      row[x * 3 + 2] = (b0 + (((x >> k) ^ (y >> k)) & 1) * 96) & 255;
    }
  };
}

/** Small PNG standing in for a latent preview (latent resolution, at most 64 px a side). */
export function previewPng(latent: SimLatent, seed: number, step: number): Buffer {
  const lw = Math.max(1, latent.w / 8);
  const lh = Math.max(1, latent.h / 8);
  const scale = Math.min(1, 64 / Math.max(lw, lh));
  const w = Math.max(1, Math.round(lw * scale));
  const h = Math.max(1, Math.round(lh * scale));
  const img: SimImage = { kind: 'IMAGE', w, h, batch: 1, seed: hash32(seed, step) };
  return encodePng(w, h, imageRowFn(img, 0));
}

function metadataTexts(c: RunContext): Array<[string, string]> {
  const texts: Array<[string, string]> = [];
  if (c.prompt !== null && c.prompt !== undefined) texts.push(['prompt', pyJson(c.prompt)]);
  if (isPlainObject(c.extraPnginfo)) for (const [k, v] of Object.entries(c.extraPnginfo)) texts.push([k, pyJson(v)]);
  return texts;
}

const pad5 = (n: number): string => String(n).padStart(5, '0');

async function saveImages(c: RunContext, prefix: string, type: 'output' | 'temp', level: number): Promise<RunResult> {
  const images = need<SimImage>(c, 'images', 'IMAGE');
  const sp = await c.files.saveImagePath(prefix, c.files.dirByType(type)!, images.w, images.h);
  const texts = metadataTexts(c);
  const results: Array<Record<string, string>> = [];
  let counter = sp.counter;
  for (let b = 0; b < images.batch; b++) {
    const file = `${sp.filename.replaceAll('%batch_num%', String(b))}_${pad5(counter)}_.png`;
    await writePng(path.join(sp.folder, file), images.w, images.h, imageRowFn(images, b), texts, level);
    results.push({ filename: file, subfolder: sp.subfolder, type });
    counter++;
  }
  return { out: [], ui: { images: results } };
}

export const saveImage: Runner = (c) => saveImages(c, pyStr(c.inputs.filename_prefix ?? 'ComfyUI'), 'output', 4);

const TEMP_LETTERS = 'abcdefghijklmnopqrstupvxyz'; // sic, as in nodes.py
export const previewImage: Runner = (c) => {
  let suffix = '_temp_';
  for (let i = 0; i < 5; i++) suffix += TEMP_LETTERS[Math.floor(Math.random() * TEMP_LETTERS.length)];
  return saveImages(c, 'ComfyUI' + suffix, 'temp', 1);
};

export const saveAnimatedWebp: Runner = async (c) => {
  const images = need<SimImage>(c, 'images', 'IMAGE');
  const fps = Number(c.inputs.fps ?? 6);
  const sp = await c.files.saveImagePath(pyStr(c.inputs.filename_prefix ?? 'ComfyUI'), c.files.output, images.w, images.h);
  const tags: Array<[number, string]> = [];
  if (c.prompt !== null && c.prompt !== undefined) tags.push([0x0110, `prompt:${pyJson(c.prompt)}`]);
  if (isPlainObject(c.extraPnginfo)) {
    let tag = 0x010f;
    for (const [k, v] of Object.entries(c.extraPnginfo)) tags.push([tag--, `${k}:${pyJson(v)}`]);
  }
  const file = `${sp.filename}_${pad5(sp.counter)}_.webp`;
  const frames = images.batch;
  await writeWebp(path.join(sp.folder, file), images.w, images.h, frames, (f) => imageRowFn(images, f),
    Math.trunc(1000 / fps), buildExif(tags));
  return { out: [], ui: { images: [{ filename: file, subfolder: sp.subfolder, type: 'output' }], animated: [frames !== 1] } };
};

export const checkpointLoader: Runner = async (c) => {
  const name = c.inputs.ckpt_name;
  await c.loadModel(pyStr(name));
  return { out: [{ kind: 'MODEL', name }, { kind: 'CLIP', name }, { kind: 'VAE', name }] };
};

export const imageOnlyCheckpointLoader: Runner = async (c) => {
  const name = c.inputs.ckpt_name;
  await c.loadModel(pyStr(name));
  return { out: [{ kind: 'MODEL', name }, { kind: 'CLIP_VISION', name }, { kind: 'VAE', name }] };
};

export const tripleClipLoader: Runner = async (c) => {
  const name = [c.inputs.clip_name1, c.inputs.clip_name2, c.inputs.clip_name3].join('+');
  await c.loadModel(name);
  return { out: [{ kind: 'CLIP', name }] };
};

/** UNETLoader: a bare diffusion model (FLUX and the like) from diffusion_models. */
export const unetLoader: Runner = async (c) => {
  await c.loadModel(pyStr(c.inputs.unet_name));
  return { out: [{ kind: 'MODEL', name: c.inputs.unet_name, weightDtype: c.inputs.weight_dtype }] };
};

export const dualClipLoader: Runner = async (c) => {
  const name = [c.inputs.clip_name1, c.inputs.clip_name2].join('+');
  await c.loadModel(name);
  return { out: [{ kind: 'CLIP', name, type: c.inputs.type }] };
};

/** VAELoader: `pixel_space` builds a pass-through VAE in place and reads no file. */
export const vaeLoader: Runner = async (c) => {
  if (c.inputs.vae_name !== 'pixel_space') await c.loadModel(pyStr(c.inputs.vae_name));
  return { out: [{ kind: 'VAE', name: c.inputs.vae_name }] };
};

/**
 * LoraLoader: both models come out patched, so the LoRA and its strengths change what the sampler makes.
 * Not a model load (no loadMs): the patches are small and applied lazily to the already-loaded model.
 */
export const loraLoader: Runner = async (c) => {
  const model = need(c, 'model', 'MODEL');
  const clip = need(c, 'clip', 'CLIP');
  const { lora_name: lora, strength_model: sm, strength_clip: sc } = c.inputs;
  return {
    out: [
      { ...model, name: `${pyStr(model.name)}+lora:${pyStr(lora)}@${pyStr(sm)}` },
      { ...clip, name: `${pyStr(clip.name)}+lora:${pyStr(lora)}@${pyStr(sc)}` },
    ],
  };
};

/** FluxGuidance: sets the guidance of every conditioning entry (node_helpers.conditioning_set_values). */
export const fluxGuidance: Runner = async (c) => ({
  out: [{ ...need(c, 'conditioning', 'CONDITIONING'), guidance: c.inputs.guidance }],
});

export const clipTextEncode: Runner = async (c) => {
  const clip = need(c, 'clip', 'CLIP');
  return { out: [{ kind: 'CONDITIONING', text: pyStr(c.inputs.text), clip: clip.name }] };
};

export const emptyLatent =
  (channels: number): Runner =>
  async (c) => {
    const w = Math.floor(Number(c.inputs.width) / 8) * 8;
    const h = Math.floor(Number(c.inputs.height) / 8) * 8;
    const latent: SimLatent = { kind: 'LATENT', w, h, batch: Number(c.inputs.batch_size), seed: 0, channels };
    return { out: [latent] };
  };

export const emptyImage: Runner = async (c) => {
  const { width, height, batch_size, color } = c.inputs as Record<string, number>;
  const img: SimImage = { kind: 'IMAGE', w: width!, h: height!, batch: batch_size!, seed: 0, color: color! };
  return { out: [img] };
};

export const kSampler: Runner = async (c) => {
  const model = need(c, 'model', 'MODEL');
  const pos = need(c, 'positive', 'CONDITIONING');
  const neg = need(c, 'negative', 'CONDITIONING');
  const latent = need<SimLatent>(c, 'latent_image', 'LATENT');
  const i = c.inputs;
  const steps = Number(i.steps);
  // Guidance takes part only when set, so graphs without FluxGuidance keep their old patterns.
  const guided = pos.guidance === undefined ? [] : [pos.guidance];
  // ControlNet hints, inpainting's concat image and noise mask take part only when there, like guidance.
  const extras = [pos.control, pos.concat, latent.mask].filter((x) => x !== undefined).map((x) => pyStr(x));
  const seed = hash32(i.seed, steps, i.cfg, i.sampler_name, i.scheduler, i.denoise, pos.text, neg.text, latent.seed, model.name, ...guided, ...extras);
  // Steps end on a fixed schedule, as on a GPU: a busy host CPU delays the messages, not the work.
  const startedAt = Date.now();
  for (let s = 1; s <= steps; s++) {
    await c.sleep(Math.max(0, startedAt + s * c.stepMs - Date.now()));
    await c.progress(s, steps, () => previewPng(latent, seed, s));
  }
  const out: SimLatent = { ...latent, seed };
  return { out: [out] };
};

export const vaeDecode: Runner = async (c) => {
  const latent = need<SimLatent>(c, 'samples', 'LATENT');
  need(c, 'vae', 'VAE');
  const img: SimImage = { kind: 'IMAGE', w: latent.w, h: latent.h, batch: latent.batch, seed: latent.seed };
  return { out: [img] };
};

export const loadImage: Runner = async (c) => {
  const file = c.files.annotatedPath(c.inputs.image);
  let bytes: Buffer;
  try {
    if (file === undefined) throw new Error('outside');
    bytes = await readFile(file);
  } catch {
    throw new PyError('FileNotFoundError', `[Errno 2] No such file or directory: '${file ?? pyStr(c.inputs.image)}'`);
  }
  const size = probeImage(bytes);
  if (!size || size.width < 1 || size.height < 1) {
    throw new PyError('PIL.UnidentifiedImageError', `cannot identify image file '${file}'`);
  }
  const img: SimImage = { kind: 'IMAGE', w: size.width, h: size.height, batch: size.frames, seed: hash32(bytes.toString('base64')) };
  return { out: [img, { kind: 'MASK', w: size.width, h: size.height }] };
};

export const svdConditioning: Runner = async (c) => {
  need(c, 'clip_vision', 'CLIP_VISION');
  const init = need<SimImage>(c, 'init_image', 'IMAGE');
  need(c, 'vae', 'VAE');
  const w = Math.floor(Number(c.inputs.width) / 8) * 8;
  const h = Math.floor(Number(c.inputs.height) / 8) * 8;
  const latent: SimLatent = { kind: 'LATENT', w, h, batch: Number(c.inputs.video_frames), seed: init.seed, channels: 4 };
  return { out: [{ kind: 'CONDITIONING', text: 'svd+' }, { kind: 'CONDITIONING', text: 'svd-' }, latent] };
};

export const passModel: Runner = async (c) => ({ out: [need(c, 'model', 'MODEL')] });

// ── img2img, inpainting, scaling, ControlNet, IP-Adapter ──
// Descriptors again, no tensors: what a node does to sizes is what ComfyUI does (so the saved file has
// the size a real run would have), and everything that changes the picture goes into the seeds.

export interface SimMask extends SimValue {
  kind: 'MASK';
  w: number;
  h: number;
  seed: number;
}

/** comfy.sd.VAE.encode crops the pixels to a multiple of the downscale ratio (8) before encoding. */
const crop8 = (n: number): number => Math.max(8, Math.floor(n / 8) * 8);

function maskOf(c: RunContext, name = 'mask'): SimMask {
  return need<SimMask>(c, name, 'MASK');
}

export const vaeEncode: Runner = async (c) => {
  const img = need<SimImage>(c, 'pixels', 'IMAGE');
  need(c, 'vae', 'VAE');
  const latent: SimLatent = { kind: 'LATENT', w: crop8(img.w), h: crop8(img.h), batch: img.batch, seed: hash32('encode', img.seed, img.color ?? -1), channels: 4 };
  return { out: [latent] };
};

/** VAEEncodeForInpaint: the masked area is filled grey before encoding, and becomes the noise mask. */
export const vaeEncodeForInpaint: Runner = async (c) => {
  const img = need<SimImage>(c, 'pixels', 'IMAGE');
  need(c, 'vae', 'VAE');
  const mask = maskOf(c);
  const seed = hash32('inpaint-encode', img.seed, img.color ?? -1, mask.seed, c.inputs.grow_mask_by);
  const latent: SimLatent = { kind: 'LATENT', w: crop8(img.w), h: crop8(img.h), batch: img.batch, seed, channels: 4, mask: mask.seed };
  return { out: [latent] };
};

/** InpaintModelConditioning: the image and mask ride the conditioning (concat) and the latent (noise mask). */
export const inpaintModelConditioning: Runner = async (c) => {
  const pos = need(c, 'positive', 'CONDITIONING');
  const neg = need(c, 'negative', 'CONDITIONING');
  need(c, 'vae', 'VAE');
  const img = need<SimImage>(c, 'pixels', 'IMAGE');
  const mask = maskOf(c);
  const concat = hash32('concat', img.seed, mask.seed);
  const latent: SimLatent = {
    kind: 'LATENT', w: crop8(img.w), h: crop8(img.h), batch: img.batch, seed: hash32('encode', img.seed, img.color ?? -1), channels: 4,
    ...(c.inputs.noise_mask ? { mask: mask.seed } : {}),
  };
  return { out: [{ ...pos, concat }, { ...neg, concat }, latent] };
};

export const setLatentNoiseMask: Runner = async (c) => {
  const latent = need<SimLatent>(c, 'samples', 'LATENT');
  return { out: [{ ...latent, mask: maskOf(c).seed }] };
};

/** LoadImageMask: one channel of the file (alpha inverted, as nodes.py does). */
export const loadImageMask: Runner = async (c) => {
  const file = c.files.annotatedPath(c.inputs.image);
  let bytes: Buffer;
  try {
    if (file === undefined) throw new Error('outside');
    bytes = await readFile(file);
  } catch {
    throw new PyError('FileNotFoundError', `[Errno 2] No such file or directory: '${file ?? pyStr(c.inputs.image)}'`);
  }
  const size = probeImage(bytes);
  if (!size) throw new PyError('PIL.UnidentifiedImageError', `cannot identify image file '${file}'`);
  const mask: SimMask = { kind: 'MASK', w: size.width, h: size.height, seed: hash32('mask', bytes.toString('base64'), c.inputs.channel) };
  return { out: [mask] };
};

export const imageToMask: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  return { out: [{ kind: 'MASK', w: img.w, h: img.h, seed: hash32('to-mask', img.seed, c.inputs.channel) } satisfies SimMask] };
};

export const invertMask: Runner = async (c) => {
  const m = maskOf(c);
  return { out: [{ ...m, seed: hash32('invert', m.seed) }] };
};

export const imagePadForOutpaint: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const n = (k: string) => Number(c.inputs[k] ?? 0);
  const w = img.w + n('left') + n('right');
  const h = img.h + n('top') + n('bottom');
  const seed = hash32('pad', img.seed, n('left'), n('top'), n('right'), n('bottom'), n('feathering'));
  return { out: [{ ...img, w, h, seed } satisfies SimImage, { kind: 'MASK', w, h, seed } satisfies SimMask] };
};

/** nodes.ImageScale: 0 for one side keeps the aspect ratio (both 0: unchanged). */
export const imageScale: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  let w = Number(c.inputs.width);
  let h = Number(c.inputs.height);
  if (w === 0 && h === 0) return { out: [img] };
  if (w === 0) w = Math.max(1, Math.round((img.w * h) / img.h));
  if (h === 0) h = Math.max(1, Math.round((img.h * w) / img.w));
  return { out: [{ ...img, w, h, seed: hash32('scale', img.seed, w, h, c.inputs.upscale_method, c.inputs.crop) }] };
};

export const imageScaleBy: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const s = Number(c.inputs.scale_by);
  const w = Math.round(img.w * s);
  const h = Math.round(img.h * s);
  return { out: [{ ...img, w, h, seed: hash32('scale', img.seed, w, h, c.inputs.upscale_method) }] };
};

/** ImageScaleToTotalPixels: the same aspect ratio at about `megapixels` × 1024². */
export const imageScaleToTotalPixels: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const scale = Math.sqrt((Number(c.inputs.megapixels) * 1024 * 1024) / (img.w * img.h));
  const w = Math.round(img.w * scale);
  const h = Math.round(img.h * scale);
  return { out: [{ ...img, w, h, seed: hash32('scale', img.seed, w, h, c.inputs.upscale_method) }] };
};

/** LatentUpscaleBy: scales the latent (pixel size / 8), rounding there. */
export const latentUpscaleBy: Runner = async (c) => {
  const latent = need<SimLatent>(c, 'samples', 'LATENT');
  const s = Number(c.inputs.scale_by);
  const w = Math.max(1, Math.round((latent.w / 8) * s)) * 8;
  const h = Math.max(1, Math.round((latent.h / 8) * s)) * 8;
  return { out: [{ ...latent, w, h, seed: hash32('latent-scale', latent.seed, w, h, c.inputs.upscale_method) }] };
};

export const imageBlur: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  return { out: [{ ...img, color: undefined, seed: hash32('blur', img.seed, img.color ?? -1, c.inputs.blur_radius, c.inputs.sigma) }] };
};

/** The upscale factor a model file declares in its name (4x-UltraSharp, RealESRGAN_x2), else 4. */
function modelScale(name: string): number {
  const m = /(?:^|[^0-9])([1-8])x|x([1-8])(?:[^0-9]|$)/i.exec(name);
  return m ? Number(m[1] ?? m[2]) : 4;
}

export const upscaleModelLoader: Runner = async (c) => {
  const name = pyStr(c.inputs.model_name);
  return { out: [{ kind: 'UPSCALE_MODEL', name, scale: modelScale(name) }] };
};

export const imageUpscaleWithModel: Runner = async (c) => {
  const model = need(c, 'upscale_model', 'UPSCALE_MODEL');
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const scale = Number(model.scale);
  const seed = hash32('upscale', img.seed, img.color ?? -1, model.name);
  await c.progress(1, 1);
  return { out: [{ ...img, w: img.w * scale, h: img.h * scale, seed } satisfies SimImage] };
};

export const controlNetLoader: Runner = async (c) => ({ out: [{ kind: 'CONTROL_NET', name: pyStr(c.inputs.control_net_name) }] });

/** ControlNetApplyAdvanced: the hint (model, image, strength, range) joins both conditionings. */
export const controlNetApplyAdvanced: Runner = async (c) => {
  const pos = need(c, 'positive', 'CONDITIONING');
  const neg = need(c, 'negative', 'CONDITIONING');
  const cn = need(c, 'control_net', 'CONTROL_NET');
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const i = c.inputs;
  if (Number(i.strength) === 0) return { out: [pos, neg] }; // nodes.py returns the conditioning untouched
  const hint = `${pyStr(cn.name)}@${pyStr(i.strength)}:${pyStr(i.start_percent)}-${pyStr(i.end_percent)}:${img.seed}`;
  const add = (cond: SimValue) => ({ ...cond, control: [...((cond.control as string[] | undefined) ?? []), hint] });
  return { out: [add(pos), add(neg)] };
};

export const canny: Runner = async (c) => {
  const img = need<SimImage>(c, 'image', 'IMAGE');
  return { out: [{ ...img, color: undefined, seed: hash32('canny', img.seed, img.color ?? -1, c.inputs.low_threshold, c.inputs.high_threshold) }] };
};

export const ipAdapterUnifiedLoader: Runner = async (c) => {
  const model = need(c, 'model', 'MODEL');
  return { out: [model, { kind: 'IPADAPTER', preset: c.inputs.preset }] };
};

export const ipAdapter: Runner = async (c) => {
  const model = need(c, 'model', 'MODEL');
  const ipa = need(c, 'ipadapter', 'IPADAPTER');
  const img = need<SimImage>(c, 'image', 'IMAGE');
  const i = c.inputs;
  const tag = `ipa:${pyStr(ipa.preset)}@${pyStr(i.weight)}:${pyStr(i.start_at)}-${pyStr(i.end_at)}:${pyStr(i.weight_type)}:${img.seed}`;
  return { out: [{ ...model, name: `${pyStr(model.name)}+${tag}` }] };
};
