import { defineTemplate, type TemplateAnchors, type TemplateGraph, type TemplateInput, type TemplateNode, type WorkflowTemplate } from './types.js';
import { TemplateChoiceError } from './loras.js';

/*
 * Small helpers the graph transforms share (image-input.ts, controlnet.ts, hires-fix.ts, ip-adapter.ts):
 * a template's graph copied so a transform can rewire it, and the links its sampler reads.
 */

export type Link = [string, number];

export function asLink(v: TemplateInput | undefined): Link | undefined {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number' ? [v[0], v[1]] : undefined;
}

/** A copy of the graph whose nodes and input maps may be changed freely (values are shared: they are immutable). */
export function copyGraph(graph: TemplateGraph): TemplateGraph {
  const out: TemplateGraph = {};
  for (const [id, node] of Object.entries(graph)) out[id] = { ...node, inputs: { ...node.inputs } };
  return out;
}

/** The template's anchors; a template without them (SVD, a custom workflow) cannot take the feature. */
export function anchorsOf(template: WorkflowTemplate, feature: string): TemplateAnchors {
  if (!template.anchors) throw new TemplateChoiceError(`${template.title} does not take ${feature}`);
  return template.anchors;
}

/** The sampler node of a copied graph. */
export function samplerNode(graph: TemplateGraph, anchors: TemplateAnchors): TemplateNode {
  const node = graph[anchors.sampler];
  if (!node) throw new Error(`template has no sampler node ${anchors.sampler}`);
  return node;
}

/** The link a sampler input reads (model, positive, negative, latent_image). */
export function samplerLink(node: TemplateNode, input: 'model' | 'positive' | 'negative' | 'latent_image'): Link {
  const link = asLink(node.inputs[input]);
  if (!link) throw new Error(`sampler input ${input} is not a link`);
  return link;
}

/** The template with a rewired graph (bindings and node types read off it again). */
export function withGraph(template: WorkflowTemplate, graph: TemplateGraph, extra: Partial<WorkflowTemplate> = {}): WorkflowTemplate {
  return defineTemplate({ ...template, ...extra, graph });
}
