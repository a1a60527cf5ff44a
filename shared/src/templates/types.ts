/*
 * Workflow templates as data (protocol §3): an API-format graph whose bound inputs hold `{ $param }`
 * placeholders, the parameter → [nodeId, input] bindings read off that graph, the family's defaults and
 * the parameters the form shows. `buildWorkflow` fills a template; nothing here does I/O.
 */

export type TemplateFamily = 'sd15' | 'sdxl' | 'sd3' | 'flux' | 'svd';
export const TEMPLATE_FAMILIES: readonly TemplateFamily[] = ['sd15', 'sdxl', 'sd3', 'flux', 'svd'];

/** Every value a template can bind. `image` is the name the backend gave the uploaded input image. */
export type TemplateParam =
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
  | 'quality';

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

export interface WorkflowTemplate {
  id: string;
  family: TemplateFamily;
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

type Link = readonly [string, number];

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
