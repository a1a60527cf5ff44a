import { familyFromModelName } from '../models/family.js';
import { FLUX_CHECKPOINT_TEMPLATE, FLUX_LOCAL_TEMPLATE } from './flux-local.js';
import { SD15_TEMPLATE } from './sd15.js';
import { SD3_SEPARATE_ENCODERS_TEMPLATE, SD3_TEMPLATE } from './sd3.js';
import { SDXL_TEMPLATE } from './sdxl.js';
import { SVD_TEMPLATE } from './svd.js';
import { isPlaceholder, type TemplateFamily, type TemplateParam, type TemplateValues, type WorkflowTemplate } from './types.js';

export * from './types.js';
export { SD15_TEMPLATE, SDXL_TEMPLATE, SD3_TEMPLATE, SD3_SEPARATE_ENCODERS_TEMPLATE, FLUX_LOCAL_TEMPLATE, FLUX_CHECKPOINT_TEMPLATE, SVD_TEMPLATE };
export * from './loras.js';
export * from './image-input.js';
export * from './controlnet.js';
export * from './hires-fix.js';
export * from './ip-adapter.js';
export * from './upscale.js';
export * from './slot-specs.js';

/** The template of each family: what its form shows and what a request runs unless a variant applies. */
export const TEMPLATES: Readonly<Record<TemplateFamily, WorkflowTemplate>> = {
  sd15: SD15_TEMPLATE,
  sdxl: SDXL_TEMPLATE,
  sd3: SD3_TEMPLATE,
  flux: FLUX_LOCAL_TEMPLATE,
  svd: SVD_TEMPLATE,
};

/** What picks a family's variant (e.g. SD3.5 from a checkpoint without text encoders). */
export interface TemplateVariantOptions {
  /** The text encoders are loaded apart (SD3: TripleCLIPLoader). FLUX from a diffusion model always does. */
  separateTextEncoders?: boolean;
  /** The model is an all-in-one checkpoint (FLUX: CheckpointLoaderSimple instead of UNETLoader + encoders + VAE). */
  checkpoint?: boolean;
}

/** The variants that replace a family's template when their option is set. */
const VARIANTS: Partial<Record<TemplateFamily, { separateTextEncoders?: WorkflowTemplate; checkpoint?: WorkflowTemplate }>> = {
  sd3: { separateTextEncoders: SD3_SEPARATE_ENCODERS_TEMPLATE },
  flux: { checkpoint: FLUX_CHECKPOINT_TEMPLATE },
};

/** Every built-in template, variants included (each must validate against a backend's object_info). */
export const ALL_TEMPLATES: readonly WorkflowTemplate[] = [
  ...Object.values(TEMPLATES),
  ...Object.values(VARIANTS).flatMap((v) => Object.values(v)),
];

export function templateFor(family: TemplateFamily, o: TemplateVariantOptions = {}): WorkflowTemplate {
  const variants = VARIANTS[family];
  return (o.separateTextEncoders ? variants?.separateTextEncoders : undefined) ?? (o.checkpoint ? variants?.checkpoint : undefined) ?? TEMPLATES[family];
}

/** The defaults a form switches to when a checkpoint of this family is chosen. */
export function familyDefaults(family: TemplateFamily): TemplateValues {
  return { ...TEMPLATES[family].defaults };
}

/** The family a model's name hints at (the catalogue's rules: models/family.ts). */
export function templateFamilyFromName(model: string): TemplateFamily | undefined {
  return familyFromModelName(model);
}

/**
 * The family a request runs as: the one it names, else the catalogue's (a detected family other than
 * `unknown`), else a hint in the model's name, else SDXL for images and SVD for videos.
 */
export function resolveTemplateFamily(o: { family?: string; catalogueFamily?: string; model?: string; kind?: string }): TemplateFamily {
  const known = (f: string | undefined): f is TemplateFamily => f !== undefined && (TEMPLATES as Record<string, unknown>)[f] !== undefined;
  if (known(o.family)) return o.family;
  if (known(o.catalogueFamily)) return o.catalogueFamily;
  const byName = o.model ? templateFamilyFromName(o.model) : undefined;
  if (byName) return byName;
  return o.kind === 'video' ? 'svd' : 'sdxl';
}

export class MissingTemplateParam extends Error {
  constructor(
    readonly param: TemplateParam,
    readonly nodeId: string,
    readonly input: string,
  ) {
    super(`Template parameter "${param}" (node ${nodeId}, input ${input}) has no value`);
    this.name = 'MissingTemplateParam';
  }
}

export interface ApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
}
export type ApiGraph = Record<string, ApiNode>;

/**
 * The API-format graph of a template: a fresh copy with every placeholder filled from `params`, else
 * from the template's defaults. Throws MissingTemplateParam when a bound parameter has neither.
 */
export function buildWorkflow(template: WorkflowTemplate, params: TemplateValues): ApiGraph {
  const graph: ApiGraph = {};
  for (const [id, node] of Object.entries(template.graph)) {
    const inputs: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(node.inputs)) {
      if (isPlaceholder(v)) {
        const value = params[v.$param] ?? template.defaults[v.$param];
        if (value === undefined) throw new MissingTemplateParam(v.$param, id, name);
        inputs[name] = value;
      } else {
        inputs[name] = Array.isArray(v) ? [...v] : v;
      }
    }
    graph[id] = { class_type: node.class_type, inputs };
  }
  return graph;
}

/** The parameter values a graph built from this template carries (e.g. what a backend really ran). */
export function readTemplateParams(template: WorkflowTemplate, graph: Record<string, unknown> | undefined): TemplateValues {
  const out: TemplateValues = {};
  if (!graph) return out;
  for (const [param, places] of Object.entries(template.bindings) as Array<[TemplateParam, ReadonlyArray<readonly [string, string]>]>) {
    for (const [nodeId, input] of places) {
      const node = graph[nodeId] as { inputs?: Record<string, unknown> } | undefined;
      const v = node?.inputs?.[input];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        out[param] = v;
        break;
      }
    }
  }
  return out;
}

