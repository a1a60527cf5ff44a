import type { IpAdapterRef } from '../requests/comfy-features.js';
import { TemplateChoiceError } from './loras.js';
import { anchorsOf, copyGraph, samplerLink, samplerNode, withGraph } from './graph-edit.js';
import { placeholder as P, type TemplateGraph, type WorkflowTemplate } from './types.js';

/*
 * IP-Adapter (issue 14), through the ComfyUI_IPAdapter_plus custom nodes: IPAdapterUnifiedLoader "871"
 * (loads the CLIP vision and IP-Adapter models its preset names) on the sampler's model, the reference
 * image (LoadImage "872", uploaded as `ipAdapterImage`) and IPAdapter "873", whose MODEL the sampler
 * then uses. The pack's presets cover SD1.5 and SDXL only.
 */

export const IPADAPTER_NODE_IDS = { loader: '871', image: '872', apply: '873' } as const;
export const IPADAPTER_DEFAULT_PRESET = 'STANDARD (medium strength)';

export function withIpAdapter(template: WorkflowTemplate, ipa: IpAdapterRef | undefined): WorkflowTemplate {
  if (!ipa) return template;
  const anchors = anchorsOf(template, 'an IP-Adapter');
  if (template.family !== 'sd15' && template.family !== 'sdxl') {
    throw new TemplateChoiceError(`IP-Adapter works with SD1.5 and SDXL checkpoints; ${template.title} cannot take it`);
  }
  const ids = IPADAPTER_NODE_IDS;
  const graph: TemplateGraph = copyGraph(template.graph);
  const sampler = samplerNode(graph, anchors);
  graph[ids.loader] = { class_type: 'IPAdapterUnifiedLoader', inputs: { model: samplerLink(sampler, 'model'), preset: ipa.preset ?? IPADAPTER_DEFAULT_PRESET } };
  graph[ids.image] = { class_type: 'LoadImage', inputs: { image: P('ipAdapterImage') }, _meta: { title: 'IP-Adapter image' } };
  graph[ids.apply] = {
    class_type: 'IPAdapter',
    inputs: {
      model: [ids.loader, 0],
      ipadapter: [ids.loader, 1],
      image: [ids.image, 0],
      weight: ipa.weight ?? 1,
      start_at: ipa.startPercent ?? 0,
      end_at: ipa.endPercent ?? 1,
      weight_type: 'standard',
    },
  };
  sampler.inputs.model = [ids.apply, 0];
  return withGraph(template, graph);
}
