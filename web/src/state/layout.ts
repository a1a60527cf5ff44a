import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { Layout } from 'react-resizable-panels';

export type MobileTab = 'create' | 'canvas' | 'queue' | 'inspector';

interface LayoutState {
  /** Panel sizes (percent by panel id) of the desktop layout. */
  panels: Layout | undefined;
  /** Which panel the narrow layout shows. */
  mobileTab: MobileTab;
  /** Failed jobs the user has dismissed from the canvas (newest last, capped). */
  dismissedJobs: string[];
  /** The desktop layout shows the queue panel beside the gallery. */
  queueOpen: boolean;
  /** The job tray over the gallery shows its cards (else only its bar). */
  jobTrayOpen: boolean;
  setPanels: (panels: Layout) => void;
  setMobileTab: (tab: MobileTab) => void;
  setQueueOpen: (open: boolean) => void;
  setJobTrayOpen: (open: boolean) => void;
  dismissJob: (id: string) => void;
}

export const useLayout = create<LayoutState>()(
  persist(
    (set) => ({
      panels: undefined,
      mobileTab: 'canvas',
      dismissedJobs: [],
      queueOpen: false,
      jobTrayOpen: true,
      setPanels: (panels) => set({ panels }),
      setMobileTab: (mobileTab) => set({ mobileTab }),
      setQueueOpen: (queueOpen) => set({ queueOpen }),
      setJobTrayOpen: (jobTrayOpen) => set({ jobTrayOpen }),
      dismissJob: (id) => set((s) => ({ dismissedJobs: [...s.dismissedJobs.filter((d) => d !== id), id].slice(-200) })),
    }),
    { name: 'orchestrator.layout', version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);
