// Per-model request schemas as data, transcribed from bfl-openapi.json (FluxUltraInput, FluxPro11Inputs,
// FluxDevInputs, FluxKontextProInputs), plus the price and output-size rule the fake needs.
import type { OutputFormat } from './images.js';

export type FieldSpec =
  | { kind: 'string'; nullable?: boolean }
  | { kind: 'uri'; nullable?: boolean; minLength: number; maxLength: number }
  | { kind: 'int'; nullable?: boolean; min?: number; max?: number; multipleOf?: number }
  | { kind: 'number'; nullable?: boolean; min?: number; max?: number }
  | { kind: 'bool' }
  | { kind: 'enum'; nullable?: boolean; values: readonly string[] }
  | { kind: 'aspect'; nullable?: boolean }; // "W:H" between 21:9 and 9:21

/** How the output size is chosen: explicit width/height, or an aspect ratio at a megapixel budget. */
export type SizeRule = { by: 'wh' } | { by: 'aspect'; megapixels: number; defaultAspect: string };

export interface ModelSpec {
  required: readonly string[];
  fields: Readonly<Record<string, FieldSpec>>;
  defaults: Readonly<Record<string, unknown>>;
  /** Credits per image (1 credit = $0.01), from BFL's published per-image prices. */
  cost: number;
  size: SizeRule;
}

const nullableString: FieldSpec = { kind: 'string', nullable: true };
const common: Record<string, FieldSpec> = {
  prompt_upsampling: { kind: 'bool' },
  seed: { kind: 'int', nullable: true },
  safety_tolerance: { kind: 'int', min: 0, max: 6 },
  output_format: { kind: 'enum', nullable: true, values: ['jpeg', 'png', 'webp'] },
  webhook_url: { kind: 'uri', nullable: true, minLength: 1, maxLength: 2083 },
  webhook_secret: nullableString,
};
const side: FieldSpec = { kind: 'int', min: 256, max: 1440, multipleOf: 32 };
const commonDefaults = { prompt_upsampling: false, seed: null, safety_tolerance: 2, output_format: 'jpeg', webhook_url: null, webhook_secret: null };

const kontext: ModelSpec = {
  required: ['prompt'],
  fields: {
    ...common,
    prompt: { kind: 'string' },
    input_image: nullableString,
    input_image_2: nullableString,
    input_image_3: nullableString,
    input_image_4: nullableString,
    aspect_ratio: { kind: 'aspect', nullable: true },
  },
  defaults: { ...commonDefaults, output_format: 'png', aspect_ratio: null },
  cost: 4,
  size: { by: 'aspect', megapixels: 1, defaultAspect: '1:1' },
};

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'flux-pro-1.1-ultra': {
    required: [],
    fields: {
      ...common,
      prompt: nullableString,
      aspect_ratio: { kind: 'aspect' },
      raw: { kind: 'bool' },
      image_prompt: nullableString,
      image_prompt_strength: { kind: 'number', min: 0, max: 1 },
    },
    defaults: { ...commonDefaults, prompt: '', aspect_ratio: '16:9', raw: false, image_prompt: null, image_prompt_strength: 0.1 },
    cost: 6,
    size: { by: 'aspect', megapixels: 4, defaultAspect: '16:9' },
  },
  'flux-pro-1.1': {
    required: [],
    fields: { ...common, prompt: nullableString, image_prompt: nullableString, width: side, height: side },
    defaults: { ...commonDefaults, prompt: '', image_prompt: null, width: 1024, height: 768 },
    cost: 4,
    size: { by: 'wh' },
  },
  'flux-dev': {
    required: [],
    fields: {
      ...common,
      prompt: { kind: 'string' },
      image_prompt: nullableString,
      width: side,
      height: side,
      steps: { kind: 'int', nullable: true, min: 1, max: 50 },
      guidance: { kind: 'number', nullable: true, min: 1.5, max: 5 },
    },
    defaults: { ...commonDefaults, prompt: '', image_prompt: null, width: 1024, height: 768, steps: 28, guidance: 3 },
    cost: 2.5,
    size: { by: 'wh' },
  },
  'flux-kontext-pro': kontext,
  'flux-kontext-max': { ...kontext, cost: 8 },
};

/** Parses "W:H"; null when malformed. */
export function parseAspect(s: string): { w: number; h: number } | null {
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m) return null;
  const w = Number(m[1]), h = Number(m[2]);
  return w > 0 && h > 0 ? { w, h } : null;
}

/** Output pixel size for validated inputs: width/height as given, or the aspect ratio at the model's megapixel budget (multiples of 32). */
export function outputSize(spec: ModelSpec, input: Readonly<Record<string, unknown>>): { width: number; height: number } {
  if (spec.size.by === 'wh') return { width: input.width as number, height: input.height as number };
  const a = parseAspect((input.aspect_ratio as string | null) ?? spec.size.defaultAspect) ?? { w: 1, h: 1 };
  const area = spec.size.megapixels * 1024 * 1024;
  const round32 = (v: number): number => Math.max(32, Math.round(v / 32) * 32);
  const width = Math.sqrt((area * a.w) / a.h);
  return { width: round32(width), height: round32((width * a.h) / a.w) };
}

export function outputFormat(input: Readonly<Record<string, unknown>>): OutputFormat {
  return (input.output_format as OutputFormat | null) ?? 'jpeg';
}
