import { randomBytes } from 'node:crypto';
import { MAX_SEED, type ComfyJobRequest, type GenerationMeta } from '@orchestrator/shared';

/*
 * Workflow templates are data: an API-format graph whose literal inputs may be `{ $bind: name }`
 * placeholders, filled from the request (protocol §3.3). The same table lets us read the values back
 * out of a graph the backend ran (history or queue), so a reconciled job reports the seed it really used.
 */

export interface Binding {
  $bind: keyof Txt2ImgBindings;
}

export interface TemplateNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title: string };
}

export interface WorkflowTemplate {
  id: string;
  graph: Record<string, TemplateNode>;
}

export interface Txt2ImgBindings {
  model: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: string;
  scheduler: string;
  width: number;
  height: number;
  batchSize: number;
  denoise: number;
  filenamePrefix: string;
}

const b = (name: keyof Txt2ImgBindings): Binding => ({ $bind: name });

export const TXT2IMG: WorkflowTemplate = {
  id: 'txt2img',
  graph: {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: b('model') } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: b('width'), height: b('height'), batch_size: b('batchSize') } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: b('prompt'), clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: b('negativePrompt'), clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: b('seed'),
        steps: b('steps'),
        cfg: b('cfg'),
        sampler_name: b('sampler'),
        scheduler: b('scheduler'),
        denoise: b('denoise'),
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: b('filenamePrefix'), images: ['8', 0] } },
  },
};

export const TXT2IMG_DEFAULTS = {
  model: 'sd_xl_base_1.0.safetensors',
  steps: 20,
  cfg: 7,
  sampler: 'euler',
  scheduler: 'normal',
  batchSize: 1,
  denoise: 1,
  size: 1024,
} as const;

/** Native resolution by model family, matched on the checkpoint name; first match wins. */
export const MODEL_FAMILY_SIZES: readonly { family: string; pattern: RegExp; size: number }[] = [
  { family: 'sd15', pattern: /v1-5|v1_5|sd15|sd-1\.5|sd1\.5|sd_1\.5/i, size: 512 },
];

export function nativeSize(model: string): number {
  return MODEL_FAMILY_SIZES.find((f) => f.pattern.test(model))?.size ?? TXT2IMG_DEFAULTS.size;
}

export function randomSeed(): number {
  return Number(randomBytes(8).readBigUInt64BE() % BigInt(MAX_SEED + 1));
}

function isBinding(v: unknown): v is Binding {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Binding).$bind === 'string';
}

/** Resolves the request (plus defaults) into the values the template binds. */
export function txt2imgBindings(jobId: string, request: ComfyJobRequest, fallbackModel?: string): Txt2ImgBindings {
  const p = request.params ?? {};
  const model = request.model ?? fallbackModel ?? TXT2IMG_DEFAULTS.model;
  const size = nativeSize(model);
  return {
    model,
    prompt: request.prompt,
    negativePrompt: request.negativePrompt ?? '',
    seed: p.seed ?? randomSeed(),
    steps: p.steps ?? TXT2IMG_DEFAULTS.steps,
    cfg: p.cfg ?? TXT2IMG_DEFAULTS.cfg,
    sampler: p.sampler ?? TXT2IMG_DEFAULTS.sampler,
    scheduler: p.scheduler ?? TXT2IMG_DEFAULTS.scheduler,
    width: p.width ?? size,
    height: p.height ?? size,
    batchSize: p.batchSize ?? TXT2IMG_DEFAULTS.batchSize,
    denoise: p.denoise ?? TXT2IMG_DEFAULTS.denoise,
    filenamePrefix: `orchestrator/${jobId}`,
  };
}

/** The API-format graph for these bindings (a fresh deep copy of the template). */
export function bindTemplate(template: WorkflowTemplate, values: Txt2ImgBindings): Record<string, TemplateNode> {
  const graph: Record<string, TemplateNode> = {};
  for (const [id, node] of Object.entries(template.graph)) {
    const inputs: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(node.inputs)) {
      inputs[name] = isBinding(v) ? values[v.$bind] : Array.isArray(v) ? [...(v as unknown[])] : v;
    }
    graph[id] = { class_type: node.class_type, inputs };
  }
  return graph;
}

/** Reads the bound values back out of a graph the backend ran; missing ones are left out. */
export function readBindings(template: WorkflowTemplate, graph: Record<string, unknown>): Partial<Txt2ImgBindings> {
  const out: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(template.graph)) {
    const ran = graph[id] as { inputs?: Record<string, unknown> } | undefined;
    if (!ran?.inputs) continue;
    for (const [name, v] of Object.entries(node.inputs)) {
      if (isBinding(v) && ran.inputs[name] !== undefined && !Array.isArray(ran.inputs[name])) out[v.$bind] = ran.inputs[name];
    }
  }
  return out as Partial<Txt2ImgBindings>;
}

/** Class type of a node id in a graph, for progress labels and error messages. */
export function classTypeOf(graph: Record<string, unknown> | undefined, nodeId: string): string | undefined {
  const node = graph?.[nodeId] as { class_type?: unknown } | undefined;
  return typeof node?.class_type === 'string' ? node.class_type : undefined;
}

export function generationMeta(jobId: string, v: Txt2ImgBindings, backend: string): GenerationMeta {
  return {
    jobId,
    provider: 'comfyui',
    model: v.model,
    prompt: v.prompt,
    negativePrompt: v.negativePrompt,
    seed: v.seed,
    steps: v.steps,
    cfg: v.cfg,
    sampler: v.sampler,
    scheduler: v.scheduler,
    width: v.width,
    height: v.height,
    backend,
  };
}
