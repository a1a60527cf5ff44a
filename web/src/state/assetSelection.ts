import { create } from 'zustand';
import { useSelection } from './selection';
import { EMPTY_SELECTION, withoutIds, type SelectionState } from '../lib/selectionRange';

interface AssetSelectionState extends SelectionState {
  /** The selection came from "select all": it covers the loaded items only. */
  loadedOnly: boolean;
  /** Touch-friendly selecting: a plain tap toggles (entered from the menu's "Select"). */
  selectMode: boolean;
  set: (next: SelectionState, options?: { loadedOnly?: boolean; selectMode?: boolean }) => void;
  clear: () => void;
  forget: (ids: Iterable<string>) => void;
}

/** The gallery's multi-selection (ids only; the assets live in the query cache). */
export const useAssetSelection = create<AssetSelectionState>()((set) => ({
  ...EMPTY_SELECTION,
  loadedOnly: false,
  selectMode: false,
  set: (next, { loadedOnly = false, selectMode = false } = {}) => set({ ids: next.ids, anchor: next.anchor, loadedOnly, selectMode }),
  clear: () => set({ ...EMPTY_SELECTION, loadedOnly: false, selectMode: false }),
  forget: (ids) =>
    set((s) => {
      const next = withoutIds(s, ids);
      return next === s ? s : { ...next, selectMode: s.selectMode && next.ids.size > 0 };
    }),
}));

/** Assets that left the gallery: drop them from the selection and from the Inspector. */
export function releaseAssets(ids: readonly string[]): void {
  useAssetSelection.getState().forget(ids);
  const { selected, select } = useSelection.getState();
  if (selected?.kind === 'asset' && ids.includes(selected.id)) select(null);
}
