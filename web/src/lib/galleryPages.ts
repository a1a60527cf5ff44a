/*
 * The gallery is fetched by offset, one page of PAGE_SIZE per query, only around what is on screen. A
 * view of 100,000 assets is therefore a sparse set of loaded pages. These functions locate items in it
 * and keep it consistent when an asset is added or removed: every later item moves by one place, which
 * is exact across contiguous loaded pages and unknowable across a gap (those pages are refetched).
 */

export const PAGE_SIZE = 100;

/** Loaded pages by page number; page n holds the items at offsets [n·PAGE_SIZE, (n+1)·PAGE_SIZE). */
export type LoadedPages<T> = ReadonlyMap<number, readonly T[]>;

export interface PageChange<T> {
  /** New contents of the pages that changed. */
  pages: Map<number, T[]>;
  /** Pages whose contents can no longer be known without a refetch. */
  stale: number[];
}

export function pageOf(index: number, size = PAGE_SIZE): number {
  return Math.floor(index / size);
}

/**
 * Page numbers covering the items [start, end) (end exclusive), widened by `margin` items on each
 * side and clipped to the `total` known items. With no total yet, the first page.
 */
export function pagesForRange(start: number, end: number, total: number | undefined, margin = 0, size = PAGE_SIZE): number[] {
  if (total === undefined) return [0];
  if (total <= 0) return [0];
  const from = Math.max(0, start - margin);
  const to = Math.min(total, end + margin);
  if (to <= from) return [pageOf(Math.min(from, total - 1), size)];
  const out: number[] = [];
  for (let p = pageOf(from, size); p <= pageOf(to - 1, size); p++) out.push(p);
  return out;
}

export function itemAt<T>(pages: LoadedPages<T>, index: number, size = PAGE_SIZE): T | undefined {
  if (index < 0) return undefined;
  return pages.get(pageOf(index, size))?.[index % size];
}

function sortedKeys(pages: LoadedPages<unknown>): number[] {
  return [...pages.keys()].sort((a, b) => a - b);
}

/** Offset of the item with this id among the loaded pages, or -1. */
export function indexOfId<T extends { id: string }>(pages: LoadedPages<T>, id: string, size = PAGE_SIZE): number {
  for (const [p, items] of pages) {
    const i = items.findIndex((x) => x.id === id);
    if (i >= 0) return p * size + i;
  }
  return -1;
}

/** Every loaded item with its offset, in order. */
export function loadedEntries<T>(pages: LoadedPages<T>, size = PAGE_SIZE): { index: number; item: T }[] {
  const out: { index: number; item: T }[] = [];
  for (const p of sortedKeys(pages)) pages.get(p)!.forEach((item, i) => out.push({ index: p * size + i, item }));
  return out;
}

/**
 * Where `item` goes in the sorted view, or null when the loaded pages cannot tell (its place falls in a
 * gap between them). Equal items go after the ones already there.
 */
export function insertIndex<T>(pages: LoadedPages<T>, total: number, item: T, cmp: (a: T, b: T) => number, size = PAGE_SIZE): number | null {
  let last = -1;
  for (const p of sortedKeys(pages)) {
    const items = pages.get(p)!;
    for (let i = 0; i < items.length; i++) {
      const at = p * size + i;
      if (cmp(item, items[i]!) < 0) return at === 0 || last === at - 1 ? at : null;
      last = at;
    }
  }
  return last === total - 1 ? total : null;
}

/** Inserts `item` at offset `index`, pushing later items one place on through contiguous loaded pages. */
export function insertAt<T>(pages: LoadedPages<T>, index: number, item: T, size = PAGE_SIZE): PageChange<T> {
  const out: PageChange<T> = { pages: new Map(), stale: [] };
  let expected = pageOf(index, size);
  let carry: T | undefined = item;
  let at = index % size;
  for (const p of sortedKeys(pages)) {
    if (p < expected) continue;
    if (p !== expected || carry === undefined) {
      // After a gap the item pushed into this page is unknown; later pages are shifted by one.
      if (carry !== undefined || p !== expected) out.stale.push(p);
      continue;
    }
    const items = pages.get(p)!.slice();
    items.splice(at, 0, carry);
    carry = items.length > size ? items.pop() : undefined;
    out.pages.set(p, items);
    expected = p + 1;
    at = 0;
  }
  return out;
}

/** Removes the item at `index`, pulling later items one place back through contiguous loaded pages. */
export function removeAt<T>(pages: LoadedPages<T>, index: number, total: number, size = PAGE_SIZE): PageChange<T> {
  const out: PageChange<T> = { pages: new Map(), stale: [] };
  const first = pageOf(index, size);
  const start = pages.get(first);
  if (!start || index % size >= start.length) return out;
  let prev = start.slice();
  prev.splice(index % size, 1);
  let prevPage = first;
  let gap = false;
  for (const p of sortedKeys(pages)) {
    if (p <= first) continue;
    if (gap || p !== prevPage + 1) {
      gap = true;
      out.stale.push(p);
      continue;
    }
    const items = pages.get(p)!.slice();
    const moved = items.shift();
    if (moved !== undefined) prev.push(moved);
    out.pages.set(prevPage, prev);
    prev = items;
    prevPage = p;
  }
  out.pages.set(prevPage, prev);
  // The last page before a gap is now one short of an item it cannot know.
  if (prev.length < Math.min(size, total - 1 - prevPage * size)) out.stale.push(prevPage);
  out.stale.sort((a, b) => a - b);
  return out;
}

/**
 * The number of matching assets after fetching a page at `offset`: the server's `total` when it sends
 * one; otherwise as much as the pages show, plus one while a full page suggests there is more (the grid
 * then grows as it is scrolled, like an infinite list).
 */
export function totalAfterFetch(page: { items: readonly unknown[]; total?: number }, offset: number, previous: number | undefined, size = PAGE_SIZE): number {
  if (typeof page.total === 'number' && Number.isFinite(page.total)) return page.total;
  const seen = offset + page.items.length;
  if (page.items.length < size) return page.items.length === 0 && offset > 0 ? Math.min(previous ?? offset, offset) : seen;
  return Math.max(previous ?? 0, seen + 1);
}
