import { CHAT_FLAGS, CHAT_MAX_JOBS_PER_MESSAGE, type ChatFlagName, type ChatFlags, type ChatProblem, type FlagSpans } from './chat-grammar.js';
import { matchModel } from './chat-models.js';
import { ComfyJobRequest, MAX_SEED, type GenerationParams, type JobRequest } from './jobs.js';
import { FLUX_DEFAULT_MODEL, FLUX_MODELS, FLUX_MODEL_RULES, FluxJobRequest, fluxRequestProblem, parseAspectRatio, type FluxModel, type FluxParams } from './requests/flux.js';
import { V0_MODELS, V0JobRequest, type V0Model } from './requests/v0.js';
import { familyDefaults, TEMPLATES } from './templates/index.js';
import type { TemplateFamily } from './templates/types.js';
import { checked, type FieldError } from './validate.js';

/*
 * A parsed chat message (prompt + flags) and the thread's resolved target → the job requests to
 * submit, validated with the same schemas as `POST /api/jobs`. A value out of range comes back as a
 * problem naming the flag as typed (`--steps 500: must be ≤ 200`), and nothing is queued.
 */

export type ChatJobTarget =
  | { provider: 'comfyui'; kind: 'image' | 'video'; model?: string; modelFolder?: 'checkpoints' | 'diffusion_models'; family?: TemplateFamily }
  | { provider: 'flux'; model?: string }
  | { provider: 'v0'; model?: string; followUp?: { assetId?: string; chatId?: string } };

export type ChatBuild = { ok: true; requests: JobRequest[] } | { ok: false; problem: ChatProblem };

const comfyRequest = checked(ComfyJobRequest);
const fluxRequest = checked(FluxJobRequest);
const v0Request = checked(V0JobRequest);

/** Which flag set a request field (`/params/guidance` came from --cfg). */
const FIELD_FLAGS: Readonly<Record<string, ChatFlagName>> = {
  '/params/seed': 'seed',
  '/params/steps': 'steps',
  '/params/cfg': 'cfg',
  '/params/guidance': 'cfg',
  '/params/width': 'size',
  '/params/height': 'size',
  '/params/videoWidth': 'size',
  '/params/videoHeight': 'size',
  '/params/sampler': 'sampler',
  '/params/aspectRatio': 'ar',
  '/params/raw': 'raw',
  '/params/frames': 'frames',
  '/params/fps': 'fps',
  '/negativePrompt': 'neg',
  '/model': 'model',
};

/** Sides a size from --ar is rounded to. */
const COMFY_STEP = 64;

/** Width × height of about `area` pixels in the ratio `ar`, rounded to `step`, each side within [min, max]. */
export function sizeForRatio(ar: string, area: number, step: number, min = 64, max = 4096): { width: number; height: number } | null {
  const r = parseAspectRatio(ar);
  if (!r) return null;
  const ratio = r.w / r.h;
  const clamp = (v: number) => Math.min(max, Math.max(min, Math.round(v / step) * step));
  return { width: clamp(Math.sqrt(area * ratio)), height: clamp(Math.sqrt(area / ratio)) };
}

function problemFor(errors: readonly FieldError[], spans: FlagSpans, fallbackHint?: string): ChatProblem {
  const e = errors[0] ?? { path: '/', message: 'is not valid' };
  const flag = FIELD_FLAGS[e.path];
  const at = flag ? (spans[flag] ?? (flag === 'size' ? spans.ar : undefined)) : undefined;
  const what = at ? at.text : e.path === '/prompt' ? 'The prompt' : e.path.replace(/^\//, '');
  return {
    code: 'invalid_request',
    message: `${what}: ${e.message}`,
    ...(at ? { span: { start: at.start, end: at.end } } : {}),
    ...(flag ? { hint: CHAT_FLAGS[flag].usage } : fallbackHint ? { hint: fallbackHint } : {}),
  };
}

/** A name among a provider's fixed model list: exact, a unique prefix or word (`ultra`, `dev`, `max`). */
export function pickNamedModel<T extends string>(typed: string, names: readonly T[]): { ok: true; model: T } | { ok: false; candidates: T[] } {
  const m = matchModel(typed, names.map((file) => ({ file })));
  if (m.kind === 'one') return { ok: true, model: m.model.file as T };
  return { ok: false, candidates: (m.kind === 'many' ? m.candidates : m.nearest).map((c) => c.file as T) };
}

function modelProblem(typed: string, provider: string, names: readonly string[], candidates: readonly string[], spans: FlagSpans): ChatProblem {
  const at = spans.model;
  const list = candidates.length > 0 ? candidates : names;
  return {
    code: candidates.length > 1 ? 'ambiguous_model' : 'unknown_model',
    message: candidates.length > 1 ? `"${typed}" could be ${list.join(', ')}: say which` : `${provider} has no model "${typed}"; models: ${names.join(', ')}`,
    ...(at ? { span: { start: at.start, end: at.end } } : {}),
    candidates: [...list],
    hint: `--model ${list[0]}`,
  };
}

function seeded<R extends JobRequest>(base: R, count: number, seed: number | undefined, setSeed: (r: R, seed: number) => R): R[] {
  return Array.from({ length: count }, (_, i) => (seed === undefined ? base : setSeed(base, (seed + i) % (MAX_SEED + 1))));
}

/**
 * The requests one message asks for (`--n` of them). Seeds: `--seed s` gives s, s+1, …; without it each
 * job draws its own.
 */
export function buildChatRequests(target: ChatJobTarget, prompt: string, flags: ChatFlags, spans: FlagSpans, o: { inputImage?: string } = {}): ChatBuild {
  const count = flags.n ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > CHAT_MAX_JOBS_PER_MESSAGE) {
    const at = spans.n;
    return { ok: false, problem: { code: 'bad_flag_value', message: `${at?.text ?? '--n'}: one message queues 1 to ${CHAT_MAX_JOBS_PER_MESSAGE} jobs`, ...(at ? { span: { start: at.start, end: at.end } } : {}), hint: CHAT_FLAGS.n.usage } };
  }
  if (flags.ar !== undefined && flags.size !== undefined) {
    const at = spans.size!;
    return { ok: false, problem: { code: 'bad_flag_value', message: 'Give --ar or --size, not both', span: { start: at.start, end: at.end }, hint: '--ar <w:h>' } };
  }
  switch (target.provider) {
    case 'comfyui':
      return target.kind === 'video' ? comfyVideo(target, prompt, flags, spans, count, o.inputImage) : comfyImage(target, prompt, flags, spans, count, o.inputImage);
    case 'flux':
      return flux(target, prompt, flags, spans, count, o.inputImage);
    case 'v0':
      return v0(target, prompt, flags, spans, count, o.inputImage);
  }
}

const withSeed = <R extends { params?: object }>(r: R, seed: number): R => ({ ...r, params: { ...(r.params ?? {}), seed } });

function comfyImage(target: Extract<ChatJobTarget, { provider: 'comfyui' }>, prompt: string, flags: ChatFlags, spans: FlagSpans, count: number, inputImage: string | undefined): ChatBuild {
  if (inputImage !== undefined) {
    return { ok: false, problem: { code: 'image_not_taken', message: 'ComfyUI images start from text here: for a video from the image use /video; to edit it, /apex-flux --model flux-kontext-pro', hint: '/video' } };
  }
  const family = target.family ?? 'sdxl';
  const params: GenerationParams = {};
  if (flags.seed !== undefined) params.seed = flags.seed;
  if (flags.steps !== undefined) params.steps = flags.steps;
  if (flags.cfg !== undefined) {
    // FLUX run locally has no CFG: its guidance takes the value.
    if (TEMPLATES[family].form.some((f) => f.name === 'guidance') && !TEMPLATES[family].form.some((f) => f.name === 'cfg')) params.guidance = flags.cfg;
    else params.cfg = flags.cfg;
  }
  if (flags.sampler !== undefined) params.sampler = flags.sampler;
  if (flags.size) {
    params.width = flags.size.width;
    params.height = flags.size.height;
  } else if (flags.ar) {
    const d = familyDefaults(family);
    const area = (Number(d.width) || 1024) * (Number(d.height) || 1024);
    const size = sizeForRatio(flags.ar, area, COMFY_STEP);
    if (size) Object.assign(params, size);
  }
  const request: ComfyJobRequest = {
    provider: 'comfyui',
    kind: 'image',
    ...(target.family ? ({ family: target.family } as object) : {}),
    ...(target.model ? { model: target.model } : {}),
    ...(target.model && target.modelFolder ? { modelFolder: target.modelFolder } : {}),
    prompt,
    ...(flags.neg !== undefined ? { negativePrompt: flags.neg } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
  };
  if (!comfyRequest.check(request)) return { ok: false, problem: problemFor(comfyRequest.errors(request), spans) };
  return { ok: true, requests: seeded(request, count, flags.seed, withSeed) };
}

function comfyVideo(target: Extract<ChatJobTarget, { provider: 'comfyui' }>, prompt: string, flags: ChatFlags, spans: FlagSpans, count: number, inputImage: string | undefined): ChatBuild {
  if (inputImage === undefined) {
    return { ok: false, problem: { code: 'image_required', message: '/video makes a clip from an image: attach one (paste, drop or pick), then send /video again', hint: '/video' } };
  }
  const params: GenerationParams = {};
  if (flags.seed !== undefined) params.seed = flags.seed;
  if (flags.steps !== undefined) params.steps = flags.steps;
  if (flags.cfg !== undefined) params.cfg = flags.cfg;
  if (flags.frames !== undefined) params.frames = flags.frames;
  if (flags.fps !== undefined) params.fps = flags.fps;
  if (flags.size) {
    params.videoWidth = flags.size.width;
    params.videoHeight = flags.size.height;
  }
  const request: ComfyJobRequest = {
    provider: 'comfyui',
    kind: 'video',
    family: 'svd',
    ...(target.model ? { model: target.model } : {}),
    ...(target.model && target.modelFolder ? { modelFolder: target.modelFolder } : {}),
    inputImage,
    ...(prompt ? { prompt } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
  } as ComfyJobRequest;
  if (!comfyRequest.check(request)) return { ok: false, problem: problemFor(comfyRequest.errors(request), spans) };
  return { ok: true, requests: seeded(request, count, flags.seed, withSeed) };
}

/** FLUX params each flag may set, to say which flags a model takes. */
const FLUX_FLAG_PARAMS: Readonly<Partial<Record<ChatFlagName, readonly (keyof FluxParams)[]>>> = {
  ar: ['aspectRatio', 'width'],
  size: ['width'],
  seed: ['seed'],
  steps: ['steps'],
  cfg: ['guidance'],
  raw: ['raw'],
};

function flux(target: Extract<ChatJobTarget, { provider: 'flux' }>, prompt: string, flags: ChatFlags, spans: FlagSpans, count: number, inputImage: string | undefined): ChatBuild {
  let model: FluxModel = FLUX_DEFAULT_MODEL;
  const typed = flags.model ?? target.model;
  if (typed !== undefined) {
    const pick = pickNamedModel(typed, FLUX_MODELS);
    if (!pick.ok) return { ok: false, problem: modelProblem(typed, 'FLUX', FLUX_MODELS, pick.candidates, spans) };
    model = pick.model;
  }
  const rule = FLUX_MODEL_RULES[model];
  const takes = (Object.keys(FLUX_FLAG_PARAMS) as ChatFlagName[]).filter((f) => FLUX_FLAG_PARAMS[f]!.some((p) => rule.params.includes(p)));
  for (const f of Object.keys(FLUX_FLAG_PARAMS) as ChatFlagName[]) {
    if (flags[f as keyof ChatFlags] === undefined || takes.includes(f)) continue;
    const at = spans[f];
    return {
      ok: false,
      problem: {
        code: 'flag_not_taken',
        message: `${at?.text ?? `--${f}`}: ${model} does not take --${f}; it takes ${[...takes, 'n', 'model'].map((x) => `--${x}`).join(', ')}`,
        ...(at ? { span: { start: at.start, end: at.end } } : {}),
        hint: '/help apex-flux',
      },
    };
  }
  const params: FluxParams = {};
  if (flags.seed !== undefined) params.seed = flags.seed;
  if (flags.steps !== undefined) params.steps = flags.steps;
  if (flags.cfg !== undefined) params.guidance = flags.cfg;
  if (flags.raw) params.raw = true;
  if (flags.size) {
    params.width = flags.size.width;
    params.height = flags.size.height;
  } else if (flags.ar) {
    if (rule.params.includes('aspectRatio')) params.aspectRatio = flags.ar;
    else {
      const size = sizeForRatio(flags.ar, 1024 * 1024, 32, 256, 1440);
      if (size) Object.assign(params, size);
    }
  }
  const request: FluxJobRequest = {
    provider: 'flux',
    kind: 'image',
    ...(model !== FLUX_DEFAULT_MODEL || typed !== undefined ? { model } : {}),
    prompt,
    ...(Object.keys(params).length > 0 ? { params } : {}),
    ...(inputImage !== undefined ? { inputImage } : {}),
  };
  if (!fluxRequest.check(request)) return { ok: false, problem: problemFor(fluxRequest.errors(request), spans) };
  const problem = fluxRequestProblem(request);
  if (problem) {
    if (problem.path === '/inputImage') return { ok: false, problem: { code: 'image_required', message: `${model} edits an image: attach one (paste, drop or pick) and send again`, hint: `/apex-flux ${prompt} --model ${model}` } };
    return { ok: false, problem: problemFor([problem], spans) };
  }
  return { ok: true, requests: seeded(request, count, flags.seed, withSeed) };
}

function v0(target: Extract<ChatJobTarget, { provider: 'v0' }>, prompt: string, flags: ChatFlags, spans: FlagSpans, count: number, inputImage: string | undefined): ChatBuild {
  if (inputImage !== undefined) return { ok: false, problem: { code: 'image_not_taken', message: 'v0 takes no image here: describe the site in words', hint: `/v0 ${prompt}` } };
  if (count > 1) return { ok: false, problem: { code: 'flag_not_taken', message: 'A site is made once per message: --n is for images', hint: `/v0 ${prompt}` } };
  let model: V0Model | undefined;
  const typed = flags.model ?? target.model;
  if (typed !== undefined) {
    const pick = pickNamedModel(typed, V0_MODELS);
    if (!pick.ok) return { ok: false, problem: modelProblem(typed, 'v0', V0_MODELS, pick.candidates, spans) };
    model = pick.model;
  }
  const request: V0JobRequest = {
    provider: 'v0',
    kind: 'site',
    prompt,
    ...(model ? { model } : {}),
    ...(target.followUp ? { followUp: target.followUp } : {}),
  };
  if (!v0Request.check(request)) return { ok: false, problem: problemFor(v0Request.errors(request), spans) };
  return { ok: true, requests: [request] };
}
