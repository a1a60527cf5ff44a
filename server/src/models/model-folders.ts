/*
 * The catalogue's folders under MODELS_PATH, as ComfyUI names them (protocol doc §4.4): a folder key,
 * the directories it reads (in ComfyUI's order: the first directory wins when a file is in both) and
 * the legacy aliases a caller may still use. `video` is not a ComfyUI key: it is where some setups keep
 * SVD and other video models apart, and we list it when it exists.
 */
export interface ModelFolder {
  key: string;
  dirs: readonly string[];
  aliases: readonly string[];
}

export const MODEL_FOLDERS: readonly ModelFolder[] = [
  { key: 'checkpoints', dirs: ['checkpoints'], aliases: [] },
  { key: 'diffusion_models', dirs: ['unet', 'diffusion_models'], aliases: ['unet'] },
  { key: 'loras', dirs: ['loras'], aliases: [] },
  { key: 'vae', dirs: ['vae'], aliases: [] },
  { key: 'controlnet', dirs: ['controlnet', 't2i_adapter'], aliases: ['t2i_adapter'] },
  { key: 'clip_vision', dirs: ['clip_vision'], aliases: [] },
  { key: 'text_encoders', dirs: ['text_encoders', 'clip'], aliases: ['clip'] },
  { key: 'upscale_models', dirs: ['upscale_models'], aliases: [] },
  { key: 'ipadapter', dirs: ['ipadapter'], aliases: [] },
  { key: 'video', dirs: ['video'], aliases: [] },
];

/** ComfyUI's `supported_pt_extensions`, less `.pkl` (pickles are not model weights we offer). */
export const MODEL_EXTENSIONS: ReadonlySet<string> = new Set(['.safetensors', '.sft', '.ckpt', '.pt', '.pt2', '.bin', '.pth']);

/** Extensions whose header we read (the others are pickles or zips: family from the name only). */
export const SAFETENSORS_EXTENSIONS: ReadonlySet<string> = new Set(['.safetensors', '.sft']);

const byName = new Map<string, ModelFolder>();
for (const f of MODEL_FOLDERS) {
  byName.set(f.key, f);
  for (const a of f.aliases) byName.set(a, f);
}

/** `unet` → diffusion_models, `clip` → text_encoders, a key → itself; undefined when unknown. */
export function resolveFolder(name: string): ModelFolder | undefined {
  return byName.get(name);
}

/** Position of a folder in the table: the catalogue lists folders in this order. */
export function folderRank(key: string): number {
  const i = MODEL_FOLDERS.findIndex((f) => f.key === key);
  return i < 0 ? MODEL_FOLDERS.length : i;
}

/** Lower-cased extension with its dot, '' when none. */
export function extensionOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot <= file.lastIndexOf('/') ? '' : file.slice(dot).toLowerCase();
}
