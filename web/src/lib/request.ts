import { checked, ComfyJobRequest, MAX_SEED, type FieldError, type GenerationMeta, type JobRequest } from '@orchestrator/shared';
import type { FormDraft } from '../state/formDraft';

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

/** Maps a schema path (`/params/width`) to the form field it belongs to (`width`). */
export function fieldOf(path: string): string {
  const last = path.split('/').filter(Boolean).pop() ?? '';
  return last || 'form';
}

export type BuildResult = { ok: true; request: JobRequest; seed: number } | { ok: false; errors: FieldError[] };

/** Turns the draft into a JobRequest, validated with the same schema the server uses. */
export function buildRequest(draft: FormDraft): BuildResult {
  const errors: FieldError[] = [];
  const int = (field: string, text: string): number | undefined => {
    const value = num(text);
    if (!Number.isFinite(value)) errors.push({ path: `/params/${field}`, message: 'must be a number' });
    return Number.isFinite(value) ? value : undefined;
  };
  if (draft.prompt.trim() === '') errors.push({ path: '/prompt', message: 'Describe what to generate' });
  const seed = draft.randomSeed ? randomSeed() : int('seed', draft.seed);
  const params = {
    seed,
    steps: int('steps', draft.steps),
    cfg: int('cfg', draft.cfg),
    sampler: draft.sampler || undefined,
    scheduler: draft.scheduler || undefined,
    width: int('width', draft.width),
    height: int('height', draft.height),
    batchSize: int('batchSize', draft.batchSize),
  };
  if (errors.length > 0 || seed === undefined) return { ok: false, errors };
  const request: ComfyJobRequest = {
    provider: 'comfyui',
    kind: 'image',
    prompt: draft.prompt.trim(),
    ...(draft.model ? { model: draft.model } : {}),
    ...(draft.negativePrompt.trim() ? { negativePrompt: draft.negativePrompt.trim() } : {}),
    params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
  };
  if (!comfyRequest.check(request)) return { ok: false, errors: comfyRequest.errors(request) };
  return { ok: true, request, seed };
}

/** The form fields a finished asset or job was made with, for "Use these settings". */
export function draftFrom(meta: GenerationMeta): Partial<FormDraft> {
  const out: Partial<FormDraft> = {};
  if (meta.model) out.model = meta.model;
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
  return out;
}
