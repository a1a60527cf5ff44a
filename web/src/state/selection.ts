import { create } from 'zustand';

export type Selection = { kind: 'asset'; id: string } | { kind: 'job'; id: string } | null;

interface SelectionState {
  selected: Selection;
  select: (selection: Selection) => void;
}

/** What the Inspector shows. Only ids: the objects themselves live in the query cache. */
export const useSelection = create<SelectionState>()((set) => ({
  selected: null,
  select: (selected) => set({ selected }),
}));

export function isSelected(selection: Selection, kind: 'asset' | 'job', id: string): boolean {
  return selection !== null && selection.kind === kind && selection.id === id;
}
