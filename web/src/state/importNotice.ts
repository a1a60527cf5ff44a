import { create } from 'zustand';

export interface ImportNotice {
  /** What was loaded, from where, into which mode. */
  title: string;
  /** What could not be carried over. */
  notes: string[];
}

interface ImportNoticeState {
  notice: ImportNotice | null;
  show: (notice: ImportNotice) => void;
  dismiss: () => void;
}

/** The line above the Create form after settings were loaded from a file or an asset. */
export const useImportNotice = create<ImportNoticeState>()((set) => ({
  notice: null,
  show: (notice) => set({ notice }),
  dismiss: () => set({ notice: null }),
}));
