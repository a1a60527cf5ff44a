/*
 * Generation metadata from a ComfyUI API-format graph — the JSON that ComfyUI embeds as the `prompt`
 * PNG text chunk (and as `"prompt:<json>"` EXIF strings in animated WEBP). Pure and defensive: any input,
 * however malformed, yields a (possibly empty) result and never throws.
 *
 * Shape (protocols/comfyui.md §3.1): `{ "<id>": { class_type, inputs: { name: literal | [srcId, outIndex] } } }`.
 * The graph holds every submitted node, executed or not, so the sampler is chosen among those that feed an
 * output node; of those, the first pass (no other sampler upstream of it) describes the generation.
 */
import type { GenerationMeta } from '../assets.js';

type Inputs = Record<string, unknown>;
interface GraphNode {
  id: string;
  type: string;
  inputs: Inputs;
}
/** The nodes, and a budget of lookups that bounds every walk (a crafted graph cannot make one explode). */
interface Graph {
  nodes: Map<string, GraphNode>;
  budget: number;
}
type Link = readonly [string, number];

/** A LoRA loader on the model path, with the strengths its inputs hold (undefined: not a number we could read). */
export interface ComfyLora {
  name: string;
  /** `strength_model` (LoraLoader, LoraLoaderModelOnly). */
  strengthModel?: number;
  /** `strength_clip` (LoraLoader only). */
  strengthClip?: number;
}

/** What `analyzeComfyPrompt` finds beyond GenerationMeta. */
export interface ComfyPromptInfo {
  meta: GenerationMeta;
  /** Id and class of the sampler node the metadata was read from. */
  samplerNodeId?: string;
  samplerType?: string;
  /** LoRA file names applied on the model path, nearest the sampler first. */
  loras: string[];
  /** The same LoRAs, in the same order, with their strengths. */
  loraRefs: ComfyLora[];
  /** FLUX-style distilled guidance (FluxGuidance / CLIPTextEncodeFlux), when present. */
  guidance?: number;
  denoise?: number;
  /** Video frame count (SVD_img2vid_Conditioning `video_frames`, `length` of video latents). */
  frames?: number;
}

const MAX_DEPTH = 64;
const LOOKUP_BUDGET = 200_000;
const MAX_SAMPLER_CANDIDATES = 32;

/** The node a link points at, spending one unit of the graph's budget. */
function nodeAt(g: Graph, id: string | undefined): GraphNode | undefined {
  if (id === undefined || g.budget <= 0) return undefined;
  g.budget--;
  return g.nodes.get(id);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function asLink(v: unknown): Link | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [id, index] = v as unknown[];
  if ((typeof id !== 'string' && typeof id !== 'number') || typeof index !== 'number' || !Number.isInteger(index)) {
    return undefined;
  }
  return [String(id), index];
}

function looksLikeGraph(v: Record<string, unknown>): boolean {
  return Object.values(v).some((n) => isObject(n) && typeof n.class_type === 'string');
}

/** Accepts the graph itself, its JSON text, a `/prompt` body (`{prompt: graph}`) or a history entry's `prompt` tuple. */
function toGraph(input: unknown): Graph {
  const graph: Graph = { nodes: new Map(), budget: LOOKUP_BUDGET };
  let raw: unknown = input;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return graph;
    }
  }
  if (Array.isArray(raw) && isObject(raw[2])) raw = raw[2]; // history: [number, prompt_id, graph, extra, outputs]
  if (!isObject(raw)) return graph;
  if (!looksLikeGraph(raw)) {
    const inner = raw.prompt;
    if (isObject(inner)) raw = inner;
    else if (Array.isArray(inner) && isObject(inner[2])) raw = inner[2];
    else return graph;
    if (!isObject(raw)) return graph;
  }
  for (const [id, node] of Object.entries(raw)) {
    if (!isObject(node) || typeof node.class_type !== 'string') continue;
    graph.nodes.set(id, { id, type: node.class_type, inputs: isObject(node.inputs) ? node.inputs : {} });
  }
  return graph;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

const NUMBER_KEYS = ['value', 'seed', 'noise_seed', 'int', 'integer', 'number', 'float', 'Value', 'INT', 'FLOAT'];
const STRING_KEYS = ['value', 'text', 'string', 'prompt', 'String', 'Text', 'STRING'];
const IGNORED_WIDGETS = new Set(['control_after_generate', 'control_before_generate']);

/**
 * A literal, or the value behind a link: primitive nodes (`PrimitiveInt`, `PrimitiveString`, "Int",
 * "Seed (rgthree)", …) expose it as `value`/`seed`/`text`/…; string-concatenation nodes are joined.
 */
function resolveNumber(g: Graph, v: unknown, hints: readonly string[] = [], depth = 0): number | undefined {
  const literal = toNumber(v);
  if (literal !== undefined) return literal;
  const link = asLink(v);
  if (!link || depth > MAX_DEPTH) return undefined;
  const node = nodeAt(g, link[0]);
  if (!node) return undefined;
  for (const key of [...hints, ...NUMBER_KEYS]) {
    if (!(key in node.inputs)) continue;
    const r = resolveNumber(g, node.inputs[key], hints, depth + 1);
    if (r !== undefined) return r;
  }
  const numeric = Object.entries(node.inputs).filter(
    ([k, x]) => !IGNORED_WIDGETS.has(k) && typeof x === 'number' && Number.isFinite(x),
  );
  return numeric.length === 1 ? (numeric[0]![1] as number) : undefined;
}

function resolveString(g: Graph, v: unknown, hints: readonly string[] = [], depth = 0): string | undefined {
  if (typeof v === 'string') return v;
  const link = asLink(v);
  if (!link || depth > MAX_DEPTH) return undefined;
  const node = nodeAt(g, link[0]);
  if (!node) return undefined;
  if (/concat/i.test(node.type)) {
    const parts = Object.keys(node.inputs)
      .filter((k) => /^(string|text)_?[a-z0-9]$/i.test(k))
      .sort()
      .map((k) => resolveString(g, node.inputs[k], [], depth + 1))
      .filter((s): s is string => s !== undefined && s !== '');
    if (parts.length > 0) {
      const delimiter = typeof node.inputs.delimiter === 'string' ? node.inputs.delimiter : '';
      return parts.join(delimiter);
    }
  }
  for (const key of [...hints, ...STRING_KEYS]) {
    if (!(key in node.inputs)) continue;
    const r = resolveString(g, node.inputs[key], hints, depth + 1);
    if (r !== undefined) return r;
  }
  const strings = Object.entries(node.inputs).filter(([k, x]) => !IGNORED_WIDGETS.has(k) && typeof x === 'string');
  return strings.length === 1 ? (strings[0]![1] as string) : undefined;
}

const linkInput = (node: GraphNode, ...names: string[]): Link | undefined => {
  for (const name of names) {
    const l = asLink(node.inputs[name]);
    if (l) return l;
  }
  return undefined;
};

// ---- samplers -----------------------------------------------------------------------------------

const SAMPLER_TYPES = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);

function isSampler(node: GraphNode): boolean {
  if (SAMPLER_TYPES.has(node.type)) return true;
  // Custom samplers ("KSampler (Efficient)", …): a latent in, conditioning or a guider in.
  return (
    asLink(node.inputs.latent_image) !== undefined &&
    (asLink(node.inputs.positive) !== undefined || asLink(node.inputs.guider) !== undefined)
  );
}

const isOutputNode = (node: GraphNode): boolean => /save|preview|videocombine/i.test(node.type);

/** Every node id reachable upstream of `starts` through link inputs (excluding the starts themselves, unless on a cycle). */
function ancestors(g: Graph, starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const node = g.nodes.get(stack.pop()!); // visited-set bounded: O(nodes + links), no budget needed
    if (!node) continue;
    for (const v of Object.values(node.inputs)) {
      const l = asLink(v);
      if (l && !seen.has(l[0])) {
        seen.add(l[0]);
        stack.push(l[0]);
      }
    }
  }
  if (starts.length === 1) seen.delete(starts[0]!);
  return seen;
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function pickSampler(g: Graph): GraphNode | undefined {
  const samplers = [...g.nodes.values()].filter(isSampler);
  if (samplers.length <= 1) return samplers[0];
  const feeding = ancestors(g, [...g.nodes.values()].filter(isOutputNode).map((n) => n.id));
  let candidates = samplers.filter((s) => feeding.has(s.id));
  if (candidates.length === 0) candidates = samplers;
  candidates = candidates.sort((a, b) => compareIds(a.id, b.id)).slice(0, MAX_SAMPLER_CANDIDATES);
  const upstream = new Map(candidates.map((s) => [s.id, ancestors(g, [s.id])]));
  const firstPass = candidates.filter((s) => !candidates.some((o) => o !== s && upstream.get(s.id)!.has(o.id)));
  const pool = firstPass.length > 0 ? firstPass : candidates;
  return [...pool].sort((a, b) => compareIds(a.id, b.id))[0];
}

const SAMPLER_CLASS_NAMES: Record<string, string> = {
  SamplerEulerAncestral: 'euler_ancestral',
  SamplerEulerAncestralCFGPP: 'euler_ancestral_cfg_pp',
  SamplerDPMPP_2M_SDE: 'dpmpp_2m_sde',
  SamplerDPMPP_3M_SDE: 'dpmpp_3m_sde',
  SamplerDPMPP_SDE: 'dpmpp_sde',
  SamplerDPMPP_2S_Ancestral: 'dpmpp_2s_ancestral',
  SamplerDPMAdaptative: 'dpm_adaptive',
  SamplerLMS: 'lms',
  SamplerER_SDE: 'er_sde',
  SamplerSASolver: 'sa_solver',
};

const SCHEDULER_CLASS_NAMES: Record<string, string> = {
  KarrasScheduler: 'karras',
  ExponentialScheduler: 'exponential',
  PolyexponentialScheduler: 'polyexponential',
  BetaSamplingScheduler: 'beta',
  AlignYourStepsScheduler: 'align_your_steps',
  SDTurboScheduler: 'sd_turbo',
  LaplaceScheduler: 'laplace',
  VPScheduler: 'vp',
  GITSScheduler: 'gits',
  LTXVScheduler: 'ltxv',
  OptimalStepsScheduler: 'optimal_steps',
};

interface SamplerParts {
  model?: Link;
  positive?: Link;
  negative?: Link;
  latent?: Link;
  seed?: number;
  steps?: number;
  cfg?: number;
  sampler?: string;
  scheduler?: string;
  denoise?: number;
}

function readSampler(g: Graph, node: GraphNode): SamplerParts {
  const i = node.inputs;
  const p: SamplerParts = {
    model: linkInput(node, 'model'),
    positive: linkInput(node, 'positive'),
    negative: linkInput(node, 'negative'),
    latent: linkInput(node, 'latent_image', 'latent', 'samples'),
    seed: resolveNumber(g, i.seed ?? i.noise_seed, ['seed', 'noise_seed']),
    steps: resolveNumber(g, i.steps, ['steps']),
    cfg: resolveNumber(g, i.cfg, ['cfg']),
    sampler: resolveString(g, i.sampler_name, ['sampler_name']),
    scheduler: resolveString(g, i.scheduler, ['scheduler']),
    denoise: resolveNumber(g, i.denoise, ['denoise']),
  };

  const noise = nodeAt(g, linkInput(node, 'noise')?.[0]);
  if (noise && p.seed === undefined) {
    p.seed = resolveNumber(g, noise.inputs.noise_seed ?? noise.inputs.seed, ['noise_seed', 'seed']);
  }

  const guider = nodeAt(g, linkInput(node, 'guider')?.[0]);
  if (guider) {
    p.model ??= linkInput(guider, 'model');
    p.positive ??= linkInput(guider, 'positive', 'conditioning', 'cond1');
    p.negative ??= linkInput(guider, 'negative');
    p.cfg ??= resolveNumber(g, guider.inputs.cfg ?? guider.inputs.cfg_conds, ['cfg']);
  }

  const sampler = nodeAt(g, linkInput(node, 'sampler')?.[0]);
  if (sampler && p.sampler === undefined) {
    p.sampler = resolveString(g, sampler.inputs.sampler_name, ['sampler_name']) ?? SAMPLER_CLASS_NAMES[sampler.type];
  }

  // SIGMAS: BasicScheduler and friends, possibly behind SplitSigmas / FlipSigmas.
  let sigmas = nodeAt(g, linkInput(node, 'sigmas')?.[0]);
  for (let hop = 0; sigmas && hop < 8; hop++) {
    if ('steps' in sigmas.inputs || 'scheduler' in sigmas.inputs || SCHEDULER_CLASS_NAMES[sigmas.type]) {
      p.steps ??= resolveNumber(g, sigmas.inputs.steps, ['steps']);
      p.scheduler ??= resolveString(g, sigmas.inputs.scheduler, ['scheduler']) ?? SCHEDULER_CLASS_NAMES[sigmas.type];
      p.denoise ??= resolveNumber(g, sigmas.inputs.denoise, ['denoise']);
      p.model ??= linkInput(sigmas, 'model');
      break;
    }
    sigmas = nodeAt(g, linkInput(sigmas, 'sigmas')?.[0]);
  }
  return p;
}

// ---- conditioning → prompt text -----------------------------------------------------------------

/** Text-bearing inputs of text-encode nodes, in the order they are reported. */
const TEXT_FIELDS = ['text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'prompt', 'user_prompt', 'bert', 'mt5xl', 'llama'];

function isTextEncoder(node: GraphNode): boolean {
  if (!TEXT_FIELDS.some((f) => f in node.inputs)) return false;
  return asLink(node.inputs.clip) !== undefined || /encode|prompt/i.test(node.type);
}

interface TextWalk {
  texts: string[];
  guidance?: number;
  seen: Set<string>;
}

function collectTexts(g: Graph, link: Link | undefined, walk: TextWalk, depth = 0): void {
  if (!link || depth > MAX_DEPTH) return;
  const key = `${link[0]}:${link[1]}`;
  if (walk.seen.has(key)) return;
  walk.seen.add(key);
  const node = nodeAt(g, link[0]);
  if (!node) return;
  if (walk.guidance === undefined && 'guidance' in node.inputs) {
    walk.guidance = resolveNumber(g, node.inputs.guidance, ['guidance']);
  }
  if (/ZeroOut/i.test(node.type)) return; // conditioning zeroed: contributes no text
  if (isTextEncoder(node)) {
    for (const f of TEXT_FIELDS) {
      if (!(f in node.inputs)) continue;
      const text = resolveString(g, node.inputs[f], [f])?.trim();
      if (text && !walk.texts.includes(text)) walk.texts.push(text);
    }
    return;
  }
  // Nodes that carry both (ControlNetApplyAdvanced, InpaintModelConditioning, WanImageToVideo, …):
  // output 0 is the positive, output 1 the negative.
  const pos = linkInput(node, 'positive');
  const neg = linkInput(node, 'negative');
  if (pos || neg) {
    if (link[1] === 0) collectTexts(g, pos, walk, depth + 1);
    else if (link[1] === 1) collectTexts(g, neg, walk, depth + 1);
    return;
  }
  // Pass-through and combining nodes (FluxGuidance, ConditioningCombine, ConditioningSetArea, …).
  for (const [name, v] of Object.entries(node.inputs)) {
    if (!/^(conditioning|cond\d*$)/i.test(name)) continue;
    collectTexts(g, asLink(v), walk, depth + 1);
  }
}

// ---- model and latent ---------------------------------------------------------------------------

const LOADER_KEYS = ['ckpt_name', 'unet_name', 'gguf_name', 'model_name', 'base_ckpt_name', 'model_path'];

function findModel(g: Graph, link: Link | undefined): { model?: string; loras: ComfyLora[] } {
  const loras: ComfyLora[] = [];
  const seen = new Set<string>();
  let node = link ? nodeAt(g, link[0]) : undefined;
  while (node && !seen.has(node.id) && seen.size < MAX_DEPTH) {
    seen.add(node.id);
    for (const key of LOADER_KEYS) {
      if (!(key in node.inputs)) continue;
      const name = resolveString(g, node.inputs[key], [key]);
      if (name) return { model: name, loras };
    }
    const lora = 'lora_name' in node.inputs ? resolveString(g, node.inputs.lora_name, ['lora_name']) : undefined;
    if (lora && lora !== 'None') {
      const strengthModel = resolveNumber(g, node.inputs.strength_model, ['strength_model']);
      const strengthClip = resolveNumber(g, node.inputs.strength_clip, ['strength_clip']);
      loras.push({ name: lora, ...(strengthModel !== undefined && { strengthModel }), ...(strengthClip !== undefined && { strengthClip }) });
    }
    const next = linkInput(node, 'model', 'model1', 'unet', 'base_model');
    node = next ? nodeAt(g, next[0]) : undefined;
  }
  return { loras };
}

function findAnyLoader(g: Graph): string | undefined {
  for (const node of [...g.nodes.values()].sort((a, b) => compareIds(a.id, b.id))) {
    for (const key of ['ckpt_name', 'unet_name', 'gguf_name']) {
      const name = typeof node.inputs[key] === 'string' ? (node.inputs[key] as string) : undefined;
      if (name) return name;
    }
  }
  return undefined;
}

function findLatent(g: Graph, link: Link | undefined): { width?: number; height?: number; frames?: number } {
  let scale = 1;
  const seen = new Set<string>();
  let node = link ? nodeAt(g, link[0]) : undefined;
  while (node && !seen.has(node.id) && seen.size < MAX_DEPTH) {
    seen.add(node.id);
    const i = node.inputs;
    if ('width' in i && 'height' in i) {
      const width = resolveNumber(g, i.width, ['width']);
      const height = resolveNumber(g, i.height, ['height']);
      if (width !== undefined && height !== undefined) {
        const frames = resolveNumber(g, i.video_frames ?? i.length, ['video_frames', 'length']);
        return { width: Math.round(width * scale), height: Math.round(height * scale), ...(frames !== undefined && { frames }) };
      }
    }
    if ('scale_by' in i) scale *= resolveNumber(g, i.scale_by, ['scale_by']) ?? 1;
    const next = linkInput(node, 'samples', 'latent', 'latent_image', 'pixels', 'image', 'images', 'init_image');
    node = next ? nodeAt(g, next[0]) : undefined;
  }
  return {};
}

// ---- public API ---------------------------------------------------------------------------------

/** Everything the parser can tell about a ComfyUI API graph. Never throws. */
export function analyzeComfyPrompt(graph: unknown): ComfyPromptInfo {
  try {
    return analyze(toGraph(graph));
  } catch {
    return { meta: {}, loras: [], loraRefs: [] }; // defensive: the walk is bounded, but input is untrusted
  }
}

function analyze(g: Graph): ComfyPromptInfo {
  const info: ComfyPromptInfo = { meta: {}, loras: [], loraRefs: [] };
  const node = pickSampler(g);
  if (!node) {
    const model = findAnyLoader(g);
    if (model) info.meta.model = model;
    return info;
  }
  const p = readSampler(g, node);
  const positive: TextWalk = { texts: [], seen: new Set() };
  const negative: TextWalk = { texts: [], seen: new Set() };
  collectTexts(g, p.positive, positive);
  collectTexts(g, p.negative, negative);
  const { model, loras } = findModel(g, p.model);
  const latent = findLatent(g, p.latent);

  const meta: GenerationMeta = {};
  if (model) meta.model = model;
  if (positive.texts.length > 0) meta.prompt = positive.texts.join('\n');
  if (negative.texts.length > 0) meta.negativePrompt = negative.texts.join('\n');
  if (p.seed !== undefined) meta.seed = p.seed;
  if (p.steps !== undefined) meta.steps = p.steps;
  if (p.cfg !== undefined) meta.cfg = p.cfg;
  if (p.sampler) meta.sampler = p.sampler;
  if (p.scheduler) meta.scheduler = p.scheduler;
  if (latent.width !== undefined) meta.width = latent.width;
  if (latent.height !== undefined) meta.height = latent.height;

  info.meta = meta;
  info.samplerNodeId = node.id;
  info.samplerType = node.type;
  info.loras = loras.map((l) => l.name);
  info.loraRefs = loras;
  if (positive.guidance !== undefined) info.guidance = positive.guidance;
  if (p.denoise !== undefined) info.denoise = p.denoise;
  if (latent.frames !== undefined) info.frames = latent.frames;
  return info;
}

/**
 * GenerationMeta from a ComfyUI API graph (parsed JSON of the `prompt` chunk, or its text): model,
 * prompt, negativePrompt, seed, steps, cfg, sampler, scheduler, width, height — whatever can be found.
 */
export function metaFromComfyPrompt(graph: unknown): GenerationMeta {
  return analyzeComfyPrompt(graph).meta;
}

/**
 * One EXIF ASCII value written by ComfyUI's SaveAnimatedWEBP: `"<key>:<json>"` (Model tag = `prompt:{…}`,
 * Make = `workflow:{…}`, …). Returns the key, the raw JSON text and the parsed value, or null.
 */
export function parseComfyExifValue(value: string): { key: string; json: string; value: unknown } | null {
  if (typeof value !== 'string') return null;
  const m = /^\s*([A-Za-z_][\w .-]*?):\s*([[{][\s\S]*)$/.exec(value.replace(/\0+$/, ''));
  if (!m) return null;
  const json = m[2]!.trim();
  try {
    return { key: m[1]!, json, value: JSON.parse(json) as unknown };
  } catch {
    return null;
  }
}

/** The ComfyUI EXIF strings of an animated WEBP as a chunk map (`{prompt: json, workflow: json}`) for metaFromPngText. */
export function comfyExifToText(values: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const parsed = parseComfyExifValue(v);
    if (parsed && !(parsed.key in out)) out[parsed.key] = parsed.json;
  }
  return out;
}
