/*
 * "Use these settings", "Remix" and a dropped PNG all come down to one question: which Create mode
 * made this, and what goes into that mode's fields? A plan answers it from a job's request (exact) or
 * from an asset's metadata (what the file kept), with notes on whatever has no place in the form.
 * Pure: applySettings.ts writes a plan into the forms.
 */
import {
  FLUX_DEFAULT_MODEL,
  FLUX_MODEL_RULES,
  FLUX_MODELS,
  TEMPLATES,
  V0_MODELS,
  type ComfyJobRequest,
  type FluxJobRequest,
  type FluxModel,
  type FluxParamName,
  type GenerationMeta,
  type JobRequest,
  type V0Model,
} from '@orchestrator/shared';
import type { InputImage } from '../components/ImageInput/ImageInput';
import type { CreateMode } from '../state/createMode';
import { FLUX_ASPECT_RATIOS, FLUX_NUMBER_FIELDS, type FluxFieldValues, type FluxNumberField, type SiteFieldValues } from '../state/draftKeys';
import type { FormDraft, LoraDraft } from '../state/formDraft';
import type { VideoDraft } from '../state/modeDrafts';
import { draftFrom, draftFromRequest } from './request';

export interface WorkflowFieldValues {
  id: string;
  values: Record<string, string>;
  randomSeed: boolean;
  image: InputImage | null;
}

export type SettingsPlan = (
  | { mode: 'image'; image: Partial<FormDraft> }
  | { mode: 'flux'; flux: FluxFieldValues }
  | { mode: 'video'; video: Partial<VideoDraft> }
  | { mode: 'site'; site: SiteFieldValues }
  | { mode: 'workflow'; workflow: WorkflowFieldValues }
) & {
  /** What the source holds that the form has no place for, in words for the user. */
  notes: string[];
};

export interface PlanOptions {
  /** Remix: everything but the seed, which is drawn anew at submit. */
  newSeed?: boolean;
  /** The seed the job really ran with, when its request left it to the provider (FLUX). */
  actualSeed?: number;
}

/** Things a ComfyUI graph or an infotext may tell beyond GenerationMeta. */
export interface MetaExtras {
  loras?: LoraDraft[];
  guidance?: number;
  frames?: number;
}

export const MODE_LABEL: Record<CreateMode, string> = { image: 'Image', flux: 'FLUX', video: 'Video', site: 'Site', workflow: 'Workflow' };

const isFluxModel = (v: unknown): v is FluxModel => (FLUX_MODELS as readonly unknown[]).includes(v);
const isV0Model = (v: unknown): v is V0Model => (V0_MODELS as readonly unknown[]).includes(v);
const ASSET_ID = /^[0-9a-f]{16}$/;

/** An input image by id, as the forms' image fields hold it: a gallery asset or an upload. */
function inputImageRef(id: string): InputImage {
  return ASSET_ID.test(id)
    ? { id, url: `/api/assets/${encodeURIComponent(id)}/thumb`, label: 'Gallery image' }
    : { id, url: `/api/uploads/${encodeURIComponent(id)}`, label: 'Uploaded image' };
}

/** The listed aspect ratio nearest to a size (2720×1536 → 16:9). */
export function nearestAspectRatio(width: number, height: number): string {
  const target = Math.log(width / height);
  let best: string = FLUX_ASPECT_RATIOS[0];
  let distance = Infinity;
  for (const r of FLUX_ASPECT_RATIOS) {
    const [w, h] = r.split(':').map(Number) as [number, number];
    const d = Math.abs(Math.log(w / h) - target);
    if (d < distance) [best, distance] = [r, d];
  }
  return best;
}

const str = (v: number | undefined) => (v === undefined ? undefined : String(v));

function fluxFromRequest(r: FluxJobRequest, o: PlanOptions): FluxFieldValues {
  const p = r.params ?? {};
  const numbers: Partial<Record<FluxNumberField, string>> = {};
  for (const k of FLUX_NUMBER_FIELDS) {
    const v = str(p[k]);
    if (v !== undefined) numbers[k] = v;
  }
  if (numbers.seed === undefined && o.actualSeed !== undefined) numbers.seed = String(o.actualSeed);
  if (o.newSeed) numbers.seed = '';
  return {
    model: r.model ?? FLUX_DEFAULT_MODEL,
    prompt: r.prompt,
    numbers,
    image: r.inputImage ? inputImageRef(r.inputImage) : null,
    ...(p.aspectRatio !== undefined ? { aspectRatio: p.aspectRatio } : {}),
    ...(p.raw !== undefined ? { raw: p.raw } : {}),
    ...(p.outputFormat !== undefined ? { outputFormat: p.outputFormat } : {}),
  };
}

/** FLUX fields from what a file kept: only the params its model takes; a size becomes an aspect ratio where that is what the model takes. */
function fluxFromMeta(meta: GenerationMeta, notes: string[], o: PlanOptions): FluxFieldValues {
  const model = isFluxModel(meta.model) ? meta.model : FLUX_DEFAULT_MODEL;
  if (meta.model && !isFluxModel(meta.model)) notes.push(`“${meta.model}” is not a FLUX API model: ${FLUX_DEFAULT_MODEL} is chosen instead`);
  const takes = (p: FluxParamName) => FLUX_MODEL_RULES[model].params.includes(p);
  const numbers: Partial<Record<FluxNumberField, string>> = {};
  if (meta.seed !== undefined && !o.newSeed) numbers.seed = String(meta.seed);
  if (o.newSeed) numbers.seed = '';
  if (meta.steps !== undefined && takes('steps')) numbers.steps = String(meta.steps);
  if (meta.guidance !== undefined && takes('guidance')) numbers.guidance = String(meta.guidance);
  const { width: w, height: h } = meta;
  let aspectRatio: string | undefined;
  if (takes('aspectRatio')) {
    aspectRatio = meta.aspectRatio ?? (w && h ? nearestAspectRatio(w, h) : undefined);
  } else if (w && h) {
    const fits = (n: number) => n >= 256 && n <= 1440 && n % 32 === 0;
    if (fits(w) && fits(h)) Object.assign(numbers, { width: String(w), height: String(h) });
    else notes.push(`${w}×${h} is outside what ${model} takes (256–1440 px, in steps of 32): the form keeps its size`);
  }
  return {
    model,
    prompt: meta.prompt ?? '',
    numbers,
    image: meta.inputImage ? inputImageRef(meta.inputImage) : null,
    ...(aspectRatio ? { aspectRatio } : {}),
  };
}

/** Image-form fields a request carries beyond draftFromRequest's: batch size, SD3 shift, FLUX guidance, separate files. */
function comfyExtras(r: ComfyJobRequest): Partial<FormDraft> {
  const p = r.params ?? {};
  const out: Partial<FormDraft> = {};
  if (p.batchSize !== undefined) out.batchSize = String(p.batchSize);
  if (p.shift !== undefined) out.shift = String(p.shift);
  if (p.guidance !== undefined) out.guidance = String(p.guidance);
  if (p.vae) out.vae = p.vae;
  const enc = p.textEncoders ?? [];
  if (r.family === 'flux' && enc.length === 2) Object.assign(out, { t5xxl: enc[0], clipL: enc[1] });
  if (r.family === 'sd3' && enc.length === 3) Object.assign(out, { sd3Encoders: 'separate', clipL: enc[0], clipG: enc[1], t5xxl: enc[2] });
  return out;
}

/** Video-form values (the SVD template's numeric fields) from request params or metadata. */
function videoValues(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TEMPLATES.svd.form) {
    const v = params[f.name];
    if (f.name !== 'seed' && typeof v === 'number') out[f.name] = String(v);
  }
  return out;
}

function comfyPlan(r: ComfyJobRequest, o: PlanOptions): SettingsPlan {
  const notes: string[] = [];
  if (r.workflow && r.workflow !== 'txt2img') {
    const values: Record<string, string> = {};
    if (r.prompt) values.prompt = r.prompt;
    if (r.negativePrompt) values.negativePrompt = r.negativePrompt;
    if (r.model) values.model = r.model;
    for (const [k, v] of Object.entries(r.params ?? {})) if (typeof v === 'number' || typeof v === 'string') values[k] = String(v);
    if (o.newSeed) delete values.seed;
    return { mode: 'workflow', workflow: { id: r.workflow, values, randomSeed: o.newSeed === true, image: r.inputImage ? inputImageRef(r.inputImage) : null }, notes };
  }
  if (r.kind === 'video' || r.family === 'svd') {
    return {
      mode: 'video',
      video: { ...(r.model ? { model: r.model } : {}), prompt: r.prompt ?? '', values: videoValues(r.params ?? {}), image: r.inputImage ? inputImageRef(r.inputImage) : null },
      notes,
    };
  }
  if (r.inputImage) notes.push('The input image has no place in the Image form');
  const image = { ...draftFromRequest(r), ...comfyExtras(r) };
  if (o.newSeed) image.randomSeed = true;
  return { mode: 'image', image, notes };
}

/** The plan for a job's own request: every field as it was sent. */
export function planFromRequest(r: JobRequest, o: PlanOptions = {}): SettingsPlan {
  switch (r.provider) {
    case 'flux':
      return { mode: 'flux', flux: fluxFromRequest(r, o), notes: [] };
    case 'v0': {
      const notes: string[] = [];
      if (r.followUp) notes.push('It was a change to an existing site: this makes a new one (send changes from the site’s Inspector)');
      if (r.import) notes.push('It was an import from v0: there is no prompt to reuse');
      return { mode: 'site', site: { prompt: r.import ? '' : r.prompt, ...(r.model ? { model: r.model } : {}), ...(r.systemPrompt ? { systemPrompt: r.systemPrompt } : {}) }, notes };
    }
    case 'comfyui':
      return comfyPlan(r, o);
  }
}

/**
 * The plan for what a file kept (no job record): FLUX and v0 files go to their own modes, clips to
 * Video, the rest to Image. `kind` is the asset's type (or what a dropped file looks like).
 */
export function planFromMeta(meta: GenerationMeta, kind: 'image' | 'video' | 'site', extras: MetaExtras = {}, o: PlanOptions = {}): SettingsPlan {
  const notes: string[] = [];
  if (meta.provider === 'flux' || (meta.provider !== 'comfyui' && isFluxModel(meta.model))) {
    return { mode: 'flux', flux: fluxFromMeta(meta, notes, o), notes };
  }
  if (meta.provider === 'v0' || kind === 'site') {
    return { mode: 'site', site: { prompt: meta.prompt ?? '', ...(isV0Model(meta.model) ? { model: meta.model } : {}) }, notes };
  }
  if (meta.workflow) notes.push(`It ran the custom workflow “${meta.workflow}”: its settings go to the built-in form, not to that workflow`);
  if (kind === 'video') {
    const values = videoValues({ ...meta, ...(extras.frames !== undefined ? { frames: extras.frames } : {}) });
    if (meta.inputImage) notes.push('Choose the input image again: the file does not say which one it was');
    return { mode: 'video', video: { ...(meta.model ? { model: meta.model } : {}), prompt: meta.prompt ?? '', values }, notes };
  }
  const image = draftFrom(meta);
  if (extras.loras && extras.loras.length > 0 && (image.loras ?? []).length === 0) image.loras = extras.loras;
  const guidance = meta.guidance ?? extras.guidance;
  if (guidance !== undefined) image.guidance = String(guidance);
  if (meta.inputImage) notes.push('The input image has no place in the Image form');
  if (o.newSeed) image.randomSeed = true;
  return { mode: 'image', image, notes };
}
