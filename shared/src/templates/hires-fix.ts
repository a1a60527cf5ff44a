import type { HiresFix } from '../requests/comfy-features.js';
import { anchorsOf, copyGraph, samplerNode, withGraph } from './graph-edit.js';
import type { TemplateGraph, WorkflowTemplate } from './types.js';

/*
 * Hires fix (issue 14): the first pass's latent upscaled by `scale` (LatentUpscaleBy "861", nearest-exact,
 * as ComfyUI's hires-fix example does), then sampled again by a copy of the sampler ("862": same model,
 * conditioning, seed, cfg, sampler and scheduler) with its own denoise (default 0.5) and steps; the decode
 * reads the second pass. Its values are literals, so they can be read back off the graph.
 */

export const HIRES_NODES = { upscale: '861', sampler: '862' } as const;
export const HIRES_DEFAULT_DENOISE = 0.5;

export function withHiresFix(template: WorkflowTemplate, hires: HiresFix | undefined): WorkflowTemplate {
  if (!hires) return template;
  const anchors = anchorsOf(template, 'a hires fix');
  const graph: TemplateGraph = copyGraph(template.graph);
  const first = samplerNode(graph, anchors);
  graph[HIRES_NODES.upscale] = {
    class_type: 'LatentUpscaleBy',
    inputs: { samples: [anchors.sampler, 0], upscale_method: 'nearest-exact', scale_by: hires.scale },
    _meta: { title: 'Hires fix upscale' },
  };
  graph[HIRES_NODES.sampler] = {
    class_type: first.class_type,
    inputs: {
      ...first.inputs,
      latent_image: [HIRES_NODES.upscale, 0],
      denoise: hires.denoise ?? HIRES_DEFAULT_DENOISE,
      ...(hires.steps !== undefined ? { steps: hires.steps } : {}),
    },
    _meta: { title: 'Hires fix pass' },
  };
  const decode = graph[anchors.decode];
  if (!decode) throw new Error(`template has no decode node ${anchors.decode}`);
  decode.inputs.samples = [HIRES_NODES.sampler, 0];
  return withGraph(template, graph);
}

export function formatHiresMeta(h: HiresFix, steps: unknown): string {
  return `×${h.scale}, denoise ${h.denoise ?? HIRES_DEFAULT_DENOISE}, ${h.steps ?? steps} steps`;
}
