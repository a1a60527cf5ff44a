import {
  checked,
  ComfyJobRequest,
  familyDefaults,
  MAX_LORAS,
  MAX_SEED,
  TEMPLATES,
  parseLoraMeta,
  type FieldError,
  type GenerationMeta,
  type JobRequest,
  type LoraRef,
  type TemplateFamily,
} from '@orchestrator/shared';
import type { ControlNetRef, HiresFix, IpAdapterRef, Outpaint } from '@orchestrator/shared';
import type { ControlNetDraft, FormDraft, ImageRefDraft, LoraDraft, ModelFolder } from '../state/formDraft';
import { generationParams } from './jobState';

const comfyRequest = checked(ComfyJobRequest);

/** A seed in [0, MAX_SEED] from the platform's CSPRNG. */
export function randomSeed(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  const high = hi! % Math.floor(MAX_SEED / 2 ** 32 + 1);
  return Math.min(MAX_SEED, high * 2 ** 32 + lo!);
}

function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * Maps a schema path (`/params/width`) to the form field it belongs to (`width`); an item of the
 * text-encoder list (`/params/textEncoders/1`) to `textEncoders.1`, a LoRA's strength
 * (`/params/loras/2/strength`) to `loras.2.strength`.
 */
export function fieldOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'params' && parts[1] !== undefined && NESTED.has(parts[1])) return parts.slice(1).join('.');
  const last = parts.pop() ?? '';
  if (parts.pop() === 'textEncoders' && /^\d+$/.test(last)) return `textEncoders.${last}`;
  return last || 'form';
}

/** Params whose errors keep their inner path: `controlNets.1.strength`, `hiresFix.scale`. */
const NESTED = new Set(['loras', 'controlNets', 'hiresFix', 'ipAdapter', 'outpaint']);

/** A draft field holding a text-encoder file. */
export type EncoderField = 't5xxl' | 'clipL' | 'clipG';

/** Loader order of the separate text encoders (GenerationParams.textEncoders). */
const SEPARATE_ENCODERS = {
  flux: ['t5xxl', 'clipL'],
  sd3: ['clipL', 'clipG', 't5xxl'],
} as const satisfies Partial<Record<TemplateFamily, readonly EncoderField[]>>;

/**
 * The text-encoder files the family's graph loads apart from the model, in loader order: FLUX from a
 * bare diffusion model (not an all-in-one checkpoint); SD3 when its checkpoint has no encoders built
 * in; none otherwise.
 */
export function separateEncoders(family: TemplateFamily | undefined, draft: Pick<FormDraft, 'sd3Encoders' | 'modelFolder'>): readonly EncoderField[] {
  if (family === 'flux') return draft.modelFolder === 'checkpoints' ? [] : SEPARATE_ENCODERS.flux;
  if (family === 'sd3' && draft.sd3Encoders === 'separate') return SEPARATE_ENCODERS.sd3;
  return [];
}

/** Whether the family's graph loads its VAE from a file of its own (FLUX from a bare diffusion model). */
export function separateVae(family: TemplateFamily | undefined, modelFolder: ModelFolder): boolean {
  return family === 'flux' && modelFolder !== 'checkpoints';
}

/** Whether the family's template chains LoRAs (SVD's does not); an unknown family is left to the server. */
export function takesLoras(family: TemplateFamily | undefined): boolean {
  return !family || TEMPLATES[family].loraSource !== undefined;
}

const MIN_STRENGTH = -10;
const MAX_STRENGTH = 10;

/**
 * `{family}` for a ComfyUI request. The shared static type of `family` resolves to undefined (a union
 * mapped from a readonly array), so it is spread in untyped; the schema check still validates it.
 */
export function withFamily(family: string | undefined): object {
  return family ? { family } : {};
}

export type BuildResult = { ok: true; request: JobRequest; seed: number } | { ok: false; errors: FieldError[] };

/** The form fields a family's template takes (TEMPLATES[family].form); undefined: the classic SD set. */
export function familyFields(family: TemplateFamily | undefined): ReadonlySet<string> | undefined {
  return family ? new Set(TEMPLATES[family].form.map((f) => f.name)) : undefined;
}

const DEFAULTED = ['width', 'height', 'steps', 'cfg', 'sampler', 'scheduler', 'shift', 'guidance'] as const;

/** The draft fields a family's defaults set when one of its checkpoints is chosen. */
export function familyDraft(family: TemplateFamily): Partial<FormDraft> {
  const d = familyDefaults(family);
  const out: Partial<FormDraft> = {};
  for (const k of DEFAULTED) if (d[k] !== undefined) out[k] = String(d[k]);
  return out;
}

/**
 * Turns the draft into a JobRequest, validated with the same schema the server uses. With a family,
 * only the fields of that family's form are sent, and the family is named in the request.
 */
export function buildRequest(draft: FormDraft, family?: TemplateFamily): BuildResult {
  const fields = familyFields(family);
  const takes = (name: string) => !fields || fields.has(name);
  const errors: FieldError[] = [];
  const int = (field: string, text: string): number | undefined => {
    const value = num(text);
    if (!Number.isFinite(value)) errors.push({ path: `/params/${field}`, message: 'must be a number' });
    return Number.isFinite(value) ? value : undefined;
  };
  if (draft.prompt.trim() === '') errors.push({ path: '/prompt', message: 'Describe what to generate' });
  const encoders = separateEncoders(family, draft).map((field, i) => {
    const file = draft[field].trim();
    if (!file) errors.push({ path: `/params/textEncoders/${i}`, message: 'Choose a text encoder file' });
    return file;
  });
  const vae = separateVae(family, draft.modelFolder) ? draft.vae.trim() : undefined;
  const loras = takesLoras(family) ? lorasOf(draft.loras, errors) : [];
  const image = draft.inputImage;
  const mode = image ? draft.imageMode : undefined;
  const float = (field: string, text: string): number | undefined => {
    const value = num(text);
    if (!Number.isFinite(value)) errors.push({ path: `/params/${field.replaceAll('.', '/')}`, message: 'must be a number' });
    return Number.isFinite(value) ? value : undefined;
  };
  if (mode === 'inpaint' && !draft.mask) errors.push({ path: '/mask', message: 'Paint the part to repaint first' });
  const controlNets = draft.controlNets.map((row, i) => controlNetOf(row, i, errors, float));
  const hiresFix: HiresFix | undefined = draft.hires.enabled
    ? {
        scale: float('hiresFix.scale', draft.hires.scale) ?? 1,
        denoise: float('hiresFix.denoise', draft.hires.denoise) ?? 0.5,
        ...(draft.hires.steps.trim() ? { steps: float('hiresFix.steps', draft.hires.steps) ?? 1 } : {}),
      }
    : undefined;
  let ipAdapter: IpAdapterRef | undefined;
  if (draft.ipAdapter.enabled) {
    if (!draft.ipAdapter.image) errors.push({ path: '/params/ipAdapter/image', message: 'Choose the reference image' });
    else ipAdapter = { image: draft.ipAdapter.image.id, weight: float('ipAdapter.weight', draft.ipAdapter.weight) ?? 1, preset: draft.ipAdapter.preset as IpAdapterRef['preset'] };
  }
  const pad = draft.outpaint;
  const outpaint: Outpaint | undefined =
    mode === 'outpaint'
      ? {
          left: float('outpaint.left', pad.left) ?? 0,
          top: float('outpaint.top', pad.top) ?? 0,
          right: float('outpaint.right', pad.right) ?? 0,
          bottom: float('outpaint.bottom', pad.bottom) ?? 0,
          feathering: float('outpaint.feathering', pad.feathering) ?? 40,
        }
      : undefined;
  if (outpaint && !outpaint.left && !outpaint.top && !outpaint.right && !outpaint.bottom) {
    errors.push({ path: '/params/outpaint/left', message: 'Add some pixels on at least one side' });
  }
  // With a picture, its own size unless "keep the picture's size" is off.
  const sized = !image || !draft.keepSize;
  if (vae === '') errors.push({ path: '/params/vae', message: 'Choose a VAE file' });
  const seed = draft.randomSeed ? randomSeed() : int('seed', draft.seed);
  const params = {
    seed,
    steps: int('steps', draft.steps),
    cfg: takes('cfg') ? int('cfg', draft.cfg) : undefined,
    shift: fields?.has('shift') ? int('shift', draft.shift) : undefined,
    guidance: fields?.has('guidance') ? int('guidance', draft.guidance) : undefined,
    sampler: draft.sampler || undefined,
    scheduler: draft.scheduler || undefined,
    width: sized ? int('width', draft.width) : undefined,
    height: sized ? int('height', draft.height) : undefined,
    batchSize: int('batchSize', draft.batchSize),
    vae,
    textEncoders: encoders.length > 0 ? encoders : undefined,
    loras: loras.length > 0 ? loras : undefined,
    denoise: image ? float('denoise', draft.denoise) : undefined,
    controlNets: controlNets.length > 0 ? controlNets : undefined,
    hiresFix: mode === 'inpaint' || mode === 'outpaint' ? undefined : hiresFix,
    ipAdapter,
    outpaint,
  };
  if (errors.length > 0 || seed === undefined) return { ok: false, errors };
  const request: ComfyJobRequest = {
    provider: 'comfyui',
    kind: 'image',
    ...withFamily(family),
    prompt: draft.prompt.trim(),
    ...(draft.model ? { model: draft.model } : {}),
    ...(draft.model && draft.modelFolder ? { modelFolder: draft.modelFolder } : {}),
    ...(takes('negativePrompt') && draft.negativePrompt.trim() ? { negativePrompt: draft.negativePrompt.trim() } : {}),
    ...(image ? { inputImage: image.id } : {}),
    ...(mode === 'inpaint' && draft.mask ? { mask: draft.mask.id } : {}),
    params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
  };
  if (!comfyRequest.check(request)) return { ok: false, errors: comfyRequest.errors(request) };
  return { ok: true, request, seed };
}

/** One ControlNet row as the request's entry; a missing file or image, or a bad number, is an error. */
function controlNetOf(row: ControlNetDraft, i: number, errors: FieldError[], float: (field: string, text: string) => number | undefined): ControlNetRef {
  if (!row.model) errors.push({ path: `/params/controlNets/${i}/model`, message: 'Choose a ControlNet model' });
  if (!row.image) errors.push({ path: `/params/controlNets/${i}/image`, message: 'Choose its control image' });
  return {
    model: row.model || 'none',
    image: row.image?.id ?? 'none',
    strength: float(`controlNets.${i}.strength`, row.strength) ?? 1,
    startPercent: float(`controlNets.${i}.startPercent`, row.start) ?? 0,
    endPercent: float(`controlNets.${i}.endPercent`, row.end) ?? 1,
    ...(row.preprocessor === 'canny' ? { preprocessor: 'canny' as const } : {}),
  };
}

/** The draft's LoRA rows as the request's list, in order; a strength that is no number or out of range is an error. */
function lorasOf(rows: readonly LoraDraft[], errors: FieldError[]): LoraRef[] {
  if (rows.length > MAX_LORAS) errors.push({ path: '/params/loras', message: `At most ${MAX_LORAS} LoRAs: remove ${rows.length - MAX_LORAS}` });
  return rows.map((row, i) => {
    const strength = num(row.strength);
    if (!Number.isFinite(strength)) errors.push({ path: `/params/loras/${i}/strength`, message: 'must be a number' });
    else if (strength < MIN_STRENGTH || strength > MAX_STRENGTH) {
      errors.push({ path: `/params/loras/${i}/strength`, message: `must be between ${MIN_STRENGTH} and ${MAX_STRENGTH}` });
    }
    return { name: row.name, strength };
  });
}

/** The prompt with a (trigger) word appended after a comma; the user's text before it is kept as typed. */
export function appendToPrompt(prompt: string, word: string): string {
  const head = prompt.replace(/[\s,]+$/, '');
  return head ? `${head}, ${word}` : word;
}

/** Whether the prompt already holds the word (any case, as a whole word or phrase). */
export function promptHas(prompt: string, word: string): boolean {
  const escaped = word.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return escaped !== '' && new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'iu').test(prompt);
}

const loraRow = (l: LoraRef): LoraDraft => ({ name: l.name, strength: String(l.strength) });

/** The form fields a finished asset or job was made with, for "Use these settings". */
export function draftFrom(meta: GenerationMeta): Partial<FormDraft> {
  const out: Partial<FormDraft> = {};
  if (meta.model) {
    out.model = meta.model;
    // The metadata does not say which folder; the form finds out from the catalogue.
    out.modelFolder = '';
  }
  if (meta.prompt !== undefined) out.prompt = meta.prompt;
  out.negativePrompt = meta.negativePrompt ?? '';
  if (meta.seed !== undefined) {
    out.seed = String(meta.seed);
    out.randomSeed = false;
  }
  if (meta.steps !== undefined) out.steps = String(meta.steps);
  if (meta.cfg !== undefined) out.cfg = String(meta.cfg);
  if (meta.sampler) out.sampler = meta.sampler;
  if (meta.scheduler) out.scheduler = meta.scheduler;
  if (meta.width !== undefined) out.width = String(meta.width);
  if (meta.height !== undefined) out.height = String(meta.height);
  out.loras = parseLoraMeta(meta.loras).map(loraRow);
  return out;
}

/** The form fields of a job's request, for "Use these settings": its LoRAs and model folder exactly. */
export function draftFromRequest(r: JobRequest): Partial<FormDraft> {
  const { loras, controlNets, hiresFix, ipAdapter, outpaint, upscale: _upscale, ...p } = generationParams(r);
  const out = draftFrom({ ...p, model: r.model, prompt: r.prompt });
  out.loras = (loras ?? []).map(loraRow);
  if (r.provider !== 'comfyui') return out;
  if (r.model && r.modelFolder) out.modelFolder = r.modelFolder;
  // The picture, mask, ControlNets, hires fix and IP-Adapter it used, as the form's rows.
  out.inputImage = r.inputImage ? imageRef(r.inputImage, 'Input image') : null;
  out.mask = r.mask ? imageRef(r.mask, 'Mask') : null;
  out.imageMode = outpaint ? 'outpaint' : r.mask ? 'inpaint' : 'img2img';
  if (r.inputImage) out.keepSize = p.width === undefined && p.height === undefined;
  if (p.denoise !== undefined) out.denoise = String(p.denoise);
  if (outpaint) {
    out.outpaint = { left: String(outpaint.left ?? 0), top: String(outpaint.top ?? 0), right: String(outpaint.right ?? 0), bottom: String(outpaint.bottom ?? 0), feathering: String(outpaint.feathering ?? 40) };
  }
  out.controlNets = (controlNets ?? []).map((c, i) => ({
    model: c.model,
    image: imageRef(c.image, `Control image ${i + 1}`),
    preprocessor: c.preprocessor === 'canny' ? 'canny' : 'none',
    strength: String(c.strength ?? 1),
    start: String(c.startPercent ?? 0),
    end: String(c.endPercent ?? 1),
  }));
  out.hires = hiresFix
    ? { enabled: true, scale: String(hiresFix.scale), denoise: String(hiresFix.denoise ?? 0.5), steps: hiresFix.steps !== undefined ? String(hiresFix.steps) : '' }
    : { enabled: false, scale: '1.5', denoise: '0.5', steps: '' };
  out.ipAdapter = ipAdapter
    ? { enabled: true, image: imageRef(ipAdapter.image, 'Reference image'), weight: String(ipAdapter.weight ?? 1), preset: ipAdapter.preset ?? 'STANDARD (medium strength)' }
    : { enabled: false, image: null, weight: '1', preset: 'STANDARD (medium strength)' };
  return out;
}

/** An upload or gallery asset id as the form shows it: a gallery asset by its thumbnail. */
export function imageRef(id: string, label: string): ImageRefDraft {
  return { id, label, url: /^[0-9a-f]{16}$/.test(id) ? `/api/assets/${id}/thumb` : `/api/uploads/${encodeURIComponent(id)}` };
}
