import type { LoraRef } from '../jobs.js';
import { defineTemplate, type TemplateGraph, type TemplateInput, type WorkflowTemplate } from './types.js';

/** A request asks for something its template cannot do (e.g. LoRAs on SVD): the request's fault. */
export class TemplateChoiceError extends Error {
  override readonly name = 'TemplateChoiceError';
}

/** Node ids of the LoRA chain: far above the templates' own ids, in the order they apply. */
const loraNodeId = (i: number) => String(901 + i);

const sameLink = (v: TemplateInput, link: readonly [string, number]) => Array.isArray(v) && v[0] === link[0] && v[1] === link[1];

/**
 * The template with a LoraLoader per LoRA chained onto its model and CLIP outputs: every node that
 * read the loader's MODEL or CLIP reads the last LoRA's instead. Names and strengths go into the graph
 * as literals, so what ran can be read back off it.
 */
export function withLoras(template: WorkflowTemplate, loras: readonly LoraRef[] | undefined): WorkflowTemplate {
  if (!loras || loras.length === 0) return template;
  const source = template.loraSource;
  if (!source) throw new TemplateChoiceError(`${template.title} does not take LoRAs`);
  let model: [string, number] = [source.model[0], source.model[1]];
  let clip: [string, number] = [source.clip[0], source.clip[1]];
  const graph: TemplateGraph = {};
  for (const [id, node] of Object.entries(template.graph)) {
    const inputs: Record<string, TemplateInput> = {};
    for (const [name, v] of Object.entries(node.inputs)) inputs[name] = v;
    graph[id] = { ...node, inputs };
  }
  loras.forEach((lora, i) => {
    const id = loraNodeId(i);
    graph[id] = {
      class_type: 'LoraLoader',
      inputs: { model, clip, lora_name: lora.name, strength_model: lora.strength, strength_clip: lora.strength },
      _meta: { title: `LoRA ${i + 1}` },
    };
    model = [id, 0];
    clip = [id, 1];
  });
  const chain = new Set(loras.map((_l, i) => loraNodeId(i)));
  for (const [id, node] of Object.entries(graph)) {
    if (chain.has(id)) continue;
    for (const [name, v] of Object.entries(node.inputs)) {
      if (sameLink(v, source.model)) node.inputs[name] = model;
      else if (sameLink(v, source.clip)) node.inputs[name] = clip;
    }
  }
  return defineTemplate({ ...template, graph, loraSource: { model, clip } });
}

/** The LoRAs as generation metadata records them: `name:strength, name:strength` (GenerationMeta.loras). */
export function formatLoraMeta(loras: readonly LoraRef[]): string {
  return loras.map((l) => `${l.name}:${l.strength}`).join(', ');
}

/**
 * The LoRAs of a metadata line (formatLoraMeta). A name may hold commas or colons: an entry ends at the
 * last `:number` before `, ` or the end.
 */
export function parseLoraMeta(text: string | undefined): LoraRef[] {
  if (!text) return [];
  const out: LoraRef[] = [];
  for (const m of text.matchAll(/(.+?):(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?:, |$)/g)) {
    out.push({ name: m[1]!.trim(), strength: Number(m[2]) });
  }
  return out;
}
