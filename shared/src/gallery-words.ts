/*
 * The words of the gallery's search index, shared by the indexer (what an asset is found by) and the
 * query (what a search asks for), so both sides cut text the same way: case and accents folded, split
 * on anything that is not a letter or a digit, one-character words and a few English stop words left
 * out, long words cut to MAX_WORD_LENGTH.
 */
import type { Asset } from './assets.js';

export const MAX_WORD_LENGTH = 32;
/** At most this many distinct words per asset (a 20,000-character prompt would give thousands). */
export const MAX_WORDS_PER_ASSET = 256;

// File extensions: every PNG would share "png" (the type filter does that job). Never searched for.
const EXTENSIONS: ReadonlySet<string> = new Set(['png', 'jpg', 'jpeg', 'webp', 'gif', 'mp4', 'webm', 'mov', 'json', 'safetensors', 'ckpt', 'pt', 'pth', 'bin', 'gguf', 'sft']);
const STOP_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'in', 'is', 'of', 'on', 'or', 'the', 'to', 'with', ...EXTENSIONS]);
const WORD_RE = /[\p{L}\p{N}]+/gu;
const MARKS_RE = /\p{M}+/gu;

/** Lowercased, accent-free tokens of `text`, in order, duplicates kept. */
export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(MARKS_RE, '').toLowerCase();
  return (folded.match(WORD_RE) ?? []).map((w) => (w.length > MAX_WORD_LENGTH ? w.slice(0, MAX_WORD_LENGTH) : w));
}

/** Whether a token is worth an index entry. */
export function isIndexWord(word: string): boolean {
  return word.length >= 2 && !STOP_WORDS.has(word);
}

/** The search words of an asset: its file name, model, prompt and negative prompt (in that order of priority). */
export function assetWords(asset: Pick<Asset, 'fileName' | 'meta'> & { title?: string | undefined }): string[] {
  const out = new Set<string>();
  const sources = [asset.fileName, asset.title, asset.meta.model, asset.meta.prompt, asset.meta.negativePrompt];
  for (const text of sources) {
    if (typeof text !== 'string' || text === '') continue;
    for (const w of tokenize(text)) {
      if (!isIndexWord(w)) continue;
      out.add(w);
      if (out.size >= MAX_WORDS_PER_ASSET) return [...out];
    }
  }
  return [...out];
}

export interface SearchTerms {
  /** Words that must each match a whole indexed word. */
  exact: string[];
  /** The last word while it is still being typed: matches any indexed word starting with it. */
  prefix?: string;
}

/**
 * What a search box text asks for: every word must match; the last one may match as a prefix unless
 * the text ends with a space. Words the index leaves out (stop words, one character) are ignored,
 * except that a last word of two or more characters still counts as a prefix ("th" finds "the…" words);
 * file extensions are ignored wherever they are.
 */
export function searchTerms(q: string): SearchTerms {
  const tokens = tokenize(q).filter((w) => !EXTENSIONS.has(w));
  const typing = tokens.length > 0 && !/\s$/.test(q);
  const last = typing ? tokens.pop() : undefined;
  const exact = [...new Set(tokens.filter(isIndexWord))];
  if (last !== undefined && last.length >= 2) {
    if (isIndexWord(last) && exact.includes(last)) return { exact };
    return { exact, prefix: last };
  }
  return { exact };
}
