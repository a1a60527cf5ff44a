import {
  formatHiresMeta,
  formatLoraMeta,
  isKnownSlot,
  prepareWorkflow as prepareShared,
  suggestSlots,
  type ApiGraph,
  type ComfyJobRequest,
  type GenerationMeta,
  type PreparedWorkflow,
  type TemplateParam,
  type WorkflowGraph,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { randomSeed } from './workflow.js';

/*
 * A ComfyUI request as a filled-in template: the family (from the request, else the checkpoint's name),
 * its template, and the values bound into it. The images (`image`, `mask`, control images…) are set
 * later, once uploaded to the backend.
 */

export type { PreparedWorkflow };

/** `custom`: the template of the saved workflow the request names, if it names one. */
export function prepareWorkflow(
  jobId: string,
  request: ComfyJobRequest,
  o: { fallbackModel?: string | undefined; ran?: Record<string, unknown> | undefined; custom?: WorkflowTemplate | undefined } = {},
): PreparedWorkflow {
  return prepareShared(request, {
    seed: randomSeed(),
    filenamePrefix: `orchestrator/${jobId}`,
    ...(o.fallbackModel !== undefined ? { fallbackModel: o.fallbackModel } : {}),
    ...(o.ran ? { ran: o.ran } : {}),
    ...(o.custom ? { template: o.custom } : {}),
  });
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Sampler-side facts a graph holds at the well-known places (a custom workflow's literal seed, steps…). */
function graphFacts(graph: ApiGraph | undefined): Partial<Record<string, unknown>> {
  if (!graph) return {};
  const out: Partial<Record<string, unknown>> = {};
  for (const slot of suggestSlots(graph as WorkflowGraph)) out[slot.param] ??= graph[slot.nodeId]?.inputs[slot.input];
  return out;
}

/**
 * The metadata of what ran: a value is recorded only where the graph used it (a template binding, or
 * a custom graph's own sampler / loader input), so a graph without a seed records none. The width and
 * height are the graph's here (none when it keeps the input picture's size); saveOutputs replaces them
 * with each file's own.
 */
export function templatedMeta(jobId: string, request: ComfyJobRequest, w: PreparedWorkflow, backend: string, graph?: ApiGraph): GenerationMeta {
  const v = w.values;
  const bound = (p: TemplateParam) => w.template.bindings[p] !== undefined;
  const facts = graphFacts(graph);
  const value = (p: TemplateParam & string) => (bound(p) ? v[p] : facts[p]);
  const meta: GenerationMeta = { jobId, provider: 'comfyui', backend };
  const put = <K extends keyof GenerationMeta>(k: K, x: GenerationMeta[K] | undefined) => {
    if (x !== undefined) meta[k] = x;
  };
  const p = request.params ?? {};
  const upscale = request.workflow === 'upscale';
  put('prompt', request.prompt ?? str(value('prompt')));
  put('model', upscale ? undefined : str(value('model')));
  put('negativePrompt', str(value('negativePrompt')));
  put('seed', num(value('seed')));
  put('steps', num(value('steps')));
  put('cfg', num(value('cfg')));
  put('guidance', num(value('guidance')));
  put('sampler', str(value('sampler')));
  put('scheduler', str(value('scheduler')));
  // The size the graph asks for (a txt2img latent, an SVD video); saveOutputs puts each file's own in its place.
  const size = (p: 'width' | 'height') => (bound(p) && (num(v[p]) ?? 0) > 0 ? num(v[p]) : undefined);
  if (!upscale) {
    put('width', size('width'));
    put('height', size('height'));
  }
  put('inputImage', request.inputImage);
  put('mask', request.mask);
  if (request.inputImage && !upscale && w.template.kind === 'image') put('denoise', num(value('denoise')));
  if (request.workflow && request.workflow !== 'txt2img') put('workflow', w.template.title);
  if (p.loras?.length) put('loras', formatLoraMeta(p.loras));
  if (p.controlNets?.length) put('controlNets', p.controlNets.map((c) => `${c.model}:${c.strength ?? 1}${c.preprocessor === 'canny' ? ' (canny)' : ''}`).join(', '));
  if (p.hiresFix) put('hiresFix', formatHiresMeta(p.hiresFix, v.steps));
  if (upscale) put('upscale', `${p.upscale?.model ?? 'lanczos'} ×${p.upscale?.factor ?? (p.upscale?.model ? 'model scale' : 2)}`);
  // A custom workflow's own slots that exist in it, as they ran.
  const own = Object.keys(w.template.bindings).filter((k) => k.startsWith('slot:') && !isKnownSlot(k.slice(5)));
  if (own.length > 0) {
    const slots: Record<string, string | number | boolean> = {};
    const images = new Set(w.template.imageSlots ?? []);
    for (const key of own) {
      const name = key.slice(5);
      const x = images.has(name) ? request.slots?.[name] : v[key as TemplateParam];
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') slots[name] = x;
    }
    if (Object.keys(slots).length > 0) meta.slots = slots;
  }
  return meta;
}
