/**
 * The option a key moves to in a listbox of `count` options with `page` of them in view (the ARIA
 * listbox keys: arrows, Home/End, PageUp/PageDown; no wrapping). null: the key does not move.
 */
export function nextIndex(key: string, current: number, count: number, page: number): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  const from = Math.min(Math.max(current, -1), last);
  switch (key) {
    case 'ArrowDown':
      return Math.min(from + 1, last);
    case 'ArrowUp':
      return Math.max(from - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageDown':
      return Math.min(Math.max(from, 0) + Math.max(page, 1), last);
    case 'PageUp':
      return Math.max(from - Math.max(page, 1), 0);
    default:
      return null;
  }
}
