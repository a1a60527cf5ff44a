/*
 * Model names as people say them: `sdxl/sd_xl_base_1.0.safetensors` is "sd_xl_base_1.0". Filters and
 * lists show the friendly name and keep the real one as the value they filter by.
 */

const MODEL_EXTENSION = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft|onnx)$/i;

/** The file name without its folders and its model-file extension; the name itself when nothing is left. */
export function friendlyModelName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base.replace(MODEL_EXTENSION, '') || name;
}

/**
 * Friendly labels for a list of real names. Two names that would read the same (one file in two
 * folders) keep their folder, so every label still tells its model apart.
 */
export function friendlyModelLabels(names: readonly string[]): Map<string, string> {
  const seen = new Map<string, number>();
  for (const n of names) seen.set(friendlyModelName(n), (seen.get(friendlyModelName(n)) ?? 0) + 1);
  return new Map(names.map((n) => [n, (seen.get(friendlyModelName(n)) ?? 0) > 1 ? n.replace(MODEL_EXTENSION, '') : friendlyModelName(n)]));
}
