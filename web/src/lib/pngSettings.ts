/*
 * The settings in a dropped PNG, read with shared's parsers (png-text, metadata/): our own
 * `orchestrator` chunk, ComfyUI's `prompt` graph (its `workflow` editor graph alone cannot be run as
 * is), or the A1111/Forge `parameters` infotext. Loaded on the first drop, not with the page.
 */
import { analyzeComfyPrompt, isPng, metaFromPngText, parseA1111Parameters, readPngText, sanitizeGenerationMeta, type GenerationMeta } from '@orchestrator/shared';
import { planFromMeta, type MetaExtras, type SettingsPlan } from './reuseSettings';

export type PngSource = 'orchestrator' | 'comfyui' | 'a1111';

export type PngSettings =
  | { ok: true; source: PngSource; label: string; meta: GenerationMeta; plan: SettingsPlan }
  | { ok: false; message: string };

const SOURCE_LABEL: Record<PngSource, string> = { orchestrator: 'made here', comfyui: 'ComfyUI', a1111: 'A1111 / Forge' };

/** What the Image form shows, by GenerationMeta field: missing ones are named in the notes. */
const COMFY_FIELDS: Array<[keyof GenerationMeta, string]> = [
  ['prompt', 'prompt'],
  ['model', 'model'],
  ['seed', 'seed'],
  ['steps', 'steps'],
  ['cfg', 'CFG'],
  ['sampler', 'sampler'],
  ['width', 'size'],
];

function fromComfy(graph: string): PngSettings {
  const info = analyzeComfyPrompt(graph);
  if (!info.samplerNodeId) {
    return { ok: false, message: 'Its ComfyUI graph has no sampler this page can read: import it under Workflow → Import… to run it as it is' };
  }
  const meta: GenerationMeta = { provider: 'comfyui', ...info.meta };
  const notes: string[] = [];
  const missing = COMFY_FIELDS.filter(([k]) => meta[k] === undefined).map(([, label]) => label);
  if (missing.length > 0) notes.push(`Not found in the graph: ${missing.join(', ')}`);
  if (info.loras.length > 0) notes.push('LoRA strengths (the graph’s LoraLoader values) are set to 1: check them');
  if (info.denoise !== undefined && info.denoise < 1) notes.push(`Denoise ${info.denoise} (an image-to-image pass) has no place in the form`);
  if (info.samplerType && !['KSampler', 'KSamplerAdvanced'].includes(info.samplerType)) {
    notes.push(`The graph samples with ${info.samplerType}: the built-in template may not match it (Workflow → Import… runs the graph itself)`);
  }
  const extras: MetaExtras = { loras: info.loras.map((name) => ({ name, strength: '1' })) };
  if (info.guidance !== undefined) extras.guidance = info.guidance;
  if (info.frames !== undefined) extras.frames = info.frames;
  const plan = planFromMeta(meta, info.frames !== undefined ? 'video' : 'image', extras);
  return { ok: true, source: 'comfyui', label: SOURCE_LABEL.comfyui, meta, plan: { ...plan, notes: [...notes, ...plan.notes] } };
}

function fromA1111(text: string): PngSettings {
  const { extra, ...parsed } = parseA1111Parameters(text);
  const meta = sanitizeGenerationMeta(parsed);
  if (meta.prompt === undefined && meta.steps === undefined) return { ok: false, message: 'Its A1111 parameters hold no prompt or settings' };
  const notes = Object.entries(extra).map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 57)}…` : v}`);
  const plan = planFromMeta(meta, 'image');
  return { ok: true, source: 'a1111', label: SOURCE_LABEL.a1111, meta, plan: { ...plan, notes: [...notes, ...plan.notes] } };
}

/** The settings a PNG carries, strongest source first (ours, then ComfyUI's graph, then A1111's), or why there are none. */
export function readPngSettings(bytes: Uint8Array): PngSettings {
  if (!isPng(bytes)) return { ok: false, message: 'Only PNG files carry settings this page can read' };
  const chunks = readPngText(bytes);
  const meta = chunks.orchestrator !== undefined ? metaFromPngText({ orchestrator: chunks.orchestrator }) : {};
  if (Object.keys(meta).length > 0) {
    return { ok: true, source: 'orchestrator', label: SOURCE_LABEL.orchestrator, meta, plan: planFromMeta(meta, 'image') };
  }
  if (chunks.prompt !== undefined) return fromComfy(chunks.prompt);
  if (chunks.workflow !== undefined) {
    return {
      ok: false,
      message: 'It holds only ComfyUI’s editor workflow, not the graph it ran: in ComfyUI, export it in API format and import that under Workflow',
    };
  }
  if (chunks.parameters !== undefined) return fromA1111(chunks.parameters);
  return { ok: false, message: 'It carries no generation settings (no orchestrator, prompt or parameters text)' };
}
