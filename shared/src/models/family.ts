/*
 * Model family from a safetensors header: tensor names and shapes, and the `__metadata__` map.
 *
 * Order of evidence: SAI ModelSpec `modelspec.architecture`, kohya's `ss_base_model_version` (LoRAs), then
 * the tensors themselves. Covers the original (ldm / sgm / BFL / SAI) layouts with or without the
 * `model.diffusion_model.` prefix, diffusers layouts, and kohya / PEFT LoRA naming.
 */

export type ModelFamily = 'sd15' | 'sdxl' | 'sd3' | 'flux' | 'svd' | 'unknown';
export type ModelFileKind = 'checkpoint' | 'diffusion_model' | 'lora';

export interface ModelFamilyResult {
  family: ModelFamily;
  /** Human-readable evidence, e.g. `cross-attention context dim 2048 (SDXL base)`. */
  reason: string;
  /** Finer detail where the weights tell: `dev`, `schnell`, `fill`, `refiner`, `inpaint`, `medium`, `large`, … */
  variant?: string;
  /** A full checkpoint (with text encoders / VAE), a bare diffusion model (UNETLoader), or a LoRA-style adapter. */
  kind?: ModelFileKind;
}

/** The parts of a parsed header that detection reads (parseSafetensorsHeader's result fits). */
export interface ModelHeaderLike {
  tensors: ReadonlyArray<{ name: string; shape?: readonly number[] }>;
  metadata?: Readonly<Record<string, string>>;
}

function familyFromArchitecture(arch: string): { family: ModelFamily; variant?: string } | undefined {
  const a = arch.trim().toLowerCase();
  if (/stable-video-diffusion|(^|[^a-z])svd/.test(a)) return { family: 'svd' };
  if (/flux/.test(a)) {
    const variant = /schnell/.test(a) ? 'schnell' : /dev/.test(a) ? 'dev' : undefined;
    return variant ? { family: 'flux', variant } : { family: 'flux' };
  }
  if (/stable-diffusion-3|(^|[^a-z])sd-?3/.test(a)) {
    const variant = /large/.test(a) ? 'large' : /medium/.test(a) ? 'medium' : undefined;
    return variant ? { family: 'sd3', variant } : { family: 'sd3' };
  }
  if (/stable-diffusion-xl|sdxl/.test(a)) return /refiner/.test(a) ? { family: 'sdxl', variant: 'refiner' } : { family: 'sdxl' };
  if (/stable-diffusion-v1(?![0-9])|(^|[^a-z])sd-?v?1[-._]?5/.test(a)) return { family: 'sd15' };
  if (/stable-diffusion-v2(?![0-9])/.test(a)) return { family: 'unknown', variant: 'sd2' }; // a known family we do not list
  return undefined;
}

/** kohya-ss `ss_base_model_version`: `sd_v1`, `sd_v2`, `sdxl_base_v1-0`, `sd3`, `flux1`, … */
function familyFromKohya(version: string): ModelFamily | undefined {
  const v = version.trim().toLowerCase();
  if (v.startsWith('sdxl')) return 'sdxl';
  if (v.startsWith('sd_v1') || v === 'sd1' || v === 'sd15') return 'sd15';
  if (v.startsWith('sd3')) return 'sd3';
  if (v.startsWith('flux')) return 'flux';
  return undefined;
}

const LORA_KEY = /(^|[._])lora_(down|up|A|B)[._]|\.lora\.(down|up)\.|_lora\.(down|up)\.|(^|\.)(hada|lokr)_w\d|\.oft_/;

function fileKind(names: readonly string[], arch: string | undefined): ModelFileKind {
  if ((arch && /\/(lora|lycoris)/i.test(arch)) || names.some((n) => LORA_KEY.test(n))) return 'lora';
  const full = names.some((n) =>
    /^(first_stage_model|vae|cond_stage_model|conditioner|text_encoders|text_encoder(_\d)?)\./.test(n),
  );
  return full ? 'checkpoint' : 'diffusion_model';
}

interface Index {
  names: string[];
  shapes: Map<string, readonly number[]>;
}

const find = (ix: Index, re: RegExp): string | undefined => ix.names.find((n) => re.test(n));
const shapeOf = (ix: Index, re: RegExp): readonly number[] | undefined => {
  const name = find(ix, re);
  return name === undefined ? undefined : ix.shapes.get(name);
};
function maxIndex(ix: Index, re: RegExp): number {
  let max = -1;
  for (const n of ix.names) {
    const m = re.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

function detectFlux(ix: Index): ModelFamilyResult | undefined {
  // BFL layout: double_blocks.N.img_attn.qkv (HunyuanVideo, also double/single blocks, writes img_attn_qkv).
  const bfl = find(ix, /(^|\.)double_blocks\.\d+\.img_attn\.qkv\./) ?? find(ix, /^lora_unet_double_blocks_\d+_img_attn_qkv\./);
  if (bfl) {
    let variant: string | undefined;
    const imgIn = shapeOf(ix, /(^|\.)img_in\.weight$/);
    if (find(ix, /(^|\.)distilled_guidance_layer\./)) variant = 'chroma';
    else if (imgIn && imgIn[1] === 384) variant = 'fill';
    else if (imgIn && imgIn[1] === 128) variant = 'control';
    else if (find(ix, /(^|\.)guidance_in\./)) variant = 'dev';
    else if (find(ix, /(^|\.)vector_in\./)) variant = 'schnell';
    return { family: 'flux', reason: `FLUX double/single-stream blocks (${bfl})`, ...(variant && { variant }) };
  }
  if (find(ix, /^lora_unet_single_blocks_\d+_linear1\./)) {
    return { family: 'flux', reason: 'kohya LoRA on FLUX single_blocks' };
  }
  // diffusers FluxTransformer2DModel: x_embedder is a Linear (AuraFlow has pos_embed, HunyuanVideo x_embedder.proj).
  const single = find(ix, /(^|\.)single_transformer_blocks\.\d+\./);
  if (single && !find(ix, /(^|\.)pos_embed\./) && !find(ix, /(^|\.)token_refiner\./)) {
    if (find(ix, /(^|\.)x_embedder\.weight$/)) {
      const dev = find(ix, /(^|\.)time_text_embed\.guidance_embedder\./);
      return { family: 'flux', reason: 'diffusers FLUX transformer (single_transformer_blocks, x_embedder)', ...(dev && { variant: 'dev' }) };
    }
    if (LORA_KEY.test(single)) return { family: 'flux', reason: `diffusers-format LoRA on FLUX single_transformer_blocks (${single})` };
  }
  return undefined;
}

function detectSd3(ix: Index): ModelFamilyResult | undefined {
  const joint = find(ix, /(^|\.)joint_blocks\.\d+\.(context|x)_block\./) ?? find(ix, /^lora_unet_joint_blocks_\d+_/);
  if (joint) {
    const depth = maxIndex(ix, /(?:^|\.)joint_blocks\.(\d+)\./) + 1;
    let variant: string | undefined;
    if (find(ix, /(^|\.)joint_blocks\.\d+\.x_block\.attn2\./)) variant = '3.5-medium';
    else if (depth === 38) variant = 'large';
    else if (depth === 24) variant = 'medium';
    return { family: 'sd3', reason: `MMDiT joint blocks (${joint})`, ...(variant && { variant }) };
  }
  // diffusers SD3Transformer2DModel: joint attention (add_q_proj), a patch pos_embed and no single-stream blocks.
  if (
    find(ix, /(^|\.)transformer_blocks\.\d+\.attn\.add_q_proj\.weight$/) &&
    find(ix, /(^|\.)pos_embed\.proj\.weight$/) &&
    find(ix, /(^|\.)context_embedder\.weight$/) &&
    !find(ix, /(^|\.)single_transformer_blocks\./)
  ) {
    return { family: 'sd3', reason: 'diffusers SD3 transformer (joint attention, pos_embed.proj, context_embedder)' };
  }
  // PEFT LoRA on an MMDiT: hidden size 1536 (SD3 / 3.5 medium) or 2432 (3.5 large); FLUX is 3072.
  const peft = find(ix, /(^|\.)transformer_blocks\.\d+\.attn\.add_k_proj\.lora_A\.weight$/);
  if (peft && !find(ix, /(^|\.)single_transformer_blocks\./)) {
    const hidden = ix.shapes.get(peft)?.[1];
    if (hidden === 1536 || hidden === 2432) return { family: 'sd3', reason: `LoRA on joint attention with hidden size ${hidden}` };
  }
  return undefined;
}

function detectSvd(ix: Index): ModelFamilyResult | undefined {
  const temporal =
    find(ix, /(^|\.)(input|middle|output)_blocks?\.\d+(\.\d+)?\.time_stack\./) ??
    find(ix, /(^|\.)(temporal_res_block|temporal_transformer_blocks)\./);
  if (temporal) return { family: 'svd', reason: `spatio-temporal UNet (${temporal})` };
  const vision = find(ix, /^conditioner\.embedders\.\d+\.open_clip\.model\.visual\./);
  if (vision) return { family: 'svd', reason: `image-conditioned (CLIP vision) conditioner (${vision})` };
  return undefined;
}

/** Context dim of the UNet's cross-attention, from a checkpoint tensor or a LoRA's down projection. */
const ATTN2_TO_K = /(^|[._])attn2[._](to_k(\.weight|\.lora_down\.weight|\.lora_A\.weight)|processor\.to_k_lora\.down\.weight)$/;

function detectUnet(ix: Index): ModelFamilyResult | undefined {
  const key = find(ix, ATTN2_TO_K);
  const ctx = key === undefined ? undefined : ix.shapes.get(key)?.[1];
  const inChannels = shapeOf(ix, /(^|\.)input_blocks\.0\.0\.weight$/)?.[1] ?? shapeOf(ix, /^(unet\.)?conv_in\.weight$/)?.[1];
  const unetVariant = inChannels === 9 ? 'inpaint' : inChannels === 8 ? 'instruct-pix2pix' : undefined;
  if (ctx === 768) {
    return { family: 'sd15', reason: `cross-attention context dim 768 (${key})`, ...(unetVariant && { variant: unetVariant }) };
  }
  if (ctx === 2048) {
    return { family: 'sdxl', reason: `cross-attention context dim 2048 (${key})`, ...(unetVariant && { variant: unetVariant }) };
  }
  if (ctx === 1280) return { family: 'sdxl', variant: 'refiner', reason: `cross-attention context dim 1280, SDXL refiner (${key})` };
  if (ctx === 1024) return { family: 'unknown', reason: `cross-attention context dim 1024: Stable Diffusion 2.x (${key})` };
  if (ctx !== undefined) return { family: 'unknown', reason: `UNet with unrecognised context dim ${ctx} (${key})` };
  return undefined;
}

/** Weaker hints: text-encoder layout and SDXL's size-conditioning embedding. */
function detectFromHints(ix: Index): ModelFamilyResult | undefined {
  const sdxlTe = find(ix, /^conditioner\.embedders\.1\.model\./) ?? find(ix, /^lora_te2_/);
  if (sdxlTe) return { family: 'sdxl', reason: `SDXL second text encoder (${sdxlTe})` };
  const label = shapeOf(ix, /(^|\.)label_emb\.0\.0\.weight$/);
  if (label?.[1] === 2816) return { family: 'sdxl', reason: 'label_emb with 2816 inputs (SDXL size conditioning)' };
  if (label?.[1] === 2560) return { family: 'sdxl', variant: 'refiner', reason: 'label_emb with 2560 inputs (SDXL refiner)' };
  const clipL = find(ix, /^cond_stage_model\.transformer\./);
  if (clipL) return { family: 'sd15', reason: `CLIP ViT-L text encoder as cond_stage_model (${clipL})` };
  const te = find(ix, /^lora_te_text_model_encoder_layers_\d+_self_attn_k_proj\.lora_down\.weight$/);
  const teDim = te === undefined ? undefined : ix.shapes.get(te)?.[1];
  if (teDim === 768) return { family: 'sd15', reason: `LoRA on a 768-wide CLIP text encoder (${te})` };
  return undefined;
}

/**
 * Family hints in a model's file name or relative path (folder names count: `SDXL/foo.safetensors`),
 * for files whose header says nothing (pickles, VAEs, models only a backend reports) and for picking a
 * request's template. First match wins, so the more specific patterns come first.
 */
const NAME_RULES: ReadonlyArray<{ family: Exclude<ModelFamily, 'unknown'>; pattern: RegExp }> = [
  { family: 'svd', pattern: /(^|[^a-z])svd([^a-z]|$)|stable[-_ ]?video/ },
  { family: 'flux', pattern: /flux/ },
  { family: 'sd3', pattern: /(^|[^a-z])sd[-_ ]?3|stable[-_ ]?diffusion[-_ ]?3/ },
  { family: 'sdxl', pattern: /sdxl|sd[-_ ]xl/ },
  { family: 'sd15', pattern: /v1[-_.]5|sd[-_ ]?1[-_.]?5([^0-9]|$)/ },
];

/** The family a model's name or relative path hints at, if any (case-insensitive). */
export function familyFromModelName(nameOrPath: string): Exclude<ModelFamily, 'unknown'> | undefined {
  const name = nameOrPath.toLowerCase();
  return NAME_RULES.find((r) => r.pattern.test(name))?.family;
}

/** Model family of a safetensors file from its header. Never throws. */
export function detectModelFamily(header: ModelHeaderLike): ModelFamilyResult {
  const tensors = Array.isArray(header?.tensors) ? header.tensors : [];
  const metadata: Readonly<Record<string, string>> =
    header?.metadata && typeof header.metadata === 'object' ? header.metadata : {};
  const ix: Index = { names: [], shapes: new Map() };
  for (const t of tensors) {
    if (!t || typeof t.name !== 'string') continue;
    ix.names.push(t.name);
    if (Array.isArray(t.shape)) ix.shapes.set(t.name, t.shape);
  }
  const arch = typeof metadata['modelspec.architecture'] === 'string' ? metadata['modelspec.architecture'] : undefined;
  const kind = ix.names.length > 0 || arch ? fileKind(ix.names, arch) : undefined;
  const withKind = (r: ModelFamilyResult): ModelFamilyResult => (kind ? { ...r, kind } : r);

  if (arch) {
    const m = familyFromArchitecture(arch);
    if (m) return withKind({ ...m, reason: `modelspec.architecture "${arch}"` });
  }
  const kohya = metadata.ss_base_model_version;
  if (typeof kohya === 'string') {
    const family = familyFromKohya(kohya);
    if (family) return withKind({ family, reason: `ss_base_model_version "${kohya}"` });
  }
  if (ix.names.length === 0) {
    return withKind({ family: 'unknown', reason: arch ? `unrecognised modelspec.architecture "${arch}" and no tensors` : 'no tensors' });
  }
  const found = detectFlux(ix) ?? detectSd3(ix) ?? detectSvd(ix) ?? detectUnet(ix) ?? detectFromHints(ix);
  if (found) return withKind(found);
  return withKind({
    family: 'unknown',
    reason: arch ? `unrecognised modelspec.architecture "${arch}" and no known tensor layout` : 'no known tensor layout',
  });
}

export interface ModelSpecInfo {
  architecture?: string;
  implementation?: string;
  title?: string;
  description?: string;
  author?: string;
  date?: string;
  license?: string;
  resolution?: { width: number; height: number };
  triggerWords: string[];
  tags: string[];
  usageHint?: string;
  predictionType?: string;
  hash?: string;
  /** A data: URL, only when it is one (never a remote address). */
  thumbnail?: string;
}

function parseResolution(v: string | undefined): { width: number; height: number } | undefined {
  if (!v || v.length > 64) return undefined;
  const m = /^\s*\(?\s*(\d+)\s*[x×,*]\s*(\d+)\s*\)?\s*$/i.exec(v);
  if (!m) return undefined;
  const width = Number(m[1]);
  const height = Number(m[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function splitList(v: string | undefined): string[] {
  if (!v) return [];
  const out: string[] = [];
  for (const part of v.split(/[,\n]/)) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * The human-facing fields of SAI ModelSpec metadata (`modelspec.*`), with kohya's `ss_*` keys as
 * fallback for title and resolution. Missing fields are left out; lists are empty when absent.
 */
export function modelspecInfo(metadata: Readonly<Record<string, string>> | undefined): ModelSpecInfo {
  const md = metadata && typeof metadata === 'object' ? metadata : {};
  const get = (k: string): string | undefined => {
    const v = Object.prototype.hasOwnProperty.call(md, k) ? md[k] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const info: ModelSpecInfo = { triggerWords: splitList(get('modelspec.trigger_phrase')), tags: splitList(get('modelspec.tags')) };
  const fields: Array<[keyof ModelSpecInfo, string, string?]> = [
    ['architecture', 'modelspec.architecture'],
    ['implementation', 'modelspec.implementation'],
    ['title', 'modelspec.title', 'ss_output_name'],
    ['description', 'modelspec.description'],
    ['author', 'modelspec.author'],
    ['date', 'modelspec.date'],
    ['license', 'modelspec.license'],
    ['usageHint', 'modelspec.usage_hint'],
    ['predictionType', 'modelspec.prediction_type'],
    ['hash', 'modelspec.hash_sha256'],
  ];
  for (const [field, key, fallback] of fields) {
    const v = get(key) ?? (fallback ? get(fallback) : undefined);
    if (v !== undefined) (info as unknown as Record<string, string>)[field] = v;
  }
  const resolution = parseResolution(get('modelspec.resolution')) ?? parseResolution(get('ss_resolution'));
  if (resolution) info.resolution = resolution;
  const thumb = get('modelspec.thumbnail');
  if (thumb && /^data:image\/[a-z+.-]+;base64,/i.test(thumb)) info.thumbnail = thumb;
  return info;
}
