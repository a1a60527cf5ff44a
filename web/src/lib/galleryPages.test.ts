import { describe, expect, it } from 'vitest';
import { indexOfId, insertAt, insertIndex, itemAt, pagesForRange, removeAt, totalAfterFetch } from './galleryPages';

interface It {
  id: string;
  n: number;
}
const SIZE = 4;
const items = (from: number, to: number): It[] => Array.from({ length: to - from }, (_, i) => ({ id: `i${from + i}`, n: from + i }));
const desc = (a: It, b: It) => b.n - a.n;

describe('page math', () => {
  it('lists the pages that cover a window, with margin, clipped to the total', () => {
    expect(pagesForRange(0, 10, 1000, 0, 100)).toEqual([0]);
    expect(pagesForRange(95, 130, 1000, 0, 100)).toEqual([0, 1]);
    expect(pagesForRange(95, 130, 1000, 50, 100)).toEqual([0, 1]);
    expect(pagesForRange(160, 190, 1000, 50, 100)).toEqual([1, 2]);
    expect(pagesForRange(99_950, 100_000, 100_000, 50, 100)).toEqual([999]);
    expect(pagesForRange(0, 0, undefined)).toEqual([0]);
  });

  it('finds items by offset and by id in a sparse set of pages', () => {
    const pages = new Map([
      [0, items(0, 4)],
      [5, items(20, 24)],
    ]);
    expect(itemAt(pages, 21, SIZE)?.id).toBe('i21');
    expect(itemAt(pages, 7, SIZE)).toBeUndefined();
    expect(indexOfId(pages, 'i22', SIZE)).toBe(22);
    expect(indexOfId(pages, 'nope', SIZE)).toBe(-1);
  });

  it('takes the server total, or grows one past a full page when there is none', () => {
    expect(totalAfterFetch({ items: [1, 2], total: 9 }, 0, undefined, 2)).toBe(9);
    expect(totalAfterFetch({ items: [1, 2] }, 0, undefined, 2)).toBe(3);
    expect(totalAfterFetch({ items: [1] }, 2, 3, 2)).toBe(3);
  });
});

describe('keeping loaded pages in order when assets come and go', () => {
  // Items are numbered newest (highest n) first: page 0 = 99..96, page 1 = 95..92.
  const view = () =>
    new Map([
      [0, [99, 98, 97, 96].map((n) => ({ id: `i${n}`, n }))],
      [1, [95, 94, 93, 92].map((n) => ({ id: `i${n}`, n }))],
    ]);

  it('puts a newer item at the top and pushes the rest down through contiguous pages', () => {
    const pages = view();
    const at = insertIndex(pages, 100, { id: 'new', n: 100 }, desc, SIZE);
    expect(at).toBe(0);
    const change = insertAt(pages, 0, { id: 'new', n: 100 }, SIZE);
    expect(change.pages.get(0)!.map((x) => x.n)).toEqual([100, 99, 98, 97]);
    expect(change.pages.get(1)!.map((x) => x.n)).toEqual([96, 95, 94, 93]);
    expect(change.stale).toEqual([]);
  });

  it('cannot place an item that falls in a gap between loaded pages', () => {
    const pages = new Map([[0, view().get(0)!], [2, [{ id: 'x', n: 50 }]]]);
    expect(insertIndex(pages, 9, { id: 'y', n: 70 }, desc, SIZE)).toBeNull();
    expect(insertIndex(pages, 9, { id: 'y', n: 97.5 }, desc, SIZE)).toBe(2);
  });

  it('marks pages after a gap stale: their contents shifted by an unknown item', () => {
    const pages = new Map([[0, view().get(0)!], [3, items(0, 4)]]);
    const change = insertAt(pages, 1, { id: 'new', n: 98.5 }, SIZE);
    expect(change.pages.get(0)!.map((x) => x.n)).toEqual([99, 98.5, 98, 97]);
    expect(change.stale).toEqual([3]);
  });

  it('appends at the end of a complete view', () => {
    const pages = view();
    expect(insertIndex(pages, 8, { id: 'old', n: 1 }, desc, SIZE)).toBe(8);
    expect(insertIndex(pages, 20, { id: 'old', n: 1 }, desc, SIZE)).toBeNull();
  });

  it('removes an item and pulls later ones back, flagging a page left short before a gap', () => {
    const pages = view();
    const change = removeAt(pages, 1, 8, SIZE);
    expect(change.pages.get(0)!.map((x) => x.n)).toEqual([99, 97, 96, 95]);
    expect(change.pages.get(1)!.map((x) => x.n)).toEqual([94, 93, 92]);
    expect(change.stale).toEqual([]);
    const more = removeAt(pages, 1, 20, SIZE);
    expect(more.stale).toEqual([1]);
  });
});
