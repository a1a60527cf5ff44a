import type { ControlNetRef } from '../requests/comfy-features.js';
import { anchorsOf, copyGraph, samplerLink, samplerNode, withGraph, type Link } from './graph-edit.js';
import { placeholder as P, type KnownParam, type TemplateFamily, type TemplateGraph, type WorkflowTemplate } from './types.js';

/*
 * ControlNets, stacked (issue 14): per entry a ControlNetLoader, the control image (LoadImage, uploaded
 * by the worker as `controlImageN`), optionally Canny (core ComfyUI's only preprocessor), and a
 * ControlNetApplyAdvanced on the sampler's positive and negative conditioning, chained in order. The
 * VAE goes to the optional `vae` input (SD3 and FLUX ControlNets need it; the others ignore it).
 * Model names, strengths and ranges are literals, so what ran can be read back off the graph.
 */

/** Node ids of entry i: loader, image, canny, apply. */
export const controlNetNodeIds = (i: number) => ({ loader: String(821 + i * 4), image: String(822 + i * 4), canny: String(823 + i * 4), apply: String(824 + i * 4) });

export const controlImageParam = (i: number): KnownParam => `controlImage${i + 1}` as KnownParam;

/** Canny's defaults (comfy_extras.nodes_canny). */
export const CANNY_DEFAULTS = { low: 0.4, high: 0.8 } as const;

export function withControlNets(template: WorkflowTemplate, controlNets: readonly ControlNetRef[] | undefined): WorkflowTemplate {
  if (!controlNets || controlNets.length === 0) return template;
  const anchors = anchorsOf(template, 'ControlNets');
  const graph: TemplateGraph = copyGraph(template.graph);
  const sampler = samplerNode(graph, anchors);
  let positive: Link = samplerLink(sampler, 'positive');
  let negative: Link = samplerLink(sampler, 'negative');
  controlNets.forEach((cn, i) => {
    const id = controlNetNodeIds(i);
    graph[id.loader] = { class_type: 'ControlNetLoader', inputs: { control_net_name: cn.model }, _meta: { title: `ControlNet ${i + 1}` } };
    graph[id.image] = { class_type: 'LoadImage', inputs: { image: P(controlImageParam(i)) }, _meta: { title: `Control image ${i + 1}` } };
    let hint: Link = [id.image, 0];
    if (cn.preprocessor === 'canny') {
      graph[id.canny] = { class_type: 'Canny', inputs: { image: hint, low_threshold: CANNY_DEFAULTS.low, high_threshold: CANNY_DEFAULTS.high } };
      hint = [id.canny, 0];
    }
    graph[id.apply] = {
      class_type: 'ControlNetApplyAdvanced',
      inputs: {
        positive,
        negative,
        control_net: [id.loader, 0],
        image: hint,
        strength: cn.strength ?? 1,
        start_percent: cn.startPercent ?? 0,
        end_percent: cn.endPercent ?? 1,
        vae: [anchors.vae[0], anchors.vae[1]],
      },
    };
    positive = [id.apply, 0];
    negative = [id.apply, 1];
  });
  sampler.inputs.positive = positive;
  sampler.inputs.negative = negative;
  return withGraph(template, graph);
}

/** A family hint in a ControlNet file's name (control_v11p_sd15_canny, controlnet-canny-sdxl-1.0, flux-…). */
export function controlNetFamily(model: string): TemplateFamily | undefined {
  const name = model.toLowerCase();
  if (/flux/.test(name)) return 'flux';
  if (/(^|[^a-z])sd[-_ ]?3|sd3\.?5/.test(name)) return 'sd3';
  if (/sdxl|(^|[^a-z])xl([^a-z]|$)|_xl_|-xl-/.test(name)) return 'sdxl';
  if (/sd[-_ ]?1[-_.]?5|(^|[^0-9])v11[pfe]_sd15|control_sd15|(^|[^a-z])sd15/.test(name)) return 'sd15';
  return undefined;
}

/** Why a ControlNet does not fit the checkpoint's family (its name says another), or undefined. */
export function controlNetFamilyProblem(model: string, family: string, index: number): string | undefined {
  const own = controlNetFamily(model);
  if (!own || own === family) return undefined;
  const label: Record<string, string> = { sd15: 'SD1.5', sdxl: 'SDXL', sd3: 'SD3.5', flux: 'FLUX', svd: 'SVD' };
  return `ControlNet ${index + 1} "${model}" is made for ${label[own] ?? own}, but the checkpoint is ${label[family] ?? family}: choose a ${label[family] ?? family} ControlNet`;
}
