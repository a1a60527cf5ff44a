import type { ModelFamily } from '@orchestrator/shared';

/**
 * Family hints in a model's relative path (folder names count: `SDXL/foo.safetensors`). Used for
 * files whose header says nothing (pickles, VAEs, models only a backend reports). First match wins, so
 * the more specific patterns come first.
 */
const NAME_RULES: ReadonlyArray<{ family: ModelFamily; pattern: RegExp }> = [
  { family: 'svd', pattern: /(^|[^a-z])svd([^a-z]|$)|stable[-_ ]?video/ },
  { family: 'flux', pattern: /flux/ },
  { family: 'sd3', pattern: /(^|[^a-z])sd[-_ ]?3|stable[-_ ]?diffusion[-_ ]?3/ },
  { family: 'sdxl', pattern: /sdxl|sd[-_ ]xl/ },
  { family: 'sd15', pattern: /v1[-_.]5|sd[-_ ]?1[-_.]?5([^0-9]|$)/ },
];

export function familyFromName(relativePath: string): ModelFamily | undefined {
  const name = relativePath.toLowerCase();
  return NAME_RULES.find((r) => r.pattern.test(name))?.family;
}

/** `style/ink_wash-v2.safetensors` → `ink wash-v2`: the stem, underscores as spaces. */
export function prettyStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const pretty = stem.replace(/_+/g, ' ').replace(/\s+/g, ' ').trim();
  return pretty === '' ? stem : pretty;
}
