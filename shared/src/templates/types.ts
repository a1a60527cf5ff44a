/*
 * Workflow templates as data (protocol §3): an API-format graph whose bound inputs hold `{ $param }`
 * placeholders, the parameter → [nodeId, input] bindings read off that graph, the family's defaults and
 * the parameters the form shows. `buildWorkflow` fills a template; nothing here does I/O.
 */

export type TemplateFamily = 'sd15' | 'sdxl' | 'sd3' | 'flux' | 'svd';
export const TEMPLATE_FAMILIES: readonly TemplateFamily[] = ['sd15', 'sdxl', 'sd3', 'flux', 'svd'];

/**
 * Every value a template can bind. `image`, `mask`, `controlImageN` and `ipAdapterImage` are the names
 * the backend gave the images the worker uploaded (see IMAGE_PARAMS); `slot:<name>` is a custom
 * workflow's own slot (its value comes from `request.slots[name]`).
 */
export type TemplateParam = KnownParam | `slot:${string}`;

export type KnownParam =
  | 'model'
  | 'prompt'
  | 'negativePrompt'
  | 'seed'
  | 'steps'
  | 'cfg'
  | 'sampler'
  | 'scheduler'
  | 'width'
  | 'height'
  | 'batchSize'
  | 'denoise'
  | 'filenamePrefix'
  | 'shift'
  | 'guidance'
  | 'clipName1'
  | 'clipName2'
  | 'clipName3'
  | 'vae'
  | 'weightDtype'
  | 'image'
  | 'frames'
  | 'fps'
  | 'motionBucketId'
  | 'augmentationLevel'
  | 'minCfg'
  | 'outputFps'
  | 'quality'
  | 'mask'
  | 'controlImage1'
  | 'controlImage2'
  | 'controlImage3'
  | 'controlImage4'
  | 'ipAdapterImage'
  | 'scale';

/** Params that hold an image the worker uploads to the backend first (their value: the backend's file name). */
export const IMAGE_PARAMS: readonly KnownParam[] = ['image', 'mask', 'controlImage1', 'controlImage2', 'controlImage3', 'controlImage4', 'ipAdapterImage'];

/** The placeholder of a custom workflow's own slot. */
export const slotParam = (name: string): TemplateParam => `slot:${name}`;

export type TemplateValue = string | number | boolean;
export type TemplateValues = Partial<Record<TemplateParam, TemplateValue>>;

export interface Placeholder {
  $param: TemplateParam;
}

/** A link is `[sourceNodeId, outputIndex]`; anything else is a literal or a placeholder. */
export type TemplateInput = Placeholder | [string, number] | string | number | boolean;

export interface TemplateNode {
  class_type: string;
  inputs: Record<string, TemplateInput>;
  _meta?: { title: string };
}

export type TemplateGraph = Record<string, TemplateNode>;

/** A field of the generation form: what the UI shows for this family, with the backend's ranges. */
export interface FormParam {
  /** The request field: top-level (`model`, `prompt`, `negativePrompt`, `inputImage`) or under `params`. */
  name: string;
  label: string;
  type: 'int' | 'float' | 'text' | 'combo' | 'image' | 'model';
  min?: number;
  max?: number;
  step?: number;
  /** Combo options known in advance (samplers and schedulers come from the backend). */
  options?: readonly string[];
}

type Link = readonly [string, number];

/**
 * Where the graph transforms (img2img, inpaint, ControlNet, hires fix, IP-Adapter) attach: the sampler
 * (its model / positive / negative / latent_image inputs are read off the graph), the empty latent it
 * starts from, the VAE output and the decode node.
 */
export interface TemplateAnchors {
  sampler: string;
  latent: string;
  vae: Link;
  decode: string;
}

export interface WorkflowTemplate {
  id: string;
  /** `any`: not tied to a model family (the upscale workflow). */
  family: TemplateFamily | 'any';
  kind: 'image' | 'video';
  title: string;
  graph: TemplateGraph;
  /** param → every [nodeId, inputName] it fills; derived from the graph's placeholders. */
  bindings: Partial<Record<TemplateParam, ReadonlyArray<readonly [string, string]>>>;
  defaults: TemplateValues;
  form: readonly FormParam[];
  /** Node types the template needs; a backend without one cannot run it. */
  nodeTypes: readonly string[];
  /** The node whose output is the result. */
  outputNode: string;
  /** The MODEL and CLIP outputs LoRAs are chained onto (see loras.ts); absent → no LoRAs. */
  loraSource?: { model: readonly [string, number]; clip: readonly [string, number] };
  /** Where img2img, inpainting, ControlNets and the hires fix attach; absent → the template takes none. */
  anchors?: TemplateAnchors;
  /** A custom workflow's own slots that load an image (LoadImage-like inputs): the worker uploads their value. */
  imageSlots?: readonly string[];
}

export const placeholder = (name: TemplateParam): Placeholder => ({ $param: name });

export function isPlaceholder(v: unknown): v is Placeholder {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Placeholder).$param === 'string';
}

/** The param → [nodeId, input] table of a graph's placeholders. */
export function bindingsOf(graph: TemplateGraph): WorkflowTemplate['bindings'] {
  const out: Partial<Record<TemplateParam, Array<readonly [string, string]>>> = {};
  for (const [id, node] of Object.entries(graph)) {
    for (const [input, v] of Object.entries(node.inputs)) {
      if (isPlaceholder(v)) (out[v.$param] ??= []).push([id, input] as const);
    }
  }
  return out;
}

/** Assembles a template from its graph: bindings and node types are read off the graph. */
export function defineTemplate(t: Omit<WorkflowTemplate, 'bindings' | 'nodeTypes'>): WorkflowTemplate {
  const nodeTypes = [...new Set(Object.values(t.graph).map((n) => n.class_type))];
  return { ...t, bindings: bindingsOf(t.graph), nodeTypes };
}

/** The KSampler every template samples with: its settings are parameters, its inputs the given links. */
export function kSampler(links: { model: Link; positive: Link; negative: Link; latent: Link }, cfg: TemplateInput = placeholder('cfg')): TemplateNode {
  return {
    class_type: 'KSampler',
    inputs: {
      seed: placeholder('seed'),
      steps: placeholder('steps'),
      cfg,
      sampler_name: placeholder('sampler'),
      scheduler: placeholder('scheduler'),
      denoise: placeholder('denoise'),
      model: [links.model[0], links.model[1]],
      positive: [links.positive[0], links.positive[1]],
      negative: [links.negative[0], links.negative[1]],
      latent_image: [links.latent[0], links.latent[1]],
    },
  };
}

/** Fields every text-to-image form shows. */
export const IMAGE_FORM_BASE: readonly FormParam[] = [
  { name: 'model', label: 'Checkpoint', type: 'model' },
  { name: 'prompt', label: 'Prompt', type: 'text' },
  { name: 'negativePrompt', label: 'Negative prompt', type: 'text' },
  { name: 'seed', label: 'Seed', type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
  { name: 'steps', label: 'Steps', type: 'int', min: 1, max: 200 },
  { name: 'sampler', label: 'Sampler', type: 'combo' },
  { name: 'scheduler', label: 'Scheduler', type: 'combo' },
  { name: 'batchSize', label: 'Batch size', type: 'int', min: 1, max: 16 },
];

export const CFG_FIELD: FormParam = { name: 'cfg', label: 'CFG', type: 'float', min: 0, max: 100, step: 0.1 };

export function sizeFields(step: number): FormParam[] {
  return [
    { name: 'width', label: 'Width', type: 'int', min: 64, max: 4096, step },
    { name: 'height', label: 'Height', type: 'int', min: 64, max: 4096, step },
  ];
}
