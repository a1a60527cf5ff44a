import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Tensor name → shape. Real key names and shapes; the data written is one zero byte per element cap. */
export type TensorSpec = Record<string, number[]>;

/**
 * The bytes of a safetensors file as writers lay it out: u64 LE header length, JSON header padded with
 * spaces to 8 bytes, then the data section. Offsets claim the real sizes (F16), but the data section is
 * only `dataBytes` long: the reader must never need it.
 */
export function safetensorsBytes(tensors: TensorSpec, metadata?: Record<string, string>, dataBytes = 16): Buffer {
  const json: Record<string, unknown> = {};
  if (metadata) json.__metadata__ = metadata;
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const size = shape.reduce((a, b) => a * b, 1) * 2;
    json[name] = { dtype: 'F16', shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let text = JSON.stringify(json);
  while ((8 + Buffer.byteLength(text)) % 8 !== 0) text += ' ';
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(8 + body.length + dataBytes);
  out.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(out, 8);
  return out;
}

export async function writeModel(root: string, rel: string, bytes: Buffer | string): Promise<string> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

/** Abridged real layouts: enough keys for detection, tiny on disk. */
export const LAYOUTS = {
  sd15: {
    'cond_stage_model.transformer.text_model.embeddings.token_embedding.weight': [49408, 768],
    'first_stage_model.decoder.conv_out.weight': [3, 128, 3, 3],
    'model.diffusion_model.input_blocks.0.0.weight': [320, 4, 3, 3],
    'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight': [320, 768],
  },
  sdxl: {
    'conditioner.embedders.1.model.text_projection': [1280, 1280],
    'first_stage_model.decoder.conv_in.weight': [512, 4, 3, 3],
    'model.diffusion_model.input_blocks.0.0.weight': [320, 4, 3, 3],
    'model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight': [640, 2048],
    'model.diffusion_model.label_emb.0.0.weight': [1280, 2816],
  },
  sd35Large: Object.fromEntries([
    ['model.diffusion_model.context_embedder.weight', [2432, 4096]],
    ['model.diffusion_model.x_embedder.proj.weight', [2432, 16, 2, 2]],
    ...Array.from({ length: 38 }, (_, i) => [`model.diffusion_model.joint_blocks.${i}.x_block.attn.qkv.weight`, [7296, 2432]]),
  ]) as TensorSpec,
  fluxDev: {
    'double_blocks.0.img_attn.qkv.weight': [9216, 3072],
    'guidance_in.in_layer.weight': [3072, 256],
    'img_in.weight': [3072, 64],
    'single_blocks.0.linear1.weight': [21504, 3072],
    'vector_in.in_layer.weight': [3072, 768],
  },
  svd: {
    'conditioner.embedders.0.open_clip.model.visual.conv1.weight': [1280, 3, 14, 14],
    'model.diffusion_model.input_blocks.1.0.time_stack.in_layers.2.weight': [320, 320, 3, 1, 1],
    'model.diffusion_model.input_blocks.1.1.time_stack.0.attn2.to_k.weight': [320, 1024],
  },
  sdxlLora: {
    'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_down.weight': [16, 2048],
    'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_up.weight': [640, 16],
    'lora_te2_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [16, 1280],
  },
  vae: {
    'decoder.conv_in.weight': [512, 4, 3, 3],
    'encoder.conv_out.weight': [8, 512, 3, 3],
  },
} satisfies Record<string, TensorSpec>;
