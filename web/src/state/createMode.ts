import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export const CREATE_MODES = ['image', 'flux', 'video', 'site', 'workflow'] as const;
export type CreateMode = (typeof CREATE_MODES)[number];

interface CreateModeState {
  mode: CreateMode;
  setMode: (mode: CreateMode) => void;
}

/** Which generator the Create panel shows; remembered across reloads. */
export const useCreateMode = create<CreateModeState>()(
  persist((set) => ({ mode: 'image', setMode: (mode) => set({ mode }) }), {
    name: 'orchestrator.createMode',
    version: 1,
    storage: createJSONStorage(() => localStorage),
  }),
);
