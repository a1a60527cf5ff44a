/*
 * The AUTOMATIC1111 / Forge "infotext" (the `parameters` PNG text chunk):
 *
 *   <prompt, possibly several lines>
 *   Negative prompt: <negative, possibly several lines>
 *   Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 123, Size: 512x768, …
 *
 * Parsed the way A1111 itself does (modules/infotext_utils.py, parse_generation_parameters): the last line
 * is the parameter line only if it holds at least 3 `key: value` pairs; values may be JSON-quoted strings
 * containing commas. Sampler and scheduler names are mapped to ComfyUI's names (what job requests use).
 */
import type { GenerationMeta } from '../assets.js';

export type A1111Meta = GenerationMeta & { extra: Record<string, string> };

const SIZE_RE = /^\s*(\d+)\s*x\s*(\d+)\s*$/;

const isWord = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127; // \w, loosely
const isKeyChar = (c: number) => isWord(c) || c === 32 || c === 45 || c === 47; // [\w \-/]
const isSpace = (c: number) => c === 32 || c === 9 || c === 11 || c === 12 || c === 13 || c === 0xa0;
const COMMA = 44;
const COLON = 58;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * `key: value` pairs of the parameter line, matching what A1111's regex finds —
 * `\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)` applied with findall — but in linear time
 * (the regex is quadratic on long runs without a colon, and these chunks are untrusted input).
 */
function params(line: string): Array<[string, string]> {
  const n = line.length;
  // closeFrom[j]: index of the quote that ends a JSON-ish string whose body starts at j, or -1.
  const closeFrom = new Int32Array(n + 2).fill(-1);
  for (let j = n - 1; j >= 0; j--) {
    const c = line.charCodeAt(j);
    if (c === QUOTE) closeFrom[j] = j;
    else if (c === BACKSLASH) closeFrom[j] = j + 1 < n ? closeFrom[j + 2]! : -1;
    else closeFrom[j] = closeFrom[j + 1]!;
  }
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < n) {
    // Key: the leftmost run of [\w \-/] chars starting with \w (>= 2 chars) that is followed by ':'.
    while (i < n && !isWord(line.charCodeAt(i))) i++;
    const keyStart = i;
    while (i < n && isKeyChar(line.charCodeAt(i))) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) !== COLON || i - keyStart < 2) {
      i++; // no match can start inside this run: every attempt would stop at the same character
      continue;
    }
    const key = line.slice(keyStart, i).trim();
    i++;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    let value: string | undefined;
    if (line.charCodeAt(i) === QUOTE && i + 1 < n) {
      const close = closeFrom[i + 1]!;
      const after = close + 1;
      if (close > i + 1 && (after >= n || line.charCodeAt(after) === COMMA)) {
        value = line.slice(i, after);
        i = after;
      }
    }
    if (value === undefined) {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      value = line.slice(i, end);
      i = end;
    }
    if (i < n && line.charCodeAt(i) === COMMA) i++;
    out.push([key, value]);
  }
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (typeof parsed === 'string') return parsed;
    } catch {}
    return t.slice(1, -1);
  }
  return t;
}

/** A1111 sampler display names (sd_samplers_kdiffusion / _timesteps / _lcm) → ComfyUI sampler_name. */
const SAMPLERS: Record<string, string> = {
  'euler': 'euler',
  'euler a': 'euler_ancestral',
  'euler cfg++': 'euler_cfg_pp',
  'euler a cfg++': 'euler_ancestral_cfg_pp',
  'heun': 'heun',
  'heun++': 'heunpp2',
  'heun++ 2': 'heunpp2',
  'lms': 'lms',
  'dpm2': 'dpm_2',
  'dpm2 a': 'dpm_2_ancestral',
  'dpm fast': 'dpm_fast',
  'dpm adaptive': 'dpm_adaptive',
  'dpm++ 2s a': 'dpmpp_2s_ancestral',
  'dpm++ 2s a cfg++': 'dpmpp_2s_ancestral_cfg_pp',
  'dpm++ sde': 'dpmpp_sde',
  'dpm++ 2m': 'dpmpp_2m',
  'dpm++ 2m cfg++': 'dpmpp_2m_cfg_pp',
  'dpm++ 2m sde': 'dpmpp_2m_sde',
  'dpm++ 2m sde heun': 'dpmpp_2m_sde_heun',
  'dpm++ 3m sde': 'dpmpp_3m_sde',
  'lcm': 'lcm',
  'ddim': 'ddim',
  'ddpm': 'ddpm',
  'unipc': 'uni_pc',
  'ipndm': 'ipndm',
  'ipndm_v': 'ipndm_v',
  'ipndm v': 'ipndm_v',
  'deis': 'deis',
  'res multistep': 'res_multistep',
};

/** A1111 "Schedule type" labels (sd_schedulers.py; Forge adds a few) → ComfyUI scheduler names. */
const SCHEDULERS: Record<string, string> = {
  'karras': 'karras',
  'exponential': 'exponential',
  'polyexponential': 'polyexponential',
  'sgm uniform': 'sgm_uniform',
  'kl optimal': 'kl_optimal',
  'simple': 'simple',
  'normal': 'normal',
  'ddim': 'ddim_uniform',
  'beta': 'beta',
  'uniform': 'uniform',
  'align your steps': 'align_your_steps',
  'align your steps gits': 'align_your_steps_gits',
  'align your steps 11': 'align_your_steps_11',
  'align your steps 32': 'align_your_steps_32',
  'turbo': 'turbo',
  'linear quadratic': 'linear_quadratic',
};

/** Suffixes that pre-1.9 A1111 folded into the sampler name ("DPM++ 2M Karras"). */
const LEGACY_SUFFIXES: Array<[string, string]> = [
  [' karras', 'karras'],
  [' exponential', 'exponential'],
  [' sgm uniform', 'sgm_uniform'],
];

/** A1111 sampler label → ComfyUI names; unknown samplers are returned unchanged. */
export function mapA1111Sampler(label: string): { sampler: string; scheduler?: string } {
  const key = label.trim().toLowerCase().replace(/\s+/g, ' ');
  const direct = SAMPLERS[key];
  if (direct) return { sampler: direct };
  for (const [suffix, scheduler] of LEGACY_SUFFIXES) {
    if (!key.endsWith(suffix)) continue;
    const base = SAMPLERS[key.slice(0, -suffix.length)];
    if (base) return { sampler: base, scheduler };
  }
  return { sampler: label.trim() };
}

/** A1111 "Schedule type" → ComfyUI scheduler; `Automatic` (the sampler's default) → undefined. */
export function mapA1111Scheduler(label: string): string | undefined {
  const key = label.trim().toLowerCase().replace(/\s+/g, ' ');
  if (key === '' || key === 'automatic') return undefined;
  return SCHEDULERS[key] ?? label.trim();
}

function toNumber(v: string): number | undefined {
  const t = v.trim();
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses an A1111/Forge infotext. Never throws; unknown (and unparseable) keys go to `extra` as text. */
export function parseA1111Parameters(text: string): A1111Meta {
  const out: A1111Meta = { extra: {} };
  if (typeof text !== 'string') return out;
  const lines = text.trim().replace(/\r\n?/g, '\n').split('\n');
  let last = lines.pop() ?? '';
  if (params(last).length < 3) {
    if (last !== '') lines.push(last);
    last = '';
  }

  const prompt: string[] = [];
  const negative: string[] = [];
  let inNegative = false;
  for (const raw of lines) {
    let line = raw.trim();
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      line = line.slice('Negative prompt:'.length).trim();
    }
    (inNegative ? negative : prompt).push(line);
  }
  const p = prompt.join('\n').trim();
  const n = negative.join('\n').trim();
  if (p) out.prompt = p;
  if (n) out.negativePrompt = n;

  let scheduler: string | undefined;
  let legacyScheduler: string | undefined;
  for (const [key, rawValue] of params(last)) {
    const value = unquote(rawValue);
    const num = toNumber(value);
    switch (key) {
      case 'Steps':
        if (num !== undefined) out.steps = num;
        else out.extra[key] = value;
        break;
      case 'CFG scale':
        if (num !== undefined) out.cfg = num;
        else out.extra[key] = value;
        break;
      case 'Seed':
        if (num !== undefined) out.seed = num;
        else out.extra[key] = value;
        break;
      case 'Size': {
        const m = SIZE_RE.exec(value);
        if (m) {
          out.width = Number(m[1]);
          out.height = Number(m[2]);
        } else out.extra[key] = value;
        break;
      }
      case 'Sampler': {
        const mapped = mapA1111Sampler(value);
        out.sampler = mapped.sampler;
        legacyScheduler = mapped.scheduler;
        break;
      }
      case 'Schedule type':
        scheduler = mapA1111Scheduler(value);
        break;
      case 'Model':
        if (value) out.model = value;
        break;
      default:
        out.extra[key] = value;
    }
  }
  const chosen = scheduler ?? legacyScheduler;
  if (chosen) out.scheduler = chosen;
  return out;
}
