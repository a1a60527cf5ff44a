/** `style/ink_wash-v2.safetensors` → `ink wash-v2`: the stem, underscores as spaces. */
export function prettyStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const pretty = stem.replace(/_+/g, ' ').replace(/\s+/g, ' ').trim();
  return pretty === '' ? stem : pretty;
}
