/**
 * How deep the JSON text nests objects and arrays, stopping as soon as it passes `max` (so a hostile
 * text costs one pass, and no recursive parse or walk ever sees it). Brackets inside strings do not count.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Nesting deeper than this is refused (400 too_deep): no request or workflow of ours comes close. */
export const MAX_JSON_DEPTH = 64;
