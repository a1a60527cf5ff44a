import { editDistance } from './chat-grammar.js';
import { templateFamilyFromName } from './templates/index.js';

/*
 * `/apex-comfy <model>`: a model as people say it. `sdxl`, `sd_xl_base` and `SD XL Base 1.0` all find
 * `sd_xl_base_1.0.safetensors`; `juggernaut` finds `sdxl/juggernautXL_v9.safetensors`. Matching is
 * case-insensitive and ignores separators; it tries exact names, then prefixes, then a family name
 * (`sd15`), then words inside the name. The first rule that finds anything decides: one model is the
 * answer, several are the candidates to choose from (nothing is queued).
 */

export interface ModelCandidate {
  /** The name ComfyUI's loaders take (relative to its folder). */
  file: string;
  folder?: string;
  /** The catalogue's friendly name. */
  name?: string;
  family?: string;
}

export type ModelMatch<M extends ModelCandidate = ModelCandidate> =
  | { kind: 'one'; model: M }
  | { kind: 'many'; candidates: M[] }
  | { kind: 'none'; nearest: M[] };

const MODEL_EXTENSION = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i;

/** Lowercase letters and digits only: `SD_XL base-1.0` → `sdxlbase10`. */
export function modelMatchKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** The file name without folders and extension. */
export function modelStem(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(MODEL_EXTENSION, '');
}

const FAMILY_WORDS: Readonly<Record<string, string>> = {
  sdxl: 'sdxl',
  xl: 'sdxl',
  sd15: 'sd15',
  sd1: 'sd15',
  v15: 'sd15',
  sd3: 'sd3',
  sd35: 'sd3',
  flux: 'flux',
  svd: 'svd',
};

function familyOf(m: ModelCandidate): string | undefined {
  return m.family && m.family !== 'unknown' ? m.family : templateFamilyFromName(m.file);
}

const words = (text: string) => text.normalize('NFKD').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Every candidate once (a file listed in two folders keeps its first, checkpoints before diffusion models). */
function unique<M extends ModelCandidate>(list: readonly M[]): M[] {
  const seen = new Set<string>();
  return list.filter((m) => {
    const key = m.file.replace(/\\/g, '/').toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function matchModel<M extends ModelCandidate>(query: string, models: readonly M[]): ModelMatch<M> {
  const list = unique(models);
  const q = query.trim().toLowerCase();
  const nq = modelMatchKey(q);
  if (nq === '') return { kind: 'none', nearest: [] };
  const keys = (m: M) => {
    const path = m.file.replace(/\\/g, '/').replace(MODEL_EXTENSION, '');
    return [modelMatchKey(modelStem(m.file)), modelMatchKey(path), ...(m.name ? [modelMatchKey(m.name)] : [])];
  };
  const rules: ((m: M) => boolean)[] = [
    (m) => m.file.toLowerCase() === q || keys(m).includes(nq),
    (m) => keys(m).some((k) => k.startsWith(nq)),
    (m) => FAMILY_WORDS[nq] !== undefined && familyOf(m) === FAMILY_WORDS[nq],
    (m) => {
      const qw = words(q);
      const mw = [...words(modelStem(m.file)), ...(m.name ? words(m.name) : [])];
      return (qw.length > 0 && qw.every((w) => mw.some((x) => x.startsWith(w)))) || (nq.length >= 3 && keys(m).some((k) => k.includes(nq)));
    },
  ];
  for (const rule of rules) {
    const hits = list.filter(rule);
    if (hits.length === 1) return { kind: 'one', model: hits[0]! };
    if (hits.length > 1) return { kind: 'many', candidates: hits };
  }
  const nearest = list
    .map((m) => ({ m, d: Math.min(...keys(m).map((k) => editDistance(nq, k.slice(0, nq.length + 2)))) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(nq.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map((x) => x.m);
  return { kind: 'none', nearest };
}

/** Models whose names start with what is typed so far (autocomplete), best first. */
export function modelsStartingWith<M extends ModelCandidate>(typed: string, models: readonly M[], max = 20): M[] {
  const list = unique(models);
  const nq = modelMatchKey(typed);
  if (nq === '') return list.slice(0, max);
  const match = matchModel(typed, list);
  const hits = match.kind === 'one' ? [match.model] : match.kind === 'many' ? match.candidates : [];
  const more = list.filter((m) => !hits.includes(m) && modelMatchKey(m.file).includes(nq));
  return [...hits, ...more].slice(0, max);
}
