import { readPngText } from '../png-text.js';
import { resolveTemplateFamily } from './index.js';
import { defineTemplate, placeholder, type FormParam, type TemplateGraph, type TemplateInput, type TemplateParam, type WorkflowTemplate } from './types.js';

/*
 * A custom workflow imported from a ComfyUI PNG (its `prompt` chunk: the API-format graph) becomes a
 * template: the well-known inputs (checkpoint, prompts, sampler settings, latent size, filename prefix)
 * turn into slots, everything else stays as it was. The values found become the template's defaults.
 */

const SLOTS: Record<string, Record<string, TemplateParam>> = {
  CheckpointLoaderSimple: { ckpt_name: 'model' },
  ImageOnlyCheckpointLoader: { ckpt_name: 'model' },
  UNETLoader: { unet_name: 'model' },
  KSampler: { seed: 'seed', steps: 'steps', cfg: 'cfg', sampler_name: 'sampler', scheduler: 'scheduler', denoise: 'denoise' },
  EmptyLatentImage: { width: 'width', height: 'height', batch_size: 'batchSize' },
  EmptySD3LatentImage: { width: 'width', height: 'height', batch_size: 'batchSize' },
  ModelSamplingSD3: { shift: 'shift' },
  FluxGuidance: { guidance: 'guidance' },
  LoadImage: { image: 'image' },
  SaveImage: { filename_prefix: 'filenamePrefix' },
  SaveAnimatedWEBP: { filename_prefix: 'filenamePrefix' },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number';

export class WorkflowImportError extends Error {
  override readonly name = 'WorkflowImportError';
}

/** The text-encode node a sampler's positive / negative input leads to (through FluxGuidance and the like). */
function textNode(graph: Record<string, Record<string, unknown>>, start: unknown): string | undefined {
  let link = start;
  for (let hops = 0; hops < 8 && isLink(link); hops++) {
    const node = graph[link[0]];
    const inputs = isRecord(node?.inputs) ? node.inputs : {};
    if (typeof inputs.text === 'string') return link[0];
    link = inputs.conditioning;
  }
  return undefined;
}

export function templateFromApiGraph(raw: unknown, o: { id?: string; title?: string } = {}): WorkflowTemplate {
  if (!isRecord(raw)) throw new WorkflowImportError('The workflow is not an API-format graph (an object of nodes)');
  const nodes: Record<string, Record<string, unknown>> = {};
  for (const [id, n] of Object.entries(raw)) {
    if (!isRecord(n) || typeof n.class_type !== 'string') throw new WorkflowImportError(`Node ${id} has no class_type`);
    nodes[id] = n;
  }
  const slotted = new Map<string, TemplateParam>(); // `${nodeId}|${input}` → param
  const taken = new Set<TemplateParam>();
  const take = (nodeId: string, input: string, param: TemplateParam) => {
    if (taken.has(param)) return; // the first node of a kind owns the slot (e.g. base over refiner)
    taken.add(param);
    slotted.set(`${nodeId}|${input}`, param);
  };
  for (const [id, n] of Object.entries(nodes)) {
    const slots = SLOTS[n.class_type as string] ?? {};
    const inputs = isRecord(n.inputs) ? n.inputs : {};
    for (const [input, param] of Object.entries(slots)) if (inputs[input] !== undefined && !isLink(inputs[input])) take(id, input, param);
    if (n.class_type === 'KSampler') {
      const pos = textNode(nodes, inputs.positive);
      const neg = textNode(nodes, inputs.negative);
      if (pos) take(pos, 'text', 'prompt');
      if (neg && neg !== pos) take(neg, 'text', 'negativePrompt');
    }
  }
  const video = Object.values(nodes).some((n) => n.class_type === 'SaveAnimatedWEBP');
  if (!taken.has('prompt') && !video) throw new WorkflowImportError('No prompt text found: the graph has no KSampler whose positive input is a text encoder');
  const graph: TemplateGraph = {};
  const defaults: WorkflowTemplate['defaults'] = {};
  for (const [id, n] of Object.entries(nodes)) {
    const inputs: Record<string, TemplateInput> = {};
    for (const [name, v] of Object.entries(isRecord(n.inputs) ? n.inputs : {})) {
      const param = slotted.get(`${id}|${name}`);
      if (param) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') defaults[param] = v;
        inputs[name] = placeholder(param);
      } else {
        inputs[name] = (isLink(v) ? [v[0], v[1]] : v) as TemplateInput;
      }
    }
    graph[id] = { class_type: n.class_type as string, inputs };
  }
  const model = typeof defaults.model === 'string' ? defaults.model : undefined;
  const output = Object.entries(nodes).find(([, n]) => n.class_type === 'SaveImage' || n.class_type === 'SaveAnimatedWEBP')?.[0] ?? '';
  delete defaults.prompt;
  return defineTemplate({
    id: o.id ?? 'custom',
    family: resolveTemplateFamily({ ...(model ? { model } : {}), kind: video ? 'video' : 'image' }),
    kind: video ? 'video' : 'image',
    title: o.title ?? 'Imported workflow',
    graph,
    defaults,
    form: [...taken].map((name) => ({ name, label: name, type: formType(name, defaults[name]) })),
    outputNode: output,
  });
}

function formType(name: TemplateParam, value: unknown): FormParam['type'] {
  if (name === 'model') return 'model';
  if (name === 'image') return 'image';
  if (name === 'sampler' || name === 'scheduler') return 'combo';
  if (typeof value === 'number') return Number.isInteger(value) && name !== 'cfg' && name !== 'denoise' ? 'int' : 'float';
  return 'text';
}

/** The template of a ComfyUI PNG's embedded `prompt` chunk. */
export function templateFromPng(bytes: Uint8Array, o: { id?: string; title?: string } = {}): WorkflowTemplate {
  const prompt = readPngText(bytes).prompt;
  if (!prompt) throw new WorkflowImportError('The PNG carries no ComfyUI "prompt" chunk');
  let graph: unknown;
  try {
    graph = JSON.parse(prompt);
  } catch {
    throw new WorkflowImportError('The PNG\'s "prompt" chunk is not JSON');
  }
  return templateFromApiGraph(graph, o);
}
