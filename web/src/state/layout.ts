import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { Layout } from 'react-resizable-panels';

export type MobileTab = 'create' | 'canvas' | 'inspector';

interface LayoutState {
  /** Panel sizes (percent by panel id) of the desktop layout. */
  panels: Layout | undefined;
  /** Which panel the narrow layout shows. */
  mobileTab: MobileTab;
  /** Failed jobs the user has dismissed from the canvas (newest last, capped). */
  dismissedJobs: string[];
  setPanels: (panels: Layout) => void;
  setMobileTab: (tab: MobileTab) => void;
  dismissJob: (id: string) => void;
}

export const useLayout = create<LayoutState>()(
  persist(
    (set) => ({
      panels: undefined,
      mobileTab: 'canvas',
      dismissedJobs: [],
      setPanels: (panels) => set({ panels }),
      setMobileTab: (mobileTab) => set({ mobileTab }),
      dismissJob: (id) => set((s) => ({ dismissedJobs: [...s.dismissedJobs.filter((d) => d !== id), id].slice(-200) })),
    }),
    { name: 'orchestrator.layout', version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);
