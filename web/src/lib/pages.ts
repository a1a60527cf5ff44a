import type { InfiniteData } from '@tanstack/react-query';
import type { PageOf } from '@orchestrator/shared';

export type Pages<T> = InfiniteData<PageOf<T>, string | undefined>;

interface Dated {
  id: string;
  createdAt: string;
}

const newestFirst = (a: Dated, b: Dated) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

/**
 * Replaces the item with the same id (through `merge`), or inserts it where its creation time puts
 * it among the loaded items. An item older than everything loaded while more pages exist is left for
 * pagination to bring.
 */
export function upsertItem<T extends Dated>(data: Pages<T> | undefined, item: T, merge: (old: T, next: T) => T = (_o, n) => n): Pages<T> | undefined {
  if (!data) return data;
  for (let p = 0; p < data.pages.length; p++) {
    const page = data.pages[p]!;
    const idx = page.items.findIndex((i) => i.id === item.id);
    if (idx < 0) continue;
    const merged = merge(page.items[idx]!, item);
    if (merged === page.items[idx]) return data;
    const items = page.items.slice();
    items[idx] = merged;
    const pages = data.pages.slice();
    pages[p] = { ...page, items };
    return { ...data, pages };
  }
  for (let p = 0; p < data.pages.length; p++) {
    const page = data.pages[p]!;
    const isLast = p === data.pages.length - 1;
    const at = page.items.findIndex((i) => newestFirst(item, i) <= 0);
    if (at < 0 && !(isLast && !page.nextCursor)) continue;
    const items = page.items.slice();
    items.splice(at < 0 ? items.length : at, 0, item);
    const pages = data.pages.slice();
    pages[p] = { ...page, items };
    return { ...data, pages };
  }
  return data;
}

/** Applies `change` to the cached item with this id; an id that is not loaded is left alone (nothing is inserted). */
export function updateItem<T extends { id: string }>(data: Pages<T> | undefined, id: string, change: (item: T) => T): Pages<T> | undefined {
  if (!data) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    const idx = page.items.findIndex((i) => i.id === id);
    if (idx < 0) return page;
    const next = change(page.items[idx]!);
    if (next === page.items[idx]) return page;
    changed = true;
    const items = page.items.slice();
    items[idx] = next;
    return { ...page, items };
  });
  return changed ? { ...data, pages } : data;
}

export function removeItem<T extends { id: string }>(data: Pages<T> | undefined, id: string): Pages<T> | undefined {
  if (!data) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    const items = page.items.filter((i) => i.id !== id);
    if (items.length === page.items.length) return page;
    changed = true;
    return { ...page, items };
  });
  return changed ? { ...data, pages } : data;
}

export function findItem<T extends { id: string }>(data: InfiniteData<PageOf<T>, unknown> | undefined, id: string): T | undefined {
  if (!data) return undefined;
  for (const page of data.pages) {
    const found = page.items.find((i) => i.id === id);
    if (found) return found;
  }
  return undefined;
}

export function flatten<T>(data: InfiniteData<PageOf<T>, unknown> | undefined): T[] {
  if (!data) return [];
  return data.pages.length === 1 ? data.pages[0]!.items : data.pages.flatMap((p) => p.items);
}

/**
 * Folds changes seen on the event channel into a freshly fetched first page: the snapshot may have
 * been taken just before an event the channel already delivered.
 */
export function reconcilePage<T extends Dated>(
  page: PageOf<T>,
  changes: Iterable<{ id: string; item: T | null }>,
  merge: (fetched: T, seen: T) => T,
): PageOf<T> {
  const items = page.items.slice();
  const oldest = items[items.length - 1];
  let changed = false;
  for (const { id, item } of changes) {
    const idx = items.findIndex((i) => i.id === id);
    if (item === null) {
      if (idx >= 0) {
        items.splice(idx, 1);
        changed = true;
      }
    } else if (idx >= 0) {
      const merged = merge(items[idx]!, item);
      if (merged !== items[idx]) {
        items[idx] = merged;
        changed = true;
      }
    } else if (!page.nextCursor || !oldest || newestFirst(item, oldest) <= 0) {
      items.push(item);
      changed = true;
    }
  }
  if (!changed) return page;
  items.sort(newestFirst);
  return { ...page, items };
}
