/*
 * Opaque cursors for newest-first pages over a time-scored sorted set. A cursor is the score of the
 * last item served plus how many items with exactly that score were served, so items added while a
 * client pages (newer scores) never shift the pages it has not read yet.
 */
export interface ScoreCursor {
  maxScore: number;
  skip: number;
}

export function encodeCursor(c: ScoreCursor): string {
  const raw = `${c.maxScore}:${c.skip}`;
  return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Null when the text is not a cursor this server made. */
export function decodeCursor(text: string): ScoreCursor | null {
  try {
    const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const m = /^(\d{1,16}):(\d{1,9})$/.exec(raw);
    if (!m) return null;
    return { maxScore: Number(m[1]), skip: Number(m[2]) };
  } catch {
    return null;
  }
}

/** The cursor after serving `page` (scores newest first) that was fetched with `current`. */
export function nextCursor(current: ScoreCursor | null, page: { score: number }[]): ScoreCursor | null {
  const last = page[page.length - 1];
  if (!last) return null;
  let sameScore = 0;
  for (let i = page.length - 1; i >= 0 && page[i]!.score === last.score; i--) sameScore++;
  const carried = current && current.maxScore === last.score && sameScore === page.length ? current.skip : 0;
  return { maxScore: last.score, skip: carried + sameScore };
}
