import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../json-depth.js';
import { readPngText } from '../png-text.js';
import { findNul } from '../text.js';
import { MAX_WORKFLOW_NODES, TEXT_SLOTS, isKnownSlot, slotLabel, type SlotParam, type WorkflowGraph, type WorkflowInput, type WorkflowSlot } from '../workflows.js';
import { resolveTemplateFamily } from './index.js';
import { defineTemplate, placeholder, slotParam, type FormParam, type TemplateGraph, type TemplateInput, type TemplateParam, type WorkflowTemplate } from './types.js';

/*
 * Custom workflows: an API-format graph (a JSON file, the body a script POSTs to /prompt, or the
 * `prompt` chunk of a PNG ComfyUI saved) becomes a template. The well-known inputs (checkpoint,
 * prompts, sampler settings, latent size, SVD conditioning, input image) are suggested as slots; the
 * user may change them. Every `filename_prefix` is ours to set, so outputs are named after the job.
 */

/** Suggested slots: node type → input → slot. */
const SUGGESTED: Record<string, Record<string, SlotParam>> = {
  CheckpointLoaderSimple: { ckpt_name: 'model' },
  ImageOnlyCheckpointLoader: { ckpt_name: 'model' },
  UNETLoader: { unet_name: 'model' },
  KSampler: { seed: 'seed', steps: 'steps', cfg: 'cfg', sampler_name: 'sampler', scheduler: 'scheduler', denoise: 'denoise' },
  KSamplerAdvanced: { noise_seed: 'seed', steps: 'steps', cfg: 'cfg', sampler_name: 'sampler', scheduler: 'scheduler' },
  RandomNoise: { noise_seed: 'seed' },
  KSamplerSelect: { sampler_name: 'sampler' },
  BasicScheduler: { scheduler: 'scheduler', steps: 'steps', denoise: 'denoise' },
  CFGGuider: { cfg: 'cfg' },
  EmptyLatentImage: { width: 'width', height: 'height', batch_size: 'batchSize' },
  EmptySD3LatentImage: { width: 'width', height: 'height', batch_size: 'batchSize' },
  ModelSamplingSD3: { shift: 'shift' },
  FluxGuidance: { guidance: 'guidance' },
  LoadImage: { image: 'image' },
  SVD_img2vid_Conditioning: {
    width: 'width',
    height: 'height',
    video_frames: 'frames',
    fps: 'fps',
    motion_bucket_id: 'motionBucketId',
    augmentation_level: 'augmentationLevel',
  },
  VideoLinearCFGGuidance: { min_cfg: 'minCfg' },
};

/**
 * Inputs that name a file in the backend's input folder (their object_info spec has `image_upload`): a
 * slot on one takes an upload or gallery asset id, which the worker uploads to the backend first.
 */
export const IMAGE_UPLOAD_INPUTS: Readonly<Record<string, readonly string[]>> = {
  LoadImage: ['image'],
  LoadImageMask: ['image'],
};

export function isImageUploadInput(classType: string, input: string): boolean {
  return IMAGE_UPLOAD_INPUTS[classType]?.includes(input) ?? false;
}

/** Nodes whose positive / negative conditioning leads back to the prompt text. */
const CONDITIONED = new Set(['KSampler', 'KSamplerAdvanced', 'CFGGuider']);
/** Output nodes that make a video rather than images. */
const VIDEO_OUTPUTS = new Set(['SaveAnimatedWEBP', 'SaveAnimatedPNG', 'SaveWEBM', 'SaveVideo', 'CreateVideo', 'VHS_VideoCombine']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number';
const isLiteral = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export class WorkflowImportError extends Error {
  override readonly name = 'WorkflowImportError';
  constructor(
    message: string,
    /** The 400's error code. */
    readonly code: 'invalid_workflow' | 'too_deep' = 'invalid_workflow',
  ) {
    super(message);
  }
}

/**
 * The API-format graph in what the user gave: the graph itself or a `/prompt` body (`{prompt: graph}`).
 * ComfyUI's editor format (`nodes` + `links`) cannot be run as is, and says how to get the other one.
 */
export function normalizeWorkflowGraph(raw: unknown): WorkflowGraph {
  const candidate = isRecord(raw) && isRecord(raw.prompt) && !('class_type' in raw.prompt) ? raw.prompt : raw;
  if (isRecord(candidate) && Array.isArray(candidate.nodes) && Array.isArray(candidate.links)) {
    throw new WorkflowImportError(
      'This is the editor format of a ComfyUI workflow (nodes and links), which cannot be queued as is. In ComfyUI, use Workflow → Export (API), or drop a PNG that ComfyUI saved.',
    );
  }
  if (!isRecord(candidate)) throw new WorkflowImportError('The workflow is not an API-format graph (an object of nodes keyed by id)');
  const ids = Object.keys(candidate);
  if (ids.length === 0) throw new WorkflowImportError('The workflow has no nodes');
  if (ids.length > MAX_WORKFLOW_NODES) throw new WorkflowImportError(`The workflow has ${ids.length} nodes; at most ${MAX_WORKFLOW_NODES} are accepted`);
  const graph: WorkflowGraph = {};
  for (const id of ids) {
    const n = candidate[id];
    if (id.length > 64) throw new WorkflowImportError(`Node id "${id.slice(0, 20)}…" is longer than 64 characters`);
    if (!isRecord(n) || typeof n.class_type !== 'string' || n.class_type === '') throw new WorkflowImportError(`Node ${id} has no class_type`);
    if (n.inputs !== undefined && !isRecord(n.inputs)) throw new WorkflowImportError(`Node ${id} (${n.class_type}): inputs is not an object`);
    const title = isRecord(n._meta) && typeof n._meta.title === 'string' ? n._meta.title : undefined;
    graph[id] = { class_type: n.class_type, inputs: { ...(isRecord(n.inputs) ? n.inputs : {}) }, ...(title !== undefined ? { _meta: { title } } : {}) };
  }
  // Inputs are free-form (no string schema reaches them), and go on to ComfyUI as they are.
  const nul = findNul(graph);
  if (nul !== null) throw new WorkflowImportError(`The workflow contains a NUL (\\u0000) character at ${nul}: remove it and try again`);
  for (const [id, n] of Object.entries(graph)) {
    for (const [input, v] of Object.entries(n.inputs)) {
      if (isLink(v) && !graph[v[0]]) throw new WorkflowImportError(`Node ${id} (${n.class_type}) input "${input}" links to node ${v[0]}, which is not in the graph`);
    }
  }
  return graph;
}

/** The graph of a workflow JSON file's text. */
export function workflowGraphFromJson(text: string): WorkflowGraph {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new WorkflowImportError(`The JSON nests deeper than ${MAX_JSON_DEPTH} levels; no ComfyUI workflow does`, 'too_deep');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WorkflowImportError('The file is not valid JSON');
  }
  return normalizeWorkflowGraph(raw);
}

/** The graph of a ComfyUI PNG's embedded `prompt` chunk. */
export function workflowGraphFromPng(bytes: Uint8Array): WorkflowGraph {
  const text = readPngText(bytes);
  if (!text.prompt) {
    throw new WorkflowImportError(
      text.workflow
        ? 'The PNG carries only the editor workflow, not the API "prompt" chunk: open it in ComfyUI and use Workflow → Export (API)'
        : 'The PNG carries no ComfyUI "prompt" chunk (was it saved by ComfyUI with metadata enabled?)',
    );
  }
  if (jsonDepthExceeds(text.prompt, MAX_JSON_DEPTH)) throw new WorkflowImportError(`The PNG's "prompt" chunk nests deeper than ${MAX_JSON_DEPTH} levels`, 'too_deep');
  let raw: unknown;
  try {
    raw = JSON.parse(text.prompt);
  } catch {
    throw new WorkflowImportError('The PNG\'s "prompt" chunk is not JSON');
  }
  return normalizeWorkflowGraph(raw);
}

/** The text-encode node a conditioning input leads to (through FluxGuidance and the like). */
function textNode(graph: WorkflowGraph, start: unknown): string | undefined {
  let link = start;
  for (let hops = 0; hops < 8 && isLink(link); hops++) {
    const inputs = graph[link[0]]?.inputs ?? {};
    if (typeof inputs.text === 'string') return link[0];
    link = inputs.conditioning;
  }
  return undefined;
}

/** The slots the import screen proposes: the first node of a kind owns a slot (e.g. base over refiner). */
export function suggestSlots(graph: WorkflowGraph): WorkflowSlot[] {
  const slots: WorkflowSlot[] = [];
  const taken = new Set<SlotParam>();
  const take = (nodeId: string, input: string, param: SlotParam) => {
    if (taken.has(param)) return;
    taken.add(param);
    slots.push({ param, nodeId, input });
  };
  for (const [id, n] of Object.entries(graph)) {
    for (const [input, param] of Object.entries(SUGGESTED[n.class_type] ?? {})) {
      if (isLiteral(n.inputs[input])) take(id, input, param);
    }
    if (CONDITIONED.has(n.class_type)) {
      const pos = textNode(graph, n.inputs.positive);
      const neg = textNode(graph, n.inputs.negative);
      if (pos) take(pos, 'text', 'prompt');
      if (neg && neg !== pos) take(neg, 'text', 'negativePrompt');
    }
    if (n.class_type === 'BasicGuider') {
      const pos = textNode(graph, n.inputs.conditioning);
      if (pos) take(pos, 'text', 'prompt');
    }
  }
  return slots;
}

/** Every literal input, in graph order: what a user can mark as a slot. */
export function workflowInputs(graph: WorkflowGraph): WorkflowInput[] {
  const out: WorkflowInput[] = [];
  for (const [nodeId, n] of Object.entries(graph)) {
    for (const [input, value] of Object.entries(n.inputs)) {
      if (!isLiteral(value)) continue;
      out.push({ nodeId, classType: n.class_type, ...(n._meta?.title ? { title: n._meta.title } : {}), input, value });
    }
  }
  return out;
}

export function workflowKind(graph: WorkflowGraph): 'image' | 'video' {
  return Object.values(graph).some((n) => VIDEO_OUTPUTS.has(n.class_type)) ? 'video' : 'image';
}

/** What is wrong with a set of slots for this graph, one message each (empty when they fit). */
export function slotProblems(graph: WorkflowGraph, slots: readonly WorkflowSlot[]): string[] {
  const problems: string[] = [];
  const places = new Set<string>();
  /** The JS type each of a workflow's own slots holds: one slot filling several inputs needs one type. */
  const types = new Map<string, string>();
  for (const { param, nodeId, input } of slots) {
    const node = graph[nodeId];
    const where = `${slotLabel(param)} → node ${nodeId}${node ? ` (${node.class_type})` : ''} input "${input}"`;
    if (!node) {
      problems.push(`${where}: there is no node ${nodeId}`);
      continue;
    }
    const value = node.inputs[input];
    if (value === undefined) problems.push(`${where}: the node has no such input`);
    else if (!isLiteral(value)) problems.push(`${where}: the input is linked to another node, not a value`);
    else if (isKnownSlot(param)) {
      if (TEXT_SLOTS.includes(param) ? typeof value !== 'string' : typeof value !== 'number') {
        problems.push(`${where}: expects ${TEXT_SLOTS.includes(param) ? 'a text' : 'a number'} input, but holds ${JSON.stringify(value)}`);
      }
    } else {
      const seen = types.get(param);
      if (seen !== undefined && seen !== typeof value) problems.push(`${where}: the slot "${param}" already fills a ${seen} input, but this one holds ${JSON.stringify(value)}`);
      types.set(param, typeof value);
    }
    const key = `${nodeId}\u0000${input}`;
    if (places.has(key)) problems.push(`${where}: the input is marked twice`);
    places.add(key);
  }
  return problems;
}

export interface WorkflowSource {
  id: string;
  name: string;
  graph: WorkflowGraph;
  slots: readonly WorkflowSlot[];
}

/**
 * The template of a custom workflow: each slot becomes a placeholder whose default is the value the
 * graph held; every literal `filename_prefix` is bound to ours. Throws WorkflowImportError when the
 * slots do not fit the graph.
 */
export function templateFromWorkflow(w: WorkflowSource): WorkflowTemplate {
  const problems = slotProblems(w.graph, w.slots);
  if (problems.length > 0) throw new WorkflowImportError(problems[0]!);
  const placeholderOf = (name: string): TemplateParam => (isKnownSlot(name) ? name : slotParam(name));
  const slotAt = new Map(w.slots.map((s) => [`${s.nodeId}\u0000${s.input}`, s.param]));
  const graph: TemplateGraph = {};
  const defaults: WorkflowTemplate['defaults'] = {};
  const imageSlots = new Set<string>();
  for (const [id, n] of Object.entries(w.graph)) {
    const inputs: Record<string, TemplateInput> = {};
    for (const [name, v] of Object.entries(n.inputs)) {
      const slot = slotAt.get(`${id}\u0000${name}`);
      const param: TemplateParam | undefined = slot !== undefined ? placeholderOf(slot) : name === 'filename_prefix' && typeof v === 'string' ? 'filenamePrefix' : undefined;
      if (param) {
        if (isLiteral(v)) defaults[param] ??= v;
        inputs[name] = placeholder(param);
        if (slot !== undefined && !isKnownSlot(slot) && isImageUploadInput(n.class_type, name)) imageSlots.add(slot);
      } else {
        inputs[name] = (isLink(v) ? [v[0], v[1]] : v) as TemplateInput;
      }
    }
    graph[id] = { class_type: n.class_type, inputs, ...(n._meta?.title ? { _meta: { title: n._meta.title } } : {}) };
  }
  // The prompt always comes from the request; the others fall back to what the graph held.
  delete defaults.prompt;
  const kind = workflowKind(w.graph);
  const model = typeof defaults.model === 'string' ? defaults.model : undefined;
  const params = [...new Set(w.slots.map((s) => s.param))];
  const output = Object.entries(w.graph).find(([, n]) => typeof n.inputs.filename_prefix === 'string')?.[0] ?? '';
  return defineTemplate({
    id: w.id,
    family: resolveTemplateFamily({ ...(model ? { model } : {}), kind }),
    kind,
    title: w.name,
    graph,
    defaults,
    form: params.map((name) => ({ name, label: slotLabel(name), type: formType(name, defaults[placeholderOf(name)], imageSlots.has(name)) })),
    outputNode: output,
    ...(imageSlots.size > 0 ? { imageSlots: [...imageSlots] } : {}),
  });
}

function formType(name: string, value: unknown, image: boolean): FormParam['type'] {
  if (name === 'model') return 'model';
  if (name === 'image' || image) return 'image';
  if (name === 'sampler' || name === 'scheduler') return 'combo';
  if (typeof value === 'number') return Number.isInteger(value) && !['cfg', 'denoise', 'shift', 'guidance', 'minCfg', 'augmentationLevel'].includes(name) ? 'int' : 'float';
  return 'text';
}

/** A graph with its suggested slots as a template; refuses a graph with no prompt unless it makes video. */
export function templateFromApiGraph(raw: unknown, o: { id?: string; title?: string } = {}): WorkflowTemplate {
  const graph = normalizeWorkflowGraph(raw);
  const slots = suggestSlots(graph);
  if (!slots.some((s) => s.param === 'prompt') && workflowKind(graph) !== 'video') {
    throw new WorkflowImportError('No prompt text found: the graph has no sampler whose positive input is a text encoder');
  }
  return templateFromWorkflow({ id: o.id ?? 'custom', name: o.title ?? 'Imported workflow', graph, slots });
}

/** The template of a ComfyUI PNG's embedded `prompt` chunk, with the suggested slots. */
export function templateFromPng(bytes: Uint8Array, o: { id?: string; title?: string } = {}): WorkflowTemplate {
  return templateFromApiGraph(workflowGraphFromPng(bytes), o);
}
