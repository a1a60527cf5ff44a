import { decodeCursor, encodeCursor, nextCursor, type PageOf, type ScoreCursor } from '@orchestrator/shared';
import { badRequest } from './errors.js';

/** A time-scored index (JobStore, AssetStore) as the pager sees it. */
export interface ScoredSource<T> {
  listIds(maxScore: number | null, offset: number, limit: number): Promise<{ id: string; score: number }[]>;
  getMany(ids: string[]): Promise<T[]>;
}

export interface PageQuery<T> {
  limit: number;
  cursor?: string | undefined;
  filter?: (item: T) => boolean;
  /** With a filter, stop after looking at this many ids and hand back a (short) page plus a cursor. */
  maxScan?: number;
}

function parseCursor(text: string | undefined): ScoreCursor | null {
  if (text === undefined || text === '') return null;
  const c = decodeCursor(text);
  if (!c) throw badRequest('invalid_cursor', 'The cursor is not one this server made; start again without ?cursor=');
  return c;
}

/**
 * One newest-first page. The cursor marks the last id *looked at* (not the last one returned), so a
 * filtered page never re-reads or skips ids. Ids whose record vanished are passed over.
 */
export async function readPage<T extends { id: string }>(source: ScoredSource<T>, q: PageQuery<T>): Promise<PageOf<T>> {
  const current = parseCursor(q.cursor);
  let maxScore = current?.maxScore ?? null;
  const start = current?.skip ?? 0;
  const maxScan = q.maxScan ?? 2000;
  const chunk = q.filter ? Math.min(500, Math.max(50, q.limit * 2)) : q.limit;
  const consumed: { id: string; score: number }[] = [];
  const items: T[] = [];
  let exhausted = false;

  while (items.length < q.limit && consumed.length < maxScan) {
    const rows = await source.listIds(maxScore, start + consumed.length, chunk);
    // Pin the top score so items created while we read do not shift the offsets.
    if (maxScore === null && rows[0]) maxScore = rows[0].score;
    const records = await source.getMany(rows.map((r) => r.id));
    const byId = new Map(records.map((r) => [r.id, r]));
    let used = 0;
    for (const row of rows) {
      consumed.push(row);
      used++;
      const rec = byId.get(row.id);
      if (rec && (!q.filter || q.filter(rec))) items.push(rec);
      if (items.length >= q.limit) break;
    }
    if (rows.length < chunk && used === rows.length) {
      exhausted = true;
      break;
    }
  }

  if (exhausted || consumed.length === 0) return { items };
  const more = await source.listIds(maxScore, start + consumed.length, 1);
  if (more.length === 0) return { items };
  const next = nextCursor(current, consumed);
  return next ? { items, nextCursor: encodeCursor(next) } : { items };
}
