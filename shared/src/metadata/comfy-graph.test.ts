import { describe, expect, it } from 'vitest';
import { analyzeComfyPrompt, comfyExifToText, metaFromComfyPrompt, parseComfyExifValue } from './comfy-graph.js';

// ComfyUI's default workflow, as the API-format `prompt` chunk of a PNG it saved.
const SD15_DEFAULT = {
  '3': {
    inputs: {
      seed: 156680208700286,
      steps: 20,
      cfg: 8,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
    class_type: 'KSampler',
    _meta: { title: 'KSampler' },
  },
  '4': { inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' }, class_type: 'CheckpointLoaderSimple', _meta: { title: 'Load Checkpoint' } },
  '5': { inputs: { width: 512, height: 512, batch_size: 1 }, class_type: 'EmptyLatentImage', _meta: { title: 'Empty Latent Image' } },
  '6': {
    inputs: { text: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,', clip: ['4', 1] },
    class_type: 'CLIPTextEncode',
    _meta: { title: 'CLIP Text Encode (Prompt)' },
  },
  '7': { inputs: { text: 'text, watermark', clip: ['4', 1] }, class_type: 'CLIPTextEncode', _meta: { title: 'CLIP Text Encode (Prompt)' } },
  '8': { inputs: { samples: ['3', 0], vae: ['4', 2] }, class_type: 'VAEDecode', _meta: { title: 'VAE Decode' } },
  '9': { inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, class_type: 'SaveImage', _meta: { title: 'Save Image' } },
};

// The official SDXL example: base + refiner, two KSamplerAdvanced; the refiner pass starts from the base latent.
const SDXL_BASE_REFINER = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'evening sunset scenery blue sky nature, glass bottle with a galaxy in it', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['4', 1] } },
  // The refiner sampler has the lower id on purpose: the first pass must win by topology, not by id.
  '1': {
    class_type: 'KSamplerAdvanced',
    inputs: {
      add_noise: 'disable', noise_seed: 0, steps: 25, cfg: 8, sampler_name: 'euler', scheduler: 'normal',
      start_at_step: 20, end_at_step: 10000, return_with_leftover_noise: 'disable',
      model: ['12', 0], positive: ['15', 0], negative: ['16', 0], latent_image: ['10', 0],
    },
  },
  '10': {
    class_type: 'KSamplerAdvanced',
    inputs: {
      add_noise: 'enable', noise_seed: 721897303308196, steps: 25, cfg: 8, sampler_name: 'euler', scheduler: 'normal',
      start_at_step: 0, end_at_step: 20, return_with_leftover_noise: 'enable',
      model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
    },
  },
  '12': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_refiner_1.0.safetensors' } },
  '15': { class_type: 'CLIPTextEncode', inputs: { text: 'evening sunset scenery blue sky nature, glass bottle with a galaxy in it', clip: ['12', 1] } },
  '16': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['12', 1] } },
  '17': { class_type: 'VAEDecode', inputs: { samples: ['1', 0], vae: ['12', 2] } },
  '19': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['17', 0] } },
};

// SD3.5 large without bundled encoders: TripleCLIPLoader, ModelSamplingSD3, and the SD3 example's negative:
// ConditioningZeroOut + ConditioningSetTimestepRange + ConditioningCombine.
const SD35_TRIPLE_CLIP = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 714805225369, steps: 20, cfg: 5.45, sampler_name: 'euler', scheduler: 'sgm_uniform', denoise: 1,
      model: ['13', 0], positive: ['16', 0], negative: ['70', 0], latent_image: ['53', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd3.5_large.safetensors' } },
  '13': { class_type: 'ModelSamplingSD3', inputs: { shift: 3, model: ['4', 0] } },
  '43': {
    class_type: 'TripleCLIPLoader',
    inputs: { clip_name1: 'clip_l.safetensors', clip_name2: 'clip_g.safetensors', clip_name3: 't5xxl_fp16.safetensors' },
  },
  '16': { class_type: 'CLIPTextEncode', inputs: { text: 'a female character with long, flowing hair that appears to be made of ethereal, swirling patterns', clip: ['43', 0] } },
  '40': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, lowres', clip: ['43', 0] } },
  '67': { class_type: 'ConditioningZeroOut', inputs: { conditioning: ['40', 0] } },
  '68': { class_type: 'ConditioningSetTimestepRange', inputs: { start: 0.1, end: 1, conditioning: ['67', 0] } },
  '69': { class_type: 'ConditioningSetTimestepRange', inputs: { start: 0, end: 0.1, conditioning: ['40', 0] } },
  '70': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['68', 0], conditioning_2: ['69', 0] } },
  '53': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

// SVD image-to-video (protocols/comfyui.md §3.5).
const SVD = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 237514639057514, steps: 20, cfg: 2.5, sampler_name: 'euler', scheduler: 'karras', denoise: 1,
      model: ['14', 0], positive: ['12', 0], negative: ['12', 1], latent_image: ['12', 2],
    },
  },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['15', 2] } },
  '10': { class_type: 'SaveAnimatedWEBP', inputs: { filename_prefix: 'ComfyUI', fps: 10, lossless: false, quality: 85, method: 'default', images: ['8', 0] } },
  '12': {
    class_type: 'SVD_img2vid_Conditioning',
    inputs: {
      width: 1024, height: 576, video_frames: 14, motion_bucket_id: 127, fps: 6, augmentation_level: 0,
      clip_vision: ['15', 1], init_image: ['23', 0], vae: ['15', 2],
    },
  },
  '14': { class_type: 'VideoLinearCFGGuidance', inputs: { min_cfg: 1, model: ['15', 0] } },
  '15': { class_type: 'ImageOnlyCheckpointLoader', inputs: { ckpt_name: 'svd.safetensors' } },
  '23': { class_type: 'LoadImage', inputs: { image: 'mountains.png', upload: 'image' } },
};

// FLUX dev in the split-loader form: SamplerCustomAdvanced with its noise / guider / sampler / sigmas nodes,
// the latent size from primitive nodes (newer frontend: subgraph-style ids).
const FLUX_CUSTOM_ADVANCED = {
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat holding a sign that says hello world', clip: ['11', 0] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['13', 0], vae: ['10', 0] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  '10': { class_type: 'VAELoader', inputs: { vae_name: 'ae.safetensors' } },
  '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' } },
  '12': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
  '13': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['25', 0], guider: ['22', 0], sampler: ['16', 0], sigmas: ['17', 0], latent_image: ['27', 0] } },
  '16': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
  '17': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 20, denoise: 1, model: ['30', 0] } },
  '22': { class_type: 'BasicGuider', inputs: { model: ['30', 0], conditioning: ['26', 0] } },
  '25': { class_type: 'RandomNoise', inputs: { noise_seed: 219670278747233 } },
  '26': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['6', 0] } },
  '27': { class_type: 'EmptySD3LatentImage', inputs: { width: ['54:34', 0], height: ['54:35', 0], batch_size: 1 } },
  '30': { class_type: 'ModelSamplingFlux', inputs: { max_shift: 1.15, base_shift: 0.5, width: ['54:34', 0], height: ['54:35', 0], model: ['41', 0] } },
  '41': { class_type: 'LoraLoaderModelOnly', inputs: { lora_name: 'flux/realism_lora.safetensors', strength_model: 0.8, model: ['12', 0] } },
  '54:34': { class_type: 'PrimitiveInt', inputs: { value: 1024 } },
  '54:35': { class_type: 'PrimitiveInt', inputs: { value: 768 } },
};

describe('metaFromComfyPrompt', () => {
  it('reads the SD1.5 default workflow', () => {
    expect(metaFromComfyPrompt(SD15_DEFAULT)).toEqual({
      model: 'v1-5-pruned-emaonly.safetensors',
      prompt: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,',
      negativePrompt: 'text, watermark',
      seed: 156680208700286,
      steps: 20,
      cfg: 8,
      sampler: 'euler',
      scheduler: 'normal',
      width: 512,
      height: 512,
    });
  });

  it('accepts the JSON text, a /prompt body and a history tuple', () => {
    const expected = metaFromComfyPrompt(SD15_DEFAULT);
    expect(metaFromComfyPrompt(JSON.stringify(SD15_DEFAULT))).toEqual(expected);
    expect(metaFromComfyPrompt({ prompt: SD15_DEFAULT, client_id: 'x' })).toEqual(expected);
    expect(metaFromComfyPrompt([3, 'a1b2', SD15_DEFAULT, {}, ['9']])).toEqual(expected);
  });

  it('takes the first pass of SDXL base + refiner (KSamplerAdvanced noise_seed)', () => {
    const info = analyzeComfyPrompt(SDXL_BASE_REFINER);
    expect(info.samplerNodeId).toBe('10');
    expect(info.samplerType).toBe('KSamplerAdvanced');
    expect(info.meta).toEqual({
      model: 'sd_xl_base_1.0.safetensors',
      prompt: 'evening sunset scenery blue sky nature, glass bottle with a galaxy in it',
      negativePrompt: 'text, watermark',
      seed: 721897303308196,
      steps: 25,
      cfg: 8,
      sampler: 'euler',
      scheduler: 'normal',
      width: 1024,
      height: 1024,
    });
  });

  it('reads SDXL CLIPTextEncodeSDXL (text_g/text_l) and LoRAs on the model path', () => {
    const graph = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'SDXL/juggernautXL_v9.safetensors' } },
      '2': { class_type: 'LoraLoader', inputs: { lora_name: 'sdxl/detail.safetensors', strength_model: 1, strength_clip: 1, model: ['1', 0], clip: ['1', 1] } },
      '3': { class_type: 'LoraLoader', inputs: { lora_name: 'sdxl/style.safetensors', strength_model: 0.5, strength_clip: 0.5, model: ['2', 0], clip: ['2', 1] } },
      '4': {
        class_type: 'CLIPTextEncodeSDXL',
        inputs: {
          width: 4096, height: 4096, crop_w: 0, crop_h: 0, target_width: 4096, target_height: 4096,
          text_g: 'a red fox in the snow', text_l: 'a red fox in the snow', clip: ['3', 1],
        },
      },
      '5': {
        class_type: 'CLIPTextEncodeSDXL',
        inputs: {
          width: 4096, height: 4096, crop_w: 0, crop_h: 0, target_width: 4096, target_height: 4096,
          text_g: 'blurry', text_l: 'jpeg artifacts', clip: ['3', 1],
        },
      },
      '6': { class_type: 'EmptyLatentImage', inputs: { width: 832, height: 1216, batch_size: 4 } },
      '7': {
        class_type: 'KSampler',
        inputs: {
          seed: 42, steps: 30, cfg: 6.5, sampler_name: 'dpmpp_2m_sde', scheduler: 'karras', denoise: 1,
          model: ['3', 0], positive: ['4', 0], negative: ['5', 0], latent_image: ['6', 0],
        },
      },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['7', 0], vae: ['1', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'sdxl', images: ['8', 0] } },
    };
    const info = analyzeComfyPrompt(graph);
    expect(info.meta).toMatchObject({
      model: 'SDXL/juggernautXL_v9.safetensors',
      prompt: 'a red fox in the snow',
      negativePrompt: 'blurry\njpeg artifacts',
      width: 832,
      height: 1216,
      sampler: 'dpmpp_2m_sde',
      scheduler: 'karras',
    });
    expect(info.loras).toEqual(['sdxl/style.safetensors', 'sdxl/detail.safetensors']);
  });

  it('reads SD3.5 with TripleCLIPLoader, ModelSamplingSD3 and a zeroed/combined negative', () => {
    expect(metaFromComfyPrompt(SD35_TRIPLE_CLIP)).toEqual({
      model: 'sd3.5_large.safetensors',
      prompt: 'a female character with long, flowing hair that appears to be made of ethereal, swirling patterns',
      negativePrompt: 'blurry, lowres',
      seed: 714805225369,
      steps: 20,
      cfg: 5.45,
      sampler: 'euler',
      scheduler: 'sgm_uniform',
      width: 1024,
      height: 1024,
    });
  });

  it('reads CLIPTextEncodeSD3 and a purely zeroed negative', () => {
    const graph = structuredClone(SD35_TRIPLE_CLIP) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    graph['16'] = {
      class_type: 'CLIPTextEncodeSD3',
      inputs: { clip_l: 'a castle', clip_g: 'a castle', t5xxl: 'a castle on a hill at dawn', empty_padding: 'none', clip: ['43', 0] },
    };
    graph['3']!.inputs.negative = ['67', 0];
    const meta = metaFromComfyPrompt(graph);
    expect(meta.prompt).toBe('a castle\na castle on a hill at dawn');
    expect(meta.negativePrompt).toBeUndefined();
  });

  it('reads SVD: size and frames from SVD_img2vid_Conditioning, no text prompt', () => {
    const info = analyzeComfyPrompt(SVD);
    expect(info.meta).toEqual({
      model: 'svd.safetensors',
      seed: 237514639057514,
      steps: 20,
      cfg: 2.5,
      sampler: 'euler',
      scheduler: 'karras',
      width: 1024,
      height: 576,
    });
    expect(info.frames).toBe(14);
  });

  it('reads FLUX SamplerCustomAdvanced: RandomNoise, KSamplerSelect, BasicScheduler, BasicGuider, primitives', () => {
    const info = analyzeComfyPrompt(FLUX_CUSTOM_ADVANCED);
    expect(info.meta).toEqual({
      model: 'flux1-dev.safetensors',
      prompt: 'a cat holding a sign that says hello world',
      seed: 219670278747233,
      steps: 20,
      sampler: 'euler',
      scheduler: 'simple',
      width: 1024,
      height: 768,
    });
    expect(info.guidance).toBe(3.5);
    expect(info.denoise).toBe(1);
    expect(info.loras).toEqual(['flux/realism_lora.safetensors']);
  });

  it('reads SamplerCustomAdvanced with CFGGuider and a custom sigma schedule behind SplitSigmas', () => {
    const graph = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'dreamshaper_8.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip: ['1', 1] } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: 'fog', clip: ['1', 1] } },
      '4': { class_type: 'CFGGuider', inputs: { cfg: 6, model: ['1', 0], positive: ['2', 0], negative: ['3', 0] } },
      '5': { class_type: 'KarrasScheduler', inputs: { steps: 30, sigma_max: 14.61, sigma_min: 0.03, rho: 7 } },
      '6': { class_type: 'SplitSigmas', inputs: { step: 0, sigmas: ['5', 0] } },
      '7': { class_type: 'SamplerDPMPP_2M_SDE', inputs: { solver_type: 'midpoint', eta: 1, s_noise: 1, noise_device: 'gpu' } },
      '8': { class_type: 'RandomNoise', inputs: { noise_seed: 7 } },
      '9': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
      '10': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['8', 0], guider: ['4', 0], sampler: ['7', 0], sigmas: ['6', 1], latent_image: ['9', 0] } },
      '11': { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['1', 2] } },
      '12': { class_type: 'PreviewImage', inputs: { images: ['11', 0] } },
    };
    expect(metaFromComfyPrompt(graph)).toEqual({
      model: 'dreamshaper_8.safetensors',
      prompt: 'a lighthouse at dusk',
      negativePrompt: 'fog',
      seed: 7,
      steps: 30,
      cfg: 6,
      sampler: 'dpmpp_2m_sde',
      scheduler: 'karras',
      width: 512,
      height: 768,
    });
  });

  it('reads SamplerCustom (noise_seed, KSamplerSelect, BasicScheduler)', () => {
    const graph = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_turbo_1.0_fp16.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a robot', clip: ['1', 1] } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
      '4': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler_ancestral' } },
      '5': { class_type: 'SDTurboScheduler', inputs: { steps: 1, denoise: 1, model: ['1', 0] } },
      '6': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
      '7': {
        class_type: 'SamplerCustom',
        inputs: {
          add_noise: true, noise_seed: 0, cfg: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0],
          sampler: ['4', 0], sigmas: ['5', 0], latent_image: ['6', 0],
        },
      },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['7', 0], vae: ['1', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'turbo', images: ['8', 0] } },
    };
    expect(metaFromComfyPrompt(graph)).toEqual({
      model: 'sd_xl_turbo_1.0_fp16.safetensors',
      prompt: 'a robot',
      seed: 0,
      steps: 1,
      cfg: 1,
      sampler: 'euler_ancestral',
      scheduler: 'sd_turbo',
      width: 512,
      height: 512,
    });
  });

  it('follows linked seed, steps and text to primitive nodes, including string concatenation', () => {
    const graph = structuredClone(SD15_DEFAULT) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    graph['20'] = { class_type: 'PrimitiveInt', inputs: { value: 987654321 } };
    graph['21'] = { class_type: 'Seed (rgthree)', inputs: { seed: 12 } };
    graph['22'] = { class_type: 'PrimitiveStringMultiline', inputs: { value: 'a watercolor fox' } };
    graph['23'] = { class_type: 'PrimitiveString', inputs: { value: 'misty forest' } };
    graph['24'] = { class_type: 'StringConcatenate', inputs: { string_a: ['22', 0], string_b: ['23', 0], delimiter: ', ' } };
    graph['25'] = { class_type: 'PrimitiveNode', inputs: { value: 'euler_ancestral' } };
    graph['3']!.inputs.seed = ['20', 0];
    graph['3']!.inputs.steps = ['21', 0]; // a seed node feeding steps: the single numeric input is taken
    graph['3']!.inputs.sampler_name = ['25', 0];
    graph['6']!.inputs.text = ['24', 0];
    const meta = metaFromComfyPrompt(graph);
    expect(meta).toMatchObject({ seed: 987654321, steps: 12, sampler: 'euler_ancestral', prompt: 'a watercolor fox, misty forest' });
  });

  it('reads prompts through ControlNetApplyAdvanced (output 0 positive, 1 negative)', () => {
    const graph = structuredClone(SD15_DEFAULT) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    graph['30'] = {
      class_type: 'ControlNetApplyAdvanced',
      inputs: { strength: 1, start_percent: 0, end_percent: 1, positive: ['6', 0], negative: ['7', 0], control_net: ['31', 0], image: ['32', 0] },
    };
    graph['31'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: 'control_v11p_sd15_canny.pth' } };
    graph['32'] = { class_type: 'LoadImage', inputs: { image: 'edges.png' } };
    graph['3']!.inputs.positive = ['30', 0];
    graph['3']!.inputs.negative = ['30', 1];
    expect(metaFromComfyPrompt(graph)).toMatchObject({
      prompt: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,',
      negativePrompt: 'text, watermark',
    });
  });

  it('ignores a sampler that feeds no output node', () => {
    const graph = structuredClone(SD15_DEFAULT) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    graph['2'] = { class_type: 'KSampler', inputs: { ...graph['3']!.inputs, seed: 1, steps: 99 } }; // dangling
    expect(analyzeComfyPrompt(graph).samplerNodeId).toBe('3');
  });

  it('reports the size of a latent upscaled by a factor', () => {
    const graph = structuredClone(SD15_DEFAULT) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    graph['40'] = { class_type: 'LatentUpscaleBy', inputs: { upscale_method: 'nearest-exact', scale_by: 1.5, samples: ['5', 0] } };
    graph['3']!.inputs.latent_image = ['40', 0];
    expect(metaFromComfyPrompt(graph)).toMatchObject({ width: 768, height: 768 });
  });

  it('falls back to the loader when there is no sampler, and returns {} for model-free graphs', () => {
    expect(metaFromComfyPrompt({ '1': { class_type: 'UNETLoader', inputs: { unet_name: 'x.safetensors' } } })).toEqual({ model: 'x.safetensors' });
    expect(
      metaFromComfyPrompt({
        '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 32, batch_size: 1, color: 0 } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'smoke' } },
      }),
    ).toEqual({});
  });

  it('never throws on malformed input', () => {
    const cyclic = {
      '1': { class_type: 'KSampler', inputs: { seed: ['2', 0], positive: ['3', 0], negative: ['1', 0], model: ['1', 0], latent_image: ['1', 0] } },
      '2': { class_type: 'PrimitiveInt', inputs: { value: ['2', 0] } },
      '3': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['3', 0], conditioning_2: ['4', 0] } },
      '4': { class_type: 'FluxGuidance', inputs: { guidance: ['4', 0], conditioning: ['3', 0] } },
    };
    const chain: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) chain[String(i)] = { class_type: 'ConditioningSetArea', inputs: { conditioning: [String(i + 1), 0] } };
    chain.s = { class_type: 'KSampler', inputs: { positive: ['0', 0], latent_image: ['0', 0], model: ['0', 0] } };
    const inputs: unknown[] = [
      undefined, null, 0, 'not json', '[1,2', [], [1, 2], {}, { a: 1 }, { '1': null }, { '1': { class_type: 7 } },
      { '1': { class_type: 'KSampler', inputs: null } },
      { '1': { class_type: 'KSampler', inputs: { seed: 'abc', steps: Infinity, positive: ['9', 0], latent_image: [1, 2, 3] } } },
      { '1': { class_type: 'KSampler', inputs: { seed: [null, 0], positive: [{}, 0], latent_image: ['x', 0.5], model: 'm' } } },
      cyclic,
      chain,
      Object.create(null) as object,
      JSON.parse('{"__proto__": {"class_type": "KSampler", "inputs": {"seed": 1}}}'),
    ];
    for (const input of inputs) expect(() => metaFromComfyPrompt(input)).not.toThrow();
    // A diamond of concatenations and primitives 60 levels deep (2^60 paths) must not blow up.
    const diamond: Record<string, unknown> = {
      s: { class_type: 'KSampler', inputs: { seed: ['n0', 0], positive: ['e', 0], latent_image: ['l', 0], model: ['m', 0] } },
      e: { class_type: 'CLIPTextEncode', inputs: { text: ['c0', 0], clip: ['m', 1] } },
      l: { class_type: 'EmptyLatentImage', inputs: { width: ['n0', 0], height: 64 } },
      m: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ['c0', 0] } },
    };
    for (let i = 0; i < 60; i++) {
      diamond[`c${i}`] = { class_type: 'StringConcatenate', inputs: { string_a: [`c${i + 1}`, 0], string_b: [`c${i + 1}`, 0], delimiter: '' } };
      diamond[`n${i}`] = { class_type: 'Int', inputs: { value: [`n${i + 1}`, 0], seed: [`n${i + 1}`, 0], int: [`n${i + 1}`, 0] } };
    }
    const started = Date.now();
    expect(() => metaFromComfyPrompt(diamond)).not.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(metaFromComfyPrompt(cyclic)).toEqual({});
    expect(metaFromComfyPrompt(inputs[12])).toEqual({});
  });
});

describe('ComfyUI animated WEBP EXIF values', () => {
  const prompt = JSON.stringify(SVD);
  const workflow = JSON.stringify({ nodes: [], links: [], version: 0.4 });

  it('parses "prompt:<json>" strings', () => {
    const parsed = parseComfyExifValue(`prompt:${prompt}\0`);
    expect(parsed?.key).toBe('prompt');
    expect(parsed?.json).toBe(prompt);
    expect(metaFromComfyPrompt(parsed?.value)).toMatchObject({ model: 'svd.safetensors', width: 1024 });
    expect(parseComfyExifValue('Canon EOS 5D')).toBeNull();
    expect(parseComfyExifValue('prompt:{broken')).toBeNull();
    expect(parseComfyExifValue(42 as unknown as string)).toBeNull();
  });

  it('turns the EXIF strings into a chunk map', () => {
    expect(comfyExifToText([`prompt:${prompt}`, `workflow:${workflow}`, 'Make'])).toEqual({ prompt, workflow });
  });
});

describe('LoRA strengths', () => {
  it('reads strength_model and strength_clip of LoraLoader / LoraLoaderModelOnly on the model path, nearest the sampler first', () => {
    const graph = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
      '2': { class_type: 'LoraLoaderModelOnly', inputs: { lora_name: 'far.safetensors', strength_model: 0.4, model: ['1', 0] } },
      '3': { class_type: 'LoraLoader', inputs: { lora_name: 'near.safetensors', strength_model: ['9', 0], strength_clip: 0.25, model: ['2', 0], clip: ['1', 1] } },
      '9': { class_type: 'PrimitiveFloat', inputs: { value: 1.3 } },
      '4': { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['3', 1] } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '6': { class_type: 'KSampler', inputs: { model: ['3', 0], positive: ['4', 0], negative: ['4', 0], latent_image: ['5', 0], seed: 1, steps: 2, cfg: 7 } },
      '7': { class_type: 'SaveImage', inputs: { images: ['6', 0] } },
    };
    const info = analyzeComfyPrompt(graph);
    expect(info.loras).toEqual(['near.safetensors', 'far.safetensors']);
    expect(info.loraRefs).toEqual([
      { name: 'near.safetensors', strengthModel: 1.3, strengthClip: 0.25 },
      { name: 'far.safetensors', strengthModel: 0.4 },
    ]);
  });
});
