import { describe, expect, it } from 'vitest';
import { detectModelFamily, modelspecInfo } from './family.js';
import { parseSafetensorsHeader, type SafetensorsHeader } from './safetensors.js';

type Spec = Record<string, number[]>;

/**
 * A safetensors file's header as the writer lays it out (u64 LE length + JSON padded to 8 bytes), with
 * real tensor names and shapes, parsed back through parseSafetensorsHeader. Tensor data is not written:
 * detection needs the header only.
 */
function header(tensors: Spec, metadata?: Record<string, string>, dtype = 'F16'): SafetensorsHeader {
  const json: Record<string, unknown> = {};
  if (metadata) json.__metadata__ = metadata;
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const size = shape.reduce((a, b) => a * b, 1) * 2;
    json[name] = { dtype, shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let text = JSON.stringify(json);
  while ((8 + text.length) % 8 !== 0) text += ' ';
  const body = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + body.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(body.length), true);
  bytes.set(body, 8);
  const parsed = parseSafetensorsHeader(bytes);
  if (!parsed.complete) throw new Error('incomplete header');
  return parsed;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const SD15: Spec = {
  'cond_stage_model.transformer.text_model.embeddings.token_embedding.weight': [49408, 768],
  'cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight': [768, 768],
  'first_stage_model.decoder.conv_out.weight': [3, 128, 3, 3],
  'first_stage_model.encoder.conv_in.weight': [128, 3, 3, 3],
  'model.diffusion_model.input_blocks.0.0.weight': [320, 4, 3, 3],
  'model.diffusion_model.input_blocks.1.1.proj_in.weight': [320, 320, 1, 1],
  'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight': [320, 768],
  'model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight': [1280, 768],
  'model.diffusion_model.out.2.weight': [4, 320, 3, 3],
  'model.diffusion_model.time_embed.0.weight': [1280, 320],
};

const SDXL_BASE: Spec = {
  'conditioner.embedders.0.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight': [768, 768],
  'conditioner.embedders.1.model.text_projection': [1280, 1280],
  'conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight': [3840, 1280],
  'first_stage_model.decoder.conv_in.weight': [512, 4, 3, 3],
  'model.diffusion_model.input_blocks.0.0.weight': [320, 4, 3, 3],
  'model.diffusion_model.input_blocks.4.1.proj_in.weight': [640, 640],
  'model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight': [640, 2048],
  'model.diffusion_model.label_emb.0.0.weight': [1280, 2816],
  'model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight': [1280, 2048],
};

const SDXL_REFINER: Spec = {
  'conditioner.embedders.0.model.transformer.resblocks.0.attn.in_proj_weight': [3840, 1280],
  'first_stage_model.decoder.conv_in.weight': [512, 4, 3, 3],
  'model.diffusion_model.input_blocks.0.0.weight': [384, 4, 3, 3],
  'model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight': [768, 1280],
  'model.diffusion_model.label_emb.0.0.weight': [1536, 2560],
};

const SD21: Spec = {
  'cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight': [3072, 1024],
  'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight': [320, 1024],
  'first_stage_model.encoder.conv_in.weight': [128, 3, 3, 3],
};

function sd3(blocks: number, hidden: number, extra: Spec = {}): Spec {
  const spec: Spec = {
    'model.diffusion_model.context_embedder.weight': [hidden, 4096],
    'model.diffusion_model.pos_embed': [1, 36864, hidden],
    'model.diffusion_model.t_embedder.mlp.0.weight': [hidden, 256],
    'model.diffusion_model.x_embedder.proj.weight': [hidden, 16, 2, 2],
    'model.diffusion_model.y_embedder.mlp.0.weight': [hidden, 2048],
    'model.diffusion_model.final_layer.linear.weight': [64, hidden],
  };
  for (const i of range(blocks)) {
    spec[`model.diffusion_model.joint_blocks.${i}.context_block.attn.qkv.weight`] = [3 * hidden, hidden];
    spec[`model.diffusion_model.joint_blocks.${i}.x_block.attn.qkv.weight`] = [3 * hidden, hidden];
  }
  return { ...spec, ...extra };
}

const SD3_CLIPS: Spec = {
  'text_encoders.clip_g.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight': [1280, 1280],
  'text_encoders.clip_l.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight': [768, 768],
  'text_encoders.t5xxl.transformer.encoder.block.0.layer.0.SelfAttention.k.weight': [4096, 4096],
  'first_stage_model.decoder.conv_in.weight': [512, 16, 3, 3],
};

function flux(prefix: string, opts: { guidance: boolean; imgIn?: number }): Spec {
  const spec: Spec = {
    [`${prefix}img_in.weight`]: [3072, opts.imgIn ?? 64],
    [`${prefix}txt_in.weight`]: [3072, 4096],
    [`${prefix}time_in.in_layer.weight`]: [3072, 256],
    [`${prefix}vector_in.in_layer.weight`]: [3072, 768],
    [`${prefix}final_layer.linear.weight`]: [64, 3072],
  };
  if (opts.guidance) spec[`${prefix}guidance_in.in_layer.weight`] = [3072, 256];
  for (const i of range(19)) {
    spec[`${prefix}double_blocks.${i}.img_attn.qkv.weight`] = [9216, 3072];
    spec[`${prefix}double_blocks.${i}.img_attn.norm.key_norm.scale`] = [128];
    spec[`${prefix}double_blocks.${i}.img_mod.lin.weight`] = [18432, 3072];
    spec[`${prefix}double_blocks.${i}.txt_attn.qkv.weight`] = [9216, 3072];
  }
  for (const i of range(38)) {
    spec[`${prefix}single_blocks.${i}.linear1.weight`] = [21504, 3072];
    spec[`${prefix}single_blocks.${i}.modulation.lin.weight`] = [9216, 3072];
  }
  return spec;
}

const SVD: Spec = {
  'conditioner.embedders.0.open_clip.model.visual.conv1.weight': [1280, 3, 14, 14],
  'conditioner.embedders.0.open_clip.model.visual.transformer.resblocks.0.attn.in_proj_weight': [3840, 1280],
  'first_stage_model.decoder.conv_in.weight': [512, 4, 3, 3],
  'model.diffusion_model.input_blocks.0.0.weight': [320, 8, 3, 3],
  'model.diffusion_model.input_blocks.1.0.time_mixer.mix_factor': [1],
  'model.diffusion_model.input_blocks.1.0.time_stack.in_layers.2.weight': [320, 320, 3, 1, 1],
  'model.diffusion_model.input_blocks.1.1.time_stack.0.attn1.to_q.weight': [320, 320],
  'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight': [320, 1024],
  'model.diffusion_model.label_emb.0.0.weight': [1280, 768],
};

describe('detectModelFamily from tensor layout', () => {
  it('SD1.5 checkpoint (context dim 768), and its inpainting variant', () => {
    expect(detectModelFamily(header(SD15))).toMatchObject({ family: 'sd15', kind: 'checkpoint', reason: expect.stringMatching(/768/) });
    const inpaint = { ...SD15, 'model.diffusion_model.input_blocks.0.0.weight': [320, 9, 3, 3] };
    expect(detectModelFamily(header(inpaint))).toMatchObject({ family: 'sd15', variant: 'inpaint' });
  });

  it('SDXL base and refiner', () => {
    expect(detectModelFamily(header(SDXL_BASE))).toMatchObject({ family: 'sdxl', kind: 'checkpoint', reason: expect.stringMatching(/2048/) });
    expect(detectModelFamily(header(SDXL_REFINER))).toMatchObject({ family: 'sdxl', variant: 'refiner' });
  });

  it('SDXL from weaker hints when no cross-attention tensor is present', () => {
    const { 'model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight': _a, 'model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight': _b, ...rest } = SDXL_BASE;
    expect(detectModelFamily(header(rest))).toMatchObject({ family: 'sdxl', reason: expect.stringMatching(/conditioner\.embedders\.1\.model/) });
  });

  it('SD 2.x is reported as unknown, with the reason', () => {
    expect(detectModelFamily(header(SD21))).toMatchObject({ family: 'unknown', reason: expect.stringMatching(/2\.x/) });
  });

  it('SD3 medium with bundled encoders, SD3.5 large and SD3.5 medium (MMDiT-X)', () => {
    expect(detectModelFamily(header({ ...sd3(24, 1536), ...SD3_CLIPS }))).toMatchObject({ family: 'sd3', variant: 'medium', kind: 'checkpoint' });
    expect(detectModelFamily(header(sd3(38, 2432)))).toMatchObject({ family: 'sd3', variant: 'large', kind: 'diffusion_model' });
    const medium35 = sd3(24, 1536, { 'model.diffusion_model.joint_blocks.0.x_block.attn2.qkv.weight': [4608, 1536] });
    expect(detectModelFamily(header(medium35))).toMatchObject({ family: 'sd3', variant: '3.5-medium' });
  });

  it('FLUX dev as a bare diffusion model (no prefix), schnell as a ComfyUI all-in-one checkpoint, Fill', () => {
    expect(detectModelFamily(header(flux('', { guidance: true }), undefined, 'BF16'))).toMatchObject({
      family: 'flux',
      variant: 'dev',
      kind: 'diffusion_model',
    });
    const aio = {
      ...flux('model.diffusion_model.', { guidance: false }),
      'text_encoders.clip_l.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight': [768, 768],
      'text_encoders.t5xxl.transformer.encoder.block.0.layer.0.SelfAttention.k.weight': [4096, 4096],
      'vae.decoder.conv_in.weight': [512, 16, 3, 3],
    };
    expect(detectModelFamily(header(aio, undefined, 'F8_E4M3'))).toMatchObject({ family: 'flux', variant: 'schnell', kind: 'checkpoint' });
    expect(detectModelFamily(header(flux('', { guidance: true, imgIn: 384 })))).toMatchObject({ family: 'flux', variant: 'fill' });
  });

  it('FLUX in diffusers layout', () => {
    const spec: Spec = {
      'context_embedder.weight': [3072, 4096],
      'x_embedder.weight': [3072, 64],
      'time_text_embed.guidance_embedder.linear_1.weight': [3072, 256],
      'transformer_blocks.0.attn.add_q_proj.weight': [3072, 3072],
      'single_transformer_blocks.0.attn.to_q.weight': [3072, 3072],
      'single_transformer_blocks.0.proj_mlp.weight': [12288, 3072],
    };
    expect(detectModelFamily(header(spec))).toMatchObject({ family: 'flux', variant: 'dev' });
  });

  it('does not take HunyuanVideo (double/single blocks, other naming) for FLUX', () => {
    const spec: Spec = {
      'double_blocks.0.img_attn_qkv.weight': [9216, 3072],
      'double_blocks.0.img_mod.linear.weight': [18432, 3072],
      'single_blocks.0.linear1.weight': [21504, 3072],
      'img_in.proj.weight': [3072, 16, 1, 2, 2],
      'txt_in.individual_token_refiner.blocks.0.adaLN_modulation.1.weight': [6144, 3072],
    };
    expect(detectModelFamily(header(spec)).family).toBe('unknown');
  });

  it('SVD (spatio-temporal UNet, CLIP vision conditioner) despite its 1024 context dim', () => {
    expect(detectModelFamily(header(SVD))).toMatchObject({ family: 'svd', kind: 'checkpoint', reason: expect.stringMatching(/time_stack/) });
    const visionOnly = { 'conditioner.embedders.0.open_clip.model.visual.conv1.weight': [1280, 3, 14, 14] };
    expect(detectModelFamily(header(visionOnly)).family).toBe('svd');
  });
});

describe('detectModelFamily for LoRAs', () => {
  it('kohya SD1.5 and SDXL LoRAs by the down projection of attn2.to_k', () => {
    const sd15 = {
      'lora_te_text_model_encoder_layers_0_self_attn_k_proj.alpha': [],
      'lora_te_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [16, 768],
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.alpha': [],
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': [16, 768],
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': [320, 16],
    };
    expect(detectModelFamily(header(sd15))).toMatchObject({ family: 'sd15', kind: 'lora' });
    const sdxl = {
      'lora_te1_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [32, 768],
      'lora_te2_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [32, 1280],
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_down.weight': [32, 2048],
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_up.weight': [640, 32],
    };
    expect(detectModelFamily(header(sdxl))).toMatchObject({ family: 'sdxl', kind: 'lora' });
    const sdxlAttn1Only = { 'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': [8, 1280] };
    expect(detectModelFamily(header(sdxlAttn1Only))).toMatchObject({ family: 'sdxl', kind: 'lora' });
  });

  it('FLUX LoRAs (kohya and PEFT) and an SD3 PEFT LoRA', () => {
    const kohya = {
      'lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight': [16, 3072],
      'lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight': [9216, 16],
      'lora_unet_single_blocks_0_linear1.lora_down.weight': [16, 3072],
    };
    expect(detectModelFamily(header(kohya))).toMatchObject({ family: 'flux', kind: 'lora' });
    const peft = {
      'transformer.single_transformer_blocks.0.attn.to_k.lora_A.weight': [16, 3072],
      'transformer.single_transformer_blocks.0.attn.to_k.lora_B.weight': [3072, 16],
      'transformer.transformer_blocks.0.attn.add_k_proj.lora_A.weight': [16, 3072],
    };
    expect(detectModelFamily(header(peft))).toMatchObject({ family: 'flux', kind: 'lora' });
    const sd3Peft = {
      'transformer.transformer_blocks.0.attn.add_k_proj.lora_A.weight': [16, 1536],
      'transformer.transformer_blocks.0.attn.add_k_proj.lora_B.weight': [1536, 16],
    };
    expect(detectModelFamily(header(sd3Peft))).toMatchObject({ family: 'sd3', kind: 'lora' });
  });

  it('uses kohya ss_base_model_version', () => {
    const r = detectModelFamily(header({ 'lora_unet_foo.lora_down.weight': [4, 4] }, { ss_base_model_version: 'sdxl_base_v1-0' }));
    expect(r).toMatchObject({ family: 'sdxl', kind: 'lora', reason: 'ss_base_model_version "sdxl_base_v1-0"' });
  });
});

describe('modelspec', () => {
  it('modelspec.architecture wins over the tensors', () => {
    const r = detectModelFamily(header(SD15, { 'modelspec.architecture': 'stable-diffusion-xl-v1-base' }));
    expect(r).toEqual({ family: 'sdxl', kind: 'checkpoint', reason: 'modelspec.architecture "stable-diffusion-xl-v1-base"' });
  });

  it('maps the architectures ModelSpec defines', () => {
    const fam = (arch: string) => detectModelFamily({ tensors: [], metadata: { 'modelspec.architecture': arch } });
    expect(fam('stable-diffusion-v1')).toMatchObject({ family: 'sd15' });
    expect(fam('stable-diffusion-v1/lora')).toMatchObject({ family: 'sd15', kind: 'lora' });
    expect(fam('stable-diffusion-xl-v1-refiner')).toMatchObject({ family: 'sdxl', variant: 'refiner' });
    expect(fam('stable-diffusion-3-medium')).toMatchObject({ family: 'sd3', variant: 'medium' });
    expect(fam('stable-diffusion-3.5-large')).toMatchObject({ family: 'sd3', variant: 'large' });
    expect(fam('flux-1-dev')).toMatchObject({ family: 'flux', variant: 'dev' });
    expect(fam('Flux.1-schnell/lora')).toMatchObject({ family: 'flux', variant: 'schnell', kind: 'lora' });
    expect(fam('stable-video-diffusion-img2vid-v1')).toMatchObject({ family: 'svd' });
    expect(fam('stable-diffusion-v2-768-v')).toMatchObject({ family: 'unknown', variant: 'sd2', reason: 'modelspec.architecture "stable-diffusion-v2-768-v"' });
    expect(fam('stable-cascade-v1-prior')).toMatchObject({ family: 'unknown', reason: expect.stringMatching(/unrecognised/) });
  });

  it('an unrecognised architecture falls back to the tensors', () => {
    expect(detectModelFamily(header(SDXL_BASE, { 'modelspec.architecture': 'my-merge' })).family).toBe('sdxl');
  });

  it('never throws on odd input', () => {
    for (const bad of [undefined, null, {}, { tensors: null }, { tensors: [null, { name: 3 }] }, { tensors: [], metadata: null }]) {
      expect(detectModelFamily(bad as never).family).toBe('unknown');
    }
  });

  it('modelspecInfo extracts the human-facing fields', () => {
    const info = modelspecInfo({
      'modelspec.sai_model_spec': '1.0.0',
      'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
      'modelspec.implementation': 'https://github.com/Stability-AI/generative-models',
      'modelspec.title': 'Pixel Art XL',
      'modelspec.author': 'nerijs',
      'modelspec.description': 'Pixel art style LoRA for SDXL',
      'modelspec.date': '2023-08-10T12:00:00',
      'modelspec.resolution': '1024x1024',
      'modelspec.trigger_phrase': 'pixel art, pixelated, pixel art',
      'modelspec.tags': 'pixel, retro',
      'modelspec.license': 'CreativeML Open RAIL++-M',
      'modelspec.prediction_type': 'epsilon',
      'modelspec.thumbnail': 'https://example.com/thumb.png',
    });
    expect(info).toEqual({
      architecture: 'stable-diffusion-xl-v1-base/lora',
      implementation: 'https://github.com/Stability-AI/generative-models',
      title: 'Pixel Art XL',
      author: 'nerijs',
      description: 'Pixel art style LoRA for SDXL',
      date: '2023-08-10T12:00:00',
      resolution: { width: 1024, height: 1024 },
      triggerWords: ['pixel art', 'pixelated'],
      tags: ['pixel', 'retro'],
      license: 'CreativeML Open RAIL++-M',
      predictionType: 'epsilon',
    });
  });

  it('modelspecInfo falls back to kohya keys and tolerates nothing', () => {
    expect(modelspecInfo({ ss_output_name: 'my_lora', ss_resolution: '(512, 768)', 'modelspec.thumbnail': 'data:image/png;base64,iVBOR' })).toEqual({
      title: 'my_lora',
      resolution: { width: 512, height: 768 },
      thumbnail: 'data:image/png;base64,iVBOR',
      triggerWords: [],
      tags: [],
    });
    expect(modelspecInfo(undefined)).toEqual({ triggerWords: [], tags: [] });
  });
});
