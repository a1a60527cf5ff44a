/*
 * The settings in a dropped PNG, JPEG or WebP, read with shared's parsers (image-text, metadata/): our
 * own `orchestrator` text, ComfyUI's `prompt` graph (its `workflow` editor graph alone cannot be run as
 * is), or the A1111/Forge `parameters` infotext — PNG text chunks, EXIF strings and UserComment, JPEG
 * comments (shared/src/image-text.ts says which writer puts what where). Loaded on the first drop.
 */
import { analyzeComfyPrompt, metaFromPngText, parseA1111Parameters, readImageText, sanitizeGenerationMeta, type ComfyLora, type GenerationMeta } from '@orchestrator/shared';
import { planFromMeta, type MetaExtras, type SettingsPlan } from './reuseSettings';

export type ImageSource = 'orchestrator' | 'comfyui' | 'a1111';

export type ImageSettings =
  | { ok: true; source: ImageSource; label: string; meta: GenerationMeta; plan: SettingsPlan }
  | { ok: false; message: string };

const SOURCE_LABEL: Record<ImageSource, string> = { orchestrator: 'made here', comfyui: 'ComfyUI', a1111: 'A1111 / Forge' };

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

/** What the form's one strength per LoRA cannot hold of the graph's loaders. */
function loraNotes(loras: readonly ComfyLora[]): string[] {
  const notes: string[] = [];
  const unread = loras.filter((l) => l.strengthModel === undefined).map((l) => l.name);
  if (unread.length > 0) notes.push(`LoRA strength not readable in the graph, set to 1: ${unread.join(', ')}`);
  for (const l of loras) {
    if (l.strengthModel === undefined || l.strengthClip === undefined || l.strengthClip === l.strengthModel) continue;
    notes.push(`LoRA ${l.name}: text-encoder strength ${l.strengthClip} differs from its model strength; the form applies ${l.strengthModel} to both`);
  }
  return notes;
}

function fromComfy(graph: string): ImageSettings {
  const info = analyzeComfyPrompt(graph);
  if (!info.samplerNodeId) {
    return { ok: false, message: 'Its ComfyUI graph has no sampler this page can read: import it under Workflow → Import… to run it as it is' };
  }
  const meta: GenerationMeta = { provider: 'comfyui', ...info.meta };
  const notes: string[] = [];
  const missing = COMFY_FIELDS.filter(([k]) => meta[k] === undefined).map(([, label]) => label);
  if (missing.length > 0) notes.push(`Not found in the graph: ${missing.join(', ')}`);
  notes.push(...loraNotes(info.loraRefs));
  if (info.denoise !== undefined && info.denoise < 1) notes.push(`Denoise ${info.denoise} (an image-to-image pass) has no place in the form`);
  if (info.samplerType && !['KSampler', 'KSamplerAdvanced'].includes(info.samplerType)) {
    notes.push(`The graph samples with ${info.samplerType}: the built-in template may not match it (Workflow → Import… runs the graph itself)`);
  }
  const extras: MetaExtras = { loras: info.loraRefs.map((l) => ({ name: l.name, strength: String(l.strengthModel ?? 1) })) };
  if (info.guidance !== undefined) extras.guidance = info.guidance;
  if (info.frames !== undefined) extras.frames = info.frames;
  const plan = planFromMeta(meta, info.frames !== undefined ? 'video' : 'image', extras);
  return { ok: true, source: 'comfyui', label: SOURCE_LABEL.comfyui, meta, plan: { ...plan, notes: [...notes, ...plan.notes] } };
}

function fromA1111(text: string): ImageSettings {
  const { extra, ...parsed } = parseA1111Parameters(text);
  const meta = sanitizeGenerationMeta(parsed);
  if (meta.prompt === undefined && meta.steps === undefined) return { ok: false, message: 'Its A1111 parameters hold no prompt or settings' };
  const notes = Object.entries(extra).map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 57)}…` : v}`);
  const plan = planFromMeta(meta, 'image');
  return { ok: true, source: 'a1111', label: SOURCE_LABEL.a1111, meta, plan: { ...plan, notes: [...notes, ...plan.notes] } };
}

const FORMAT_LABEL = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' } as const;

/**
 * The settings a PNG, JPEG or WebP carries, strongest source first (ours, then ComfyUI's graph, then
 * A1111's), or why there are none. Never throws: a damaged file gives a message, not an exception.
 */
export function readImageSettings(bytes: Uint8Array): ImageSettings {
  const { format, text: chunks, damaged } = readImageText(bytes);
  if (format === null) return { ok: false, message: 'Only PNG, JPEG and WebP files carry settings this page can read' };
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
  if (damaged) return { ok: false, message: `The ${FORMAT_LABEL[format]} file is damaged (it ends inside a block it announced) and no settings were found before that point` };
  return { ok: false, message: `It carries no generation settings (no orchestrator, ComfyUI prompt or A1111 parameters text in the ${FORMAT_LABEL[format]} file)` };
}
