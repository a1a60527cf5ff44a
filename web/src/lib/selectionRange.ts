/*
 * Multi-selection of gallery items, as file managers do it: a click selects one and sets the anchor,
 * Ctrl/Cmd-click toggles one, Shift-click selects the range from the anchor. Items are known by offset
 * in the current view; only loaded items can be selected (`idAt` returns undefined for the others).
 */

export interface SelectionState {
  ids: ReadonlySet<string>;
  /** Offset the next Shift-click range starts from. */
  anchor: number | null;
}

export const EMPTY_SELECTION: SelectionState = { ids: new Set(), anchor: null };

export type ClickMode = 'replace' | 'toggle' | 'range';

export function clickMode(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickMode {
  if (e.shiftKey) return 'range';
  if (e.ctrlKey || e.metaKey) return 'toggle';
  return 'replace';
}

/** The ids of the loaded items between offsets a and b, both included. */
export function rangeIds(a: number, b: number, idAt: (index: number) => string | undefined): string[] {
  const out: string[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const id = idAt(i);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/**
 * The selection after a click on the item `id` at offset `index`. A Ctrl/Cmd+Shift-click adds the
 * range to what was selected; a plain Shift-click replaces it and keeps the anchor.
 */
export function applyClick(
  state: SelectionState,
  id: string,
  index: number,
  mode: ClickMode,
  idAt: (index: number) => string | undefined,
  additive = false,
): SelectionState {
  if (mode === 'replace') return { ids: new Set([id]), anchor: index };
  if (mode === 'toggle') {
    const ids = new Set(state.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: index };
  }
  const anchor = state.anchor ?? index;
  const ids = new Set(additive ? state.ids : []);
  for (const r of rangeIds(anchor, index, idAt)) ids.add(r);
  return { ids, anchor };
}

export function withoutIds(state: SelectionState, gone: Iterable<string>): SelectionState {
  let ids: Set<string> | null = null;
  for (const id of gone) {
    if (!state.ids.has(id)) continue;
    ids ??= new Set(state.ids);
    ids.delete(id);
  }
  return ids ? { ...state, ids } : state;
}
