import Type, { type TStringOptions } from 'typebox';

/*
 * Text a client sends (prompts, names, search words, paths): any string but one holding NUL (U+0000).
 * NUL is never meant: it cuts C strings (file names, ComfyUI's and v0's stacks), hides the rest of a
 * name in logs and terminals, and a request carrying one is refused (400 naming the field) before
 * anything is stored or sent on. As a pattern rather than code, so the server's route validation, the
 * worker's check on dequeue and the OpenAPI document all say the same thing.
 *
 * A leaf module (imports only typebox): requests/flux.ts and requests/v0.ts use it.
 */

/** Matches a string with no NUL; TypeBox compiles patterns with the `u` flag, under which this is linear. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

/** What a refused field is told (the error handler shows it in place of "must match pattern …"). */
export const NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';

/** A string schema refusing NUL; every other option (length, description) as Type.String takes them. */
export function Text(options: Omit<TStringOptions, 'pattern'> = {}) {
  return Type.String({ ...options, pattern: NO_NUL_PATTERN });
}

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/**
 * The path of the first string (a key or a value) holding NUL in a JSON-like value, e.g. `/6/inputs/text`;
 * null when there is none. For free-form parts (a workflow graph) that no string schema covers.
 */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return hasNul(value) ? path || '/' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findNul(v, `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${k.split('\u0000').join('\\u0000')}`;
      if (hasNul(k)) return at;
      const found = findNul(v, at);
      if (found !== null) return found;
    }
  }
  return null;
}
