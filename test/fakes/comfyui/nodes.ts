// Node catalogue: the real v0.3.64 input specs of the simulated nodes as a data table, rendered
// into /object_info entries (legacy list-first combos, V3 ["COMBO", {options}] combos).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FileStore } from './files.js';
import * as sim from './sim.js';
import type { Runner } from './sim.js';

type Opts = Record<string, unknown>;
/**
 * Where a combo's options come from: a fixed list, a model folder's files (`folder_paths.get_filename_list`),
 * VAELoader's `vae_list()` (the vae folder, the TAESD pairs found in vae_approx, then `pixel_space`), or
 * the input directory's images.
 */
export type ComboSource = string[] | { folder: string } | 'vae_list' | 'input_images';
export type InSpec =
  | { k: 'prim'; type: 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN'; opts: Opts }
  | { k: 'link'; type: string; opts?: Opts }
  | { k: 'combo'; source: ComboSource; opts?: Opts };

export interface NodeDef {
  name: string;
  display?: string | null; // undefined → name
  category: string;
  description?: string;
  module?: string;
  v3?: boolean;
  outputNode?: boolean;
  required: Record<string, InSpec>;
  /** Validated when present, never reported missing (e.g. DualCLIPLoader's `device`). */
  optional?: Record<string, InSpec>;
  hidden?: Record<string, string>;
  outputs: string[];
  outputNames?: string[];
  outputTooltips?: string[];
  /** A custom node pack the node comes from: present only when the fake runs with that pack installed. */
  pack?: string;
  /** VALIDATE_INPUTS: inputs it receives skip the built-in range/combo checks. */
  validate?: { inputs: string[]; fn: (inputs: Record<string, unknown>, files: FileStore) => true | string };
  /** IS_CHANGED: part of the cache signature (LoadImage hashes the file content). */
  isChanged?: (inputs: Record<string, unknown>, files: FileStore) => string;
  run: Runner;
}

export interface CatalogueEnv {
  /** The sorted file names of one model folder, as the loaders list them ([] for an unknown folder). */
  models(folder: string): string[];
  files: FileStore;
  /** Custom node packs installed (FakeComfyOptions.customNodes); core nodes are always there. */
  packs?: readonly string[];
}

const INT = (opts: Opts): InSpec => ({ k: 'prim', type: 'INT', opts });
const FLOAT = (opts: Opts): InSpec => ({ k: 'prim', type: 'FLOAT', opts });
const STRING = (opts: Opts): InSpec => ({ k: 'prim', type: 'STRING', opts });
const BOOLEAN = (opts: Opts): InSpec => ({ k: 'prim', type: 'BOOLEAN', opts });
const LINK = (type: string, opts?: Opts): InSpec => (opts ? { k: 'link', type, opts } : { k: 'link', type });
const COMBO = (source: ComboSource, opts?: Opts): InSpec => (opts ? { k: 'combo', source, opts } : { k: 'combo', source });
const FOLDER = (folder: string): ComboSource => ({ folder });

const MAX_RES = 16384;
export const SAMPLERS = [
  'euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral',
  'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp', 'dpmpp_sde', 'dpmpp_sde_gpu',
  'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_2m_sde_heun', 'dpmpp_2m_sde_heun_gpu',
  'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm', 'ipndm_v', 'deis', 'res_multistep',
  'res_multistep_cfg_pp', 'res_multistep_ancestral', 'res_multistep_ancestral_cfg_pp', 'gradient_estimation',
  'gradient_estimation_cfg_pp', 'er_sde', 'seeds_2', 'seeds_3', 'sa_solver', 'sa_solver_pece', 'ddim', 'uni_pc',
  'uni_pc_bh2',
];
export const SCHEDULERS = [
  'simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal',
];
/** UNETLoader's weight_dtype. */
export const WEIGHT_DTYPES = ['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2'];
/** DualCLIPLoader's type (v0.3.64; [newer] adds hunyuan_video_15, kandinsky5, kandinsky5_image, ltxv, newbie, ace). */
export const DUAL_CLIP_TYPES = ['sdxl', 'sd3', 'flux', 'hunyuan_video', 'hidream', 'hunyuan_image'];
/** VAELoader offers an image TAESD when both its encoder and decoder are in vae_approx, in this order. */
const IMAGE_TAES = ['taesd', 'taesdxl', 'taesd3', 'taef1'];
const HIDDEN_PNG = { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' };
const SAVE_DESC = 'Saves the input images to your ComfyUI output directory.';
const IMAGE_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'];
const LATENT_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'];
/** IPAdapterUnifiedLoader's presets (ComfyUI_IPAdapter_plus, IPAdapterPlus.py). */
export const IPADAPTER_PRESETS = [
  'LIGHT - SD1.5 only (low strength)', 'STANDARD (medium strength)', 'VIT-G (medium strength)', 'PLUS (high strength)',
  'PLUS FACE (portraits)', 'FULL FACE - SD1.5 only (portraits stronger)',
];

export const NODE_DEFS: NodeDef[] = [
  {
    name: 'CheckpointLoaderSimple', display: 'Load Checkpoint', category: 'loaders',
    description: 'Loads a diffusion model checkpoint, diffusion models are used to denoise latents.',
    required: { ckpt_name: COMBO(FOLDER('checkpoints'), { tooltip: 'The name of the checkpoint (model) to load.' }) },
    outputs: ['MODEL', 'CLIP', 'VAE'],
    outputTooltips: [
      'The model used for denoising latents.',
      'The CLIP model used for encoding text prompts.',
      'The VAE model used for encoding and decoding images to and from latent space.',
    ],
    run: sim.checkpointLoader,
  },
  {
    name: 'CLIPTextEncode', display: 'CLIP Text Encode (Prompt)', category: 'conditioning',
    description: 'Encodes a text prompt using a CLIP model into an embedding that can be used to guide the diffusion model towards generating specific images.',
    required: {
      text: STRING({ multiline: true, dynamicPrompts: true, tooltip: 'The text to be encoded.' }),
      clip: LINK('CLIP', { tooltip: 'The CLIP model used for encoding the text.' }),
    },
    outputs: ['CONDITIONING'],
    outputTooltips: ['A conditioning containing the embedded text used to guide the diffusion model.'],
    run: sim.clipTextEncode,
  },
  {
    name: 'EmptyLatentImage', display: 'Empty Latent Image', category: 'latent',
    description: 'Create a new batch of empty latent images to be denoised via sampling.',
    required: {
      width: INT({ default: 512, min: 16, max: MAX_RES, step: 8, tooltip: 'The width of the latent images in pixels.' }),
      height: INT({ default: 512, min: 16, max: MAX_RES, step: 8, tooltip: 'The height of the latent images in pixels.' }),
      batch_size: INT({ default: 1, min: 1, max: 4096, tooltip: 'The number of latent images in the batch.' }),
    },
    outputs: ['LATENT'], outputTooltips: ['The empty latent image batch.'],
    run: sim.emptyLatent(4),
  },
  {
    name: 'KSampler', display: 'KSampler', category: 'sampling',
    description: 'Uses the provided model, positive and negative conditioning to denoise the latent image.',
    required: {
      model: LINK('MODEL', { tooltip: 'The model used for denoising the input latent.' }),
      seed: INT({ default: 0, min: 0, max: 0xffffffffffffffffn, control_after_generate: true, tooltip: 'The random seed used for creating the noise.' }),
      steps: INT({ default: 20, min: 1, max: 10000, tooltip: 'The number of steps used in the denoising process.' }),
      cfg: FLOAT({ default: 8.0, min: 0.0, max: 100.0, step: 0.1, round: 0.01, tooltip: 'The Classifier-Free Guidance scale balances creativity and adherence to the prompt. Higher values result in images more closely matching the prompt however too high values will negatively impact quality.' }),
      sampler_name: COMBO(SAMPLERS, { tooltip: 'The algorithm used when sampling, this can affect the quality, speed, and style of the generated output.' }),
      scheduler: COMBO(SCHEDULERS, { tooltip: 'The scheduler controls how noise is gradually removed to form the image.' }),
      positive: LINK('CONDITIONING', { tooltip: 'The conditioning describing the attributes you want to include in the image.' }),
      negative: LINK('CONDITIONING', { tooltip: 'The conditioning describing the attributes you want to exclude from the image.' }),
      latent_image: LINK('LATENT', { tooltip: 'The latent image to denoise.' }),
      denoise: FLOAT({ default: 1.0, min: 0.0, max: 1.0, step: 0.01, tooltip: 'The amount of denoising applied, lower values will maintain the structure of the initial image allowing for image to image sampling.' }),
    },
    outputs: ['LATENT'], outputTooltips: ['The denoised latent.'],
    run: sim.kSampler,
  },
  {
    name: 'VAEDecode', display: 'VAE Decode', category: 'latent',
    description: 'Decodes latent images back into pixel space images.',
    required: {
      samples: LINK('LATENT', { tooltip: 'The latent to be decoded.' }),
      vae: LINK('VAE', { tooltip: 'The VAE model used for decoding the latent.' }),
    },
    outputs: ['IMAGE'], outputTooltips: ['The decoded image.'],
    run: sim.vaeDecode,
  },
  {
    name: 'SaveImage', display: 'Save Image', category: 'image', description: SAVE_DESC, outputNode: true,
    required: {
      images: LINK('IMAGE', { tooltip: 'The images to save.' }),
      filename_prefix: STRING({ default: 'ComfyUI', tooltip: 'The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes.' }),
    },
    hidden: HIDDEN_PNG, outputs: [],
    run: sim.saveImage,
  },
  {
    name: 'PreviewImage', display: 'Preview Image', category: 'image', description: SAVE_DESC, outputNode: true,
    required: { images: LINK('IMAGE') }, hidden: HIDDEN_PNG, outputs: [],
    run: sim.previewImage,
  },
  {
    name: 'EmptyImage', category: 'image',
    required: {
      width: INT({ default: 512, min: 1, max: MAX_RES, step: 1 }),
      height: INT({ default: 512, min: 1, max: MAX_RES, step: 1 }),
      batch_size: INT({ default: 1, min: 1, max: 4096 }),
      color: INT({ default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' }),
    },
    outputs: ['IMAGE'],
    run: sim.emptyImage,
  },
  {
    name: 'LoadImage', display: 'Load Image', category: 'image',
    required: { image: COMBO('input_images', { image_upload: true }) },
    outputs: ['IMAGE', 'MASK'],
    validate: {
      inputs: ['image'],
      fn: (inp, files) => (files.existsAnnotated(inp.image) ? true : `Invalid image file: ${String(inp.image)}`),
    },
    isChanged: (inp, files) => {
      try {
        return createHash('sha256').update(readFileSync(files.annotatedPath(inp.image) ?? '')).digest('hex');
      } catch {
        return `nan:${Math.random()}`; // IS_CHANGED raised → NaN → never cached
      }
    },
    run: sim.loadImage,
  },
  {
    name: 'ImageOnlyCheckpointLoader', display: 'Image Only Checkpoint Loader (img2vid model)',
    category: 'loaders/video_models', module: 'comfy_extras.nodes_video_model',
    required: { ckpt_name: COMBO(FOLDER('checkpoints')) },
    outputs: ['MODEL', 'CLIP_VISION', 'VAE'],
    run: sim.imageOnlyCheckpointLoader,
  },
  {
    name: 'SVD_img2vid_Conditioning', category: 'conditioning/video_models', module: 'comfy_extras.nodes_video_model',
    required: {
      clip_vision: LINK('CLIP_VISION'),
      init_image: LINK('IMAGE'),
      vae: LINK('VAE'),
      width: INT({ default: 1024, min: 16, max: MAX_RES, step: 8 }),
      height: INT({ default: 576, min: 16, max: MAX_RES, step: 8 }),
      video_frames: INT({ default: 14, min: 1, max: 4096 }),
      motion_bucket_id: INT({ default: 127, min: 1, max: 1023 }),
      fps: INT({ default: 6, min: 1, max: 1024 }),
      augmentation_level: FLOAT({ default: 0.0, min: 0.0, max: 10.0, step: 0.01 }),
    },
    outputs: ['CONDITIONING', 'CONDITIONING', 'LATENT'], outputNames: ['positive', 'negative', 'latent'],
    run: sim.svdConditioning,
  },
  {
    name: 'VideoLinearCFGGuidance', category: 'sampling/video_models', module: 'comfy_extras.nodes_video_model',
    required: { model: LINK('MODEL'), min_cfg: FLOAT({ default: 1.0, min: 0.0, max: 100.0, step: 0.5, round: 0.01 }) },
    outputs: ['MODEL'],
    run: sim.passModel,
  },
  {
    name: 'SaveAnimatedWEBP', category: 'image/animation', module: 'comfy_extras.nodes_images', outputNode: true,
    required: {
      images: LINK('IMAGE'),
      filename_prefix: STRING({ default: 'ComfyUI' }),
      fps: FLOAT({ default: 6.0, min: 0.01, max: 1000.0, step: 0.01 }),
      lossless: BOOLEAN({ default: true }),
      quality: INT({ default: 80, min: 0, max: 100 }),
      method: COMBO(['default', 'fastest', 'slowest']),
    },
    hidden: HIDDEN_PNG, outputs: [],
    run: sim.saveAnimatedWebp,
  },
  {
    // Legacy in 0.3.64 (nodes_sd3 went V3 later, PR #10162): checked against the real object_info.
    name: 'EmptySD3LatentImage', category: 'latent/sd3', module: 'comfy_extras.nodes_sd3',
    required: {
      width: INT({ default: 1024, min: 16, max: MAX_RES, step: 16 }),
      height: INT({ default: 1024, min: 16, max: MAX_RES, step: 16 }),
      batch_size: INT({ default: 1, min: 1, max: 4096 }),
    },
    outputs: ['LATENT'],
    run: sim.emptyLatent(16),
  },
  {
    name: 'ModelSamplingSD3', category: 'advanced/model', module: 'comfy_extras.nodes_model_advanced',
    required: { model: LINK('MODEL'), shift: FLOAT({ default: 3.0, min: 0.0, max: 100.0, step: 0.01 }) },
    outputs: ['MODEL'],
    run: sim.passModel,
  },
  {
    name: 'TripleCLIPLoader', category: 'advanced/loaders', module: 'comfy_extras.nodes_sd3',
    description: '[Recipes]\n\nsd3: clip-l, clip-g, t5',
    required: {
      clip_name1: COMBO(FOLDER('text_encoders')),
      clip_name2: COMBO(FOLDER('text_encoders')),
      clip_name3: COMBO(FOLDER('text_encoders')),
    },
    outputs: ['CLIP'],
    run: sim.tripleClipLoader,
  },
  {
    name: 'UNETLoader', display: 'Load Diffusion Model', category: 'advanced/loaders',
    required: {
      unet_name: COMBO(FOLDER('diffusion_models')),
      weight_dtype: COMBO(WEIGHT_DTYPES),
    },
    outputs: ['MODEL'],
    run: sim.unetLoader,
  },
  {
    name: 'DualCLIPLoader', category: 'advanced/loaders',
    description: '[Recipes]\n\nsdxl: clip-l, clip-g\nsd3: clip-l, clip-g / clip-l, t5 / clip-g, t5\nflux: clip-l, t5\nhidream: at least one of t5 or llama, recommended t5 and llama\nhunyuan_image: qwen2.5vl 7b and byt5 small',
    required: {
      clip_name1: COMBO(FOLDER('text_encoders')),
      clip_name2: COMBO(FOLDER('text_encoders')),
      type: COMBO(DUAL_CLIP_TYPES),
    },
    optional: { device: COMBO(['default', 'cpu'], { advanced: true }) },
    outputs: ['CLIP'],
    run: sim.dualClipLoader,
  },
  {
    name: 'VAELoader', display: 'Load VAE', category: 'loaders',
    required: { vae_name: COMBO('vae_list') },
    outputs: ['VAE'],
    run: sim.vaeLoader,
  },
  {
    name: 'LoraLoader', display: 'Load LoRA', category: 'loaders',
    description: 'LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.',
    required: {
      model: LINK('MODEL', { tooltip: 'The diffusion model the LoRA will be applied to.' }),
      clip: LINK('CLIP', { tooltip: 'The CLIP model the LoRA will be applied to.' }),
      lora_name: COMBO(FOLDER('loras'), { tooltip: 'The name of the LoRA.' }),
      strength_model: FLOAT({ default: 1.0, min: -100.0, max: 100.0, step: 0.01, tooltip: 'How strongly to modify the diffusion model. This value can be negative.' }),
      strength_clip: FLOAT({ default: 1.0, min: -100.0, max: 100.0, step: 0.01, tooltip: 'How strongly to modify the CLIP model. This value can be negative.' }),
    },
    outputs: ['MODEL', 'CLIP'],
    outputTooltips: ['The modified diffusion model.', 'The modified CLIP model.'],
    run: sim.loraLoader,
  },
  {
    name: 'FluxGuidance', category: 'advanced/conditioning/flux', module: 'comfy_extras.nodes_flux',
    required: {
      conditioning: LINK('CONDITIONING'),
      guidance: FLOAT({ default: 3.5, min: 0.0, max: 100.0, step: 0.1 }),
    },
    outputs: ['CONDITIONING'],
    run: sim.fluxGuidance,
  },
  // ── img2img, inpainting, outpainting (nodes.py / comfy_extras.nodes_mask; real 0.3.64 specs) ──
  {
    name: 'VAEEncode', display: 'VAE Encode', category: 'latent',
    required: { pixels: LINK('IMAGE'), vae: LINK('VAE') },
    outputs: ['LATENT'],
    run: sim.vaeEncode,
  },
  {
    name: 'VAEEncodeForInpaint', display: 'VAE Encode (for Inpainting)', category: 'latent/inpaint',
    required: {
      pixels: LINK('IMAGE'),
      vae: LINK('VAE'),
      mask: LINK('MASK'),
      grow_mask_by: INT({ default: 6, min: 0, max: 64, step: 1 }),
    },
    outputs: ['LATENT'],
    run: sim.vaeEncodeForInpaint,
  },
  {
    name: 'InpaintModelConditioning', category: 'conditioning/inpaint',
    required: {
      positive: LINK('CONDITIONING'),
      negative: LINK('CONDITIONING'),
      vae: LINK('VAE'),
      pixels: LINK('IMAGE'),
      mask: LINK('MASK'),
      noise_mask: BOOLEAN({ default: true, tooltip: 'Add a noise mask to the latent so sampling will only happen within the mask. Might improve results or completely break things depending on the model.' }),
    },
    outputs: ['CONDITIONING', 'CONDITIONING', 'LATENT'], outputNames: ['positive', 'negative', 'latent'],
    run: sim.inpaintModelConditioning,
  },
  {
    name: 'SetLatentNoiseMask', display: 'Set Latent Noise Mask', category: 'latent/inpaint',
    required: { samples: LINK('LATENT'), mask: LINK('MASK') },
    outputs: ['LATENT'],
    run: sim.setLatentNoiseMask,
  },
  {
    name: 'LoadImageMask', display: 'Load Image (as Mask)', category: 'mask',
    required: { image: COMBO('input_images', { image_upload: true }), channel: COMBO(['alpha', 'red', 'green', 'blue']) },
    outputs: ['MASK'],
    validate: {
      inputs: ['image'],
      fn: (inp, files) => (files.existsAnnotated(inp.image) ? true : `Invalid image file: ${String(inp.image)}`),
    },
    isChanged: (inp, files) => {
      try {
        return createHash('sha256').update(readFileSync(files.annotatedPath(inp.image) ?? '')).digest('hex');
      } catch {
        return `nan:${Math.random()}`;
      }
    },
    run: sim.loadImageMask,
  },
  {
    name: 'ImageToMask', display: 'Convert Image to Mask', category: 'mask', module: 'comfy_extras.nodes_mask',
    required: { image: LINK('IMAGE'), channel: COMBO(['red', 'green', 'blue', 'alpha']) },
    outputs: ['MASK'],
    run: sim.imageToMask,
  },
  {
    name: 'InvertMask', category: 'mask', module: 'comfy_extras.nodes_mask',
    required: { mask: LINK('MASK') },
    outputs: ['MASK'],
    run: sim.invertMask,
  },
  {
    name: 'ImagePadForOutpaint', display: 'Pad Image for Outpainting', category: 'image',
    required: {
      image: LINK('IMAGE'),
      left: INT({ default: 0, min: 0, max: MAX_RES, step: 8 }),
      top: INT({ default: 0, min: 0, max: MAX_RES, step: 8 }),
      right: INT({ default: 0, min: 0, max: MAX_RES, step: 8 }),
      bottom: INT({ default: 0, min: 0, max: MAX_RES, step: 8 }),
      feathering: INT({ default: 40, min: 0, max: MAX_RES, step: 1 }),
    },
    outputs: ['IMAGE', 'MASK'],
    run: sim.imagePadForOutpaint,
  },
  // ── scaling and hires fix ──
  {
    name: 'ImageScale', display: 'Upscale Image', category: 'image/upscaling',
    required: {
      image: LINK('IMAGE'),
      upscale_method: COMBO(IMAGE_UPSCALE_METHODS),
      width: INT({ default: 512, min: 0, max: MAX_RES, step: 1 }),
      height: INT({ default: 512, min: 0, max: MAX_RES, step: 1 }),
      crop: COMBO(['disabled', 'center']),
    },
    outputs: ['IMAGE'],
    run: sim.imageScale,
  },
  {
    name: 'ImageScaleBy', display: 'Upscale Image By', category: 'image/upscaling',
    required: { image: LINK('IMAGE'), upscale_method: COMBO(IMAGE_UPSCALE_METHODS), scale_by: FLOAT({ default: 1.0, min: 0.01, max: 8.0, step: 0.01 }) },
    outputs: ['IMAGE'],
    run: sim.imageScaleBy,
  },
  {
    name: 'LatentUpscaleBy', display: 'Upscale Latent By', category: 'latent',
    required: { samples: LINK('LATENT'), upscale_method: COMBO(LATENT_UPSCALE_METHODS), scale_by: FLOAT({ default: 1.5, min: 0.01, max: 8.0, step: 0.01 }) },
    outputs: ['LATENT'],
    run: sim.latentUpscaleBy,
  },
  {
    // V3 in 0.3.64 (nodes_post_processing, PR #9491): the fake's example of the V3 COMBO encoding.
    name: 'ImageScaleToTotalPixels', display: null, category: 'image/upscaling', module: 'comfy_extras.nodes_post_processing', v3: true,
    required: {
      image: LINK('IMAGE'),
      upscale_method: COMBO(IMAGE_UPSCALE_METHODS),
      megapixels: FLOAT({ default: 1.0, min: 0.01, max: 16.0, step: 0.01 }),
    },
    outputs: ['IMAGE'],
    run: sim.imageScaleToTotalPixels,
  },
  {
    name: 'ImageBlur', display: null, category: 'image/postprocessing', module: 'comfy_extras.nodes_post_processing', v3: true,
    required: {
      image: LINK('IMAGE'),
      blur_radius: INT({ default: 1, min: 1, max: 31, step: 1 }),
      sigma: FLOAT({ default: 1.0, min: 0.1, max: 10.0, step: 0.1 }),
    },
    outputs: ['IMAGE'],
    run: sim.imageBlur,
  },
  {
    // comfy_extras.nodes_upscale_model: absent from the captured dump (its import failed there); specs from
    // the 0.3.64-era source (legacy INPUT_TYPES; PR #10149 moved it to V3 with the same inputs).
    name: 'UpscaleModelLoader', display: 'Load Upscale Model', category: 'loaders', module: 'comfy_extras.nodes_upscale_model',
    required: { model_name: COMBO(FOLDER('upscale_models')) },
    outputs: ['UPSCALE_MODEL'],
    run: sim.upscaleModelLoader,
  },
  {
    name: 'ImageUpscaleWithModel', display: 'Upscale Image (using Model)', category: 'image/upscaling', module: 'comfy_extras.nodes_upscale_model',
    required: { upscale_model: LINK('UPSCALE_MODEL'), image: LINK('IMAGE') },
    outputs: ['IMAGE'],
    run: sim.imageUpscaleWithModel,
  },
  // ── ControlNet ──
  {
    name: 'ControlNetLoader', display: 'Load ControlNet Model', category: 'loaders',
    required: { control_net_name: COMBO(FOLDER('controlnet')) },
    outputs: ['CONTROL_NET'],
    run: sim.controlNetLoader,
  },
  {
    name: 'ControlNetApplyAdvanced', display: 'Apply ControlNet', category: 'conditioning/controlnet',
    required: {
      positive: LINK('CONDITIONING'),
      negative: LINK('CONDITIONING'),
      control_net: LINK('CONTROL_NET'),
      image: LINK('IMAGE'),
      strength: FLOAT({ default: 1.0, min: 0.0, max: 10.0, step: 0.01 }),
      start_percent: FLOAT({ default: 0.0, min: 0.0, max: 1.0, step: 0.001 }),
      end_percent: FLOAT({ default: 1.0, min: 0.0, max: 1.0, step: 0.001 }),
    },
    optional: { vae: LINK('VAE') },
    outputs: ['CONDITIONING', 'CONDITIONING'], outputNames: ['positive', 'negative'],
    run: sim.controlNetApplyAdvanced,
  },
  {
    // comfy_extras.nodes_canny: absent from the dump (kornia missing there). V3 since PR #9743 (Sept 2025).
    name: 'Canny', display: null, category: 'image/preprocessors', module: 'comfy_extras.nodes_canny', v3: true,
    required: {
      image: LINK('IMAGE'),
      low_threshold: FLOAT({ default: 0.4, min: 0.01, max: 0.99, step: 0.01 }),
      high_threshold: FLOAT({ default: 0.8, min: 0.01, max: 0.99, step: 0.01 }),
    },
    outputs: ['IMAGE'],
    run: sim.canny,
  },
  // ── ComfyUI_IPAdapter_plus (a custom node pack: only with FakeComfyOptions.customNodes ['ipadapter']) ──
  {
    name: 'IPAdapterUnifiedLoader', display: 'IPAdapter Unified Loader', category: 'ipadapter', module: 'custom_nodes.ComfyUI_IPAdapter_plus', pack: 'ipadapter',
    required: { model: LINK('MODEL'), preset: COMBO(IPADAPTER_PRESETS) },
    optional: { ipadapter: LINK('IPADAPTER') },
    outputs: ['MODEL', 'IPADAPTER'], outputNames: ['model', 'ipadapter'],
    run: sim.ipAdapterUnifiedLoader,
  },
  {
    name: 'IPAdapter', display: 'IPAdapter', category: 'ipadapter', module: 'custom_nodes.ComfyUI_IPAdapter_plus', pack: 'ipadapter',
    required: {
      model: LINK('MODEL'),
      ipadapter: LINK('IPADAPTER'),
      image: LINK('IMAGE'),
      weight: FLOAT({ default: 1.0, min: -1, max: 3, step: 0.05 }),
      start_at: FLOAT({ default: 0.0, min: 0.0, max: 1.0, step: 0.001 }),
      end_at: FLOAT({ default: 1.0, min: 0.0, max: 1.0, step: 0.001 }),
      weight_type: COMBO(['standard', 'prompt is more important', 'style transfer']),
    },
    optional: { attn_mask: LINK('MASK') },
    outputs: ['MODEL'],
    run: sim.ipAdapter,
  },
];

export const NODES: ReadonlyMap<string, NodeDef> = new Map(NODE_DEFS.map((d) => [d.name, d]));

/** Whether the node is there on this server: a core node always, a pack's only with the pack installed. */
export function installed(def: NodeDef, env: Pick<CatalogueEnv, 'packs'>): boolean {
  return def.pack === undefined || (env.packs ?? []).includes(def.pack);
}

/** nodes.VAELoader.vae_list: the vae folder, the complete TAESD pairs of vae_approx, then `pixel_space`. */
function vaeList(env: CatalogueEnv): string[] {
  const approx = env.models('vae_approx');
  const has = (tae: string, part: string) => approx.some((f) => f.startsWith(`${tae}_${part}.`));
  return [...env.models('vae'), ...IMAGE_TAES.filter((t) => has(t, 'encoder') && has(t, 'decoder')), 'pixel_space'];
}

function comboOptions(src: ComboSource, env: CatalogueEnv): string[] {
  if (Array.isArray(src)) return [...src];
  if (src === 'vae_list') return vaeList(env);
  if (src === 'input_images') return env.files.inputImages();
  return [...env.models(src.folder)];
}

function renderInput(spec: InSpec, def: NodeDef, env: CatalogueEnv): unknown[] {
  switch (spec.k) {
    case 'prim':
      return [spec.type, { ...spec.opts }];
    case 'link':
      return spec.opts ? [spec.type, { ...spec.opts }] : def.v3 ? [spec.type, {}] : [spec.type];
    case 'combo': {
      const options = comboOptions(spec.source, env);
      if (def.v3) return ['COMBO', { ...spec.opts, multiselect: false, options }];
      return spec.opts ? [options, { ...spec.opts }] : [options];
    }
  }
}

/** The /object_info entry of one node class. */
export function nodeInfo(def: NodeDef, env: CatalogueEnv): Record<string, unknown> {
  const render = (specs: Record<string, InSpec>) => Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, renderInput(s, def, env)]));
  const input: Record<string, unknown> = { required: render(def.required) };
  if (def.optional) input.optional = render(def.optional);
  if (def.hidden) input.hidden = def.v3 ? Object.fromEntries(Object.entries(def.hidden).map(([k, v]) => [k, [v]])) : { ...def.hidden };
  const inputOrder = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Object.keys(v as object)]));
  const outputIsList = def.outputs.map(() => false);
  const outputName = def.outputNames ?? [...def.outputs];
  if (def.v3) {
    return {
      input, input_order: inputOrder, output: [...def.outputs], output_is_list: outputIsList,
      output_name: outputName, output_tooltips: def.outputs.map((_, i) => def.outputTooltips?.[i] ?? null),
      name: def.name, display_name: def.display === undefined ? def.name : def.display, category: def.category,
      description: def.description ?? '', output_node: !!def.outputNode, deprecated: false, experimental: false,
      api_node: false, python_module: def.module ?? 'nodes',
    };
  }
  const info: Record<string, unknown> = {
    input, input_order: inputOrder, output: [...def.outputs], output_is_list: outputIsList, output_name: outputName,
    name: def.name, display_name: def.display ?? def.name, description: def.description ?? '',
    python_module: def.module ?? 'nodes', category: def.category, output_node: !!def.outputNode,
  };
  if (def.outputTooltips) info.output_tooltips = [...def.outputTooltips];
  return info;
}

export function objectInfo(env: CatalogueEnv): Record<string, unknown> {
  return Object.fromEntries(NODE_DEFS.filter((d) => installed(d, env)).map((d) => [d.name, nodeInfo(d, env)]));
}
