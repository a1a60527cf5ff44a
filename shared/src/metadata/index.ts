/*
 * Generation metadata from the text chunks of an output file (readPngText, or comfyExifToText for an
 * animated WEBP). Sources, strongest first: our own `orchestrator` chunk (JSON GenerationMeta), ComfyUI's
 * `prompt` chunk (API graph), the A1111/Forge `parameters` infotext. Each fills only what the stronger
 * ones left unset. Never throws.
 */
import type { GenerationMeta } from '../assets.js';
import { parseA1111Parameters } from './a1111.js';
import { metaFromComfyPrompt } from './comfy-graph.js';

export * from './a1111.js';
export * from './comfy-graph.js';

const STRING_FIELDS = [
  'jobId',
  'provider',
  'model',
  'prompt',
  'negativePrompt',
  'sampler',
  'scheduler',
  'backend',
  'aspectRatio',
  'inputImage',
  'workflow',
  'loras',
  'mask',
  'controlNets',
  'hiresFix',
  'upscale',
] as const satisfies ReadonlyArray<keyof GenerationMeta>;
const NUMBER_FIELDS = ['seed', 'steps', 'cfg', 'width', 'height', 'guidance', 'denoise'] as const satisfies ReadonlyArray<keyof GenerationMeta>;
/** A custom workflow's own slot values: name → string, finite number or boolean. */
const RECORD_FIELDS = ['slots'] as const satisfies ReadonlyArray<keyof GenerationMeta>;

// Compile-time check that the lists cover GenerationMeta exactly.
type Listed = (typeof STRING_FIELDS)[number] | (typeof NUMBER_FIELDS)[number] | (typeof RECORD_FIELDS)[number];
const _exhaustive: Record<Exclude<keyof GenerationMeta, Listed>, never> = {};
void _exhaustive;

/** Keeps only the GenerationMeta fields of `value` that have the right type (strings, finite numbers). */
export function sanitizeGenerationMeta(value: unknown): GenerationMeta {
  const out: GenerationMeta = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  const v = value as Record<string, unknown>;
  for (const k of STRING_FIELDS) {
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
  }
  for (const k of NUMBER_FIELDS) {
    const x = v[k];
    if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  }
  for (const k of RECORD_FIELDS) {
    const record = v[k];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) continue;
    const kept = Object.entries(record as Record<string, unknown>).filter(
      (e): e is [string, string | number | boolean] => typeof e[1] === 'string' || typeof e[1] === 'boolean' || (typeof e[1] === 'number' && Number.isFinite(e[1])),
    );
    if (kept.length > 0) out[k] = Object.fromEntries(kept.slice(0, 200));
  }
  return out;
}

function parseJson(text: string | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `base` overlaid with the defined fields of `over`. */
function overlay(base: GenerationMeta, over: GenerationMeta): GenerationMeta {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return out as GenerationMeta;
}

/** Generation metadata from PNG text chunks (`{keyword: text}`), merged so that our own chunk wins. */
export function metaFromPngText(chunks: Record<string, string>): GenerationMeta {
  if (typeof chunks !== 'object' || chunks === null) return {};
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(chunks, k) ? chunks[k] : undefined);
  let meta: GenerationMeta = {};
  const parameters = own('parameters');
  if (typeof parameters === 'string') {
    const { extra: _extra, ...a1111 } = parseA1111Parameters(parameters);
    meta = overlay(meta, sanitizeGenerationMeta(a1111));
  }
  const prompt = parseJson(own('prompt'));
  if (prompt !== undefined) meta = overlay(meta, metaFromComfyPrompt(prompt));
  const ours = parseJson(own('orchestrator'));
  if (ours !== undefined) meta = overlay(meta, sanitizeGenerationMeta(ours));
  return meta;
}
