/*
 * Recent prompts: newest first, each once, capped. Pure functions; state/promptHistory.ts keeps the
 * list in localStorage.
 */

const MAX_PROMPTS = 200;
/** A prompt longer than this is kept cut (localStorage is small and shared). */
const MAX_PROMPT_CHARS = 4000;

/** The list with `prompt` first (moved there if it was already in it). Blank prompts are not kept. */
export function addPrompt(list: readonly string[], prompt: string, cap = MAX_PROMPTS): string[] {
  const text = prompt.trim().slice(0, MAX_PROMPT_CHARS);
  if (!text) return [...list];
  return [text, ...list.filter((p) => p !== text)].slice(0, cap);
}

/** Prompts holding every word of `query` (any case, any order), in history order. */
export function searchPrompts(list: readonly string[], query: string): string[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...list];
  return list.filter((p) => {
    const text = p.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Where ↑/↓ recall stands: the history entry shown, and what the box held before recall began. */
export interface Recall {
  index: number;
  before: string;
}

/**
 * ↑ (older) or ↓ (newer) in a prompt box: the next value and recall state, or null when the keys
 * should move the caret as usual. Recall works in an empty box, and in one that shows a history entry
 * unchanged (a recalled one, or the prompt just submitted).
 */
export function recallStep(list: readonly string[], value: string, recall: Recall | null, direction: 'older' | 'newer'): { value: string; recall: Recall | null } | null {
  let current: Recall | null;
  if (recall && list[recall.index] === value) current = recall;
  else if (value.trim() === '') current = { index: -1, before: value };
  else {
    const at = list.indexOf(value.trim());
    if (at < 0) return null; // edited text: the arrows are the caret's
    current = { index: at, before: '' };
  }
  if (direction === 'older') {
    const next = current.index + 1;
    return next < list.length ? { value: list[next]!, recall: { index: next, before: current.before } } : null;
  }
  if (current.index < 0) return null;
  if (current.index === 0) return { value: current.before, recall: null };
  return { value: list[current.index - 1]!, recall: { index: current.index - 1, before: current.before } };
}
