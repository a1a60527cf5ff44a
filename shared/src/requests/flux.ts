import Type, { type Static } from 'typebox';
import { RequestPriority } from '../priority.js';
import { Text } from '../text.js';

/*
 * FLUX through the BFL API: the `POST /api/jobs` body for provider "flux", and which parameters each
 * model takes (a data table both the server and the worker check against). Field ranges follow
 * bfl-openapi.json (FluxUltraInput, FluxPro11Inputs, FluxDevInputs, FluxKontextProInputs).
 *
 * Imports nothing but typebox (and the leaves priority.ts and text.ts): jobs.ts imports this file, so a value import back would be circular.
 */

export const FLUX_MODELS = ['flux-pro-1.1-ultra', 'flux-pro-1.1', 'flux-dev', 'flux-kontext-pro', 'flux-kontext-max'] as const;
export type FluxModel = (typeof FLUX_MODELS)[number];
export const FLUX_DEFAULT_MODEL: FluxModel = 'flux-pro-1.1-ultra';
export const FLUX_OUTPUT_FORMATS = ['jpeg', 'png'] as const;

/** An asset id (16 hex, a gallery file) or an upload id (a lowercase UUID, a file under DATA_PATH/uploads). */
export const FLUX_INPUT_IMAGE_PATTERN = '^([0-9a-f]{16}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';

const side = { minimum: 256, maximum: 1440, multipleOf: 32 };

export const FluxParams = Type.Object(
  {
    aspectRatio: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$', description: '"W:H" between 21:9 and 9:21' })),
    raw: Type.Optional(Type.Boolean({ description: 'less processed, photographic look (ultra)' })),
    imagePromptStrength: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'how much the image prompt steers (ultra)' })),
    width: Type.Optional(Type.Integer(side)),
    height: Type.Optional(Type.Integer(side)),
    steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    guidance: Type.Optional(Type.Number({ minimum: 1.5, maximum: 5 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    safetyTolerance: Type.Optional(Type.Integer({ minimum: 0, maximum: 6, description: '0 strict … 6 permissive' })),
    outputFormat: Type.Optional(Type.Enum(FLUX_OUTPUT_FORMATS)),
    promptUpsampling: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FluxParams = Static<typeof FluxParams>;
export type FluxParamName = keyof FluxParams;

export const FluxJobRequest = Type.Object(
  {
    provider: Type.Literal('flux'),
    kind: Type.Literal('image'),
    model: Type.Optional(Type.Enum(FLUX_MODELS, { description: `default ${FLUX_DEFAULT_MODEL}` })),
    prompt: Text({ minLength: 1, maxLength: 20000 }),
    params: Type.Optional(FluxParams),
    inputImage: Type.Optional(
      Type.String({ pattern: FLUX_INPUT_IMAGE_PATTERN, description: 'asset id or upload id: the image to edit (kontext) or the image prompt' }),
    ),
    priority: Type.Optional(RequestPriority),
  },
  { additionalProperties: false },
);
export type FluxJobRequest = Static<typeof FluxJobRequest>;

export interface FluxModelRule {
  /** The params this model takes; any other is refused (400 on submit, a failed job on dequeue). */
  params: readonly FluxParamName[];
  /** Whether `inputImage` may be left out. */
  inputImage: 'optional' | 'required';
  /** The BFL body field the input image goes to. */
  inputField: 'image_prompt' | 'input_image';
}

const COMMON: readonly FluxParamName[] = ['seed', 'safetyTolerance', 'outputFormat', 'promptUpsampling'];
const KONTEXT: FluxModelRule = { params: ['aspectRatio', ...COMMON], inputImage: 'required', inputField: 'input_image' };

export const FLUX_MODEL_RULES: Readonly<Record<FluxModel, FluxModelRule>> = {
  'flux-pro-1.1-ultra': { params: ['aspectRatio', 'raw', 'imagePromptStrength', ...COMMON], inputImage: 'optional', inputField: 'image_prompt' },
  'flux-pro-1.1': { params: ['width', 'height', ...COMMON], inputImage: 'optional', inputField: 'image_prompt' },
  'flux-dev': { params: ['width', 'height', 'steps', 'guidance', ...COMMON], inputImage: 'optional', inputField: 'image_prompt' },
  'flux-kontext-pro': KONTEXT,
  'flux-kontext-max': KONTEXT,
};

/** Parses "W:H"; null when malformed. */
export function parseAspectRatio(s: string): { w: number; h: number } | null {
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m) return null;
  const w = Number(m[1]);
  const h = Number(m[2]);
  return w > 0 && h > 0 ? { w, h } : null;
}

/**
 * The first thing the schema cannot say about a FLUX request: a param the model does not take, a
 * missing input image, an aspect ratio outside 21:9…9:21. `path` is a JSON pointer into the request.
 */
export function fluxRequestProblem(request: FluxJobRequest): { path: string; message: string } | null {
  const model = request.model ?? FLUX_DEFAULT_MODEL;
  const rule = FLUX_MODEL_RULES[model];
  const params = request.params ?? {};
  for (const name of Object.keys(params) as FluxParamName[]) {
    if (params[name] === undefined || rule.params.includes(name)) continue;
    return { path: `/params/${name}`, message: `${model} does not take ${name} (it takes ${rule.params.join(', ')})` };
  }
  if (rule.inputImage === 'required' && request.inputImage === undefined) {
    return { path: '/inputImage', message: `${model} edits an image: inputImage (an upload id or an asset id) is required` };
  }
  if (params.imagePromptStrength !== undefined && request.inputImage === undefined) {
    return { path: '/params/imagePromptStrength', message: 'imagePromptStrength needs an inputImage (the image prompt)' };
  }
  if (params.aspectRatio !== undefined) {
    const a = parseAspectRatio(params.aspectRatio);
    const r = a ? a.w / a.h : NaN;
    if (!a || r > 21 / 9 + 1e-9 || r < 9 / 21 - 1e-9) {
      return { path: '/params/aspectRatio', message: `aspectRatio must be "W:H" between 21:9 and 9:21 (got "${params.aspectRatio}")` };
    }
  }
  return null;
}

/** Which store an input image id points at. */
export function fluxInputImageKind(id: string): 'asset' | 'upload' {
  return /^[0-9a-f]{16}$/.test(id) ? 'asset' : 'upload';
}

/** BFL's answers, as much of them as the worker reads (checked with checkJson; extra fields pass). */
export const BflSubmitAnswer = Type.Object({ id: Type.String(), polling_url: Type.String() });
export const BflPollAnswer = Type.Object({ status: Type.String(), progress: Type.Optional(Type.Unknown()), result: Type.Optional(Type.Unknown()) });
export const BflCreditsAnswer = Type.Object({ credits: Type.Number() });
