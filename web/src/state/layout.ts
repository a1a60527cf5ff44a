import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { Layout } from 'react-resizable-panels';

export type MobileTab = 'chat' | 'create' | 'canvas' | 'queue' | 'inspector';

/** What the desktop's left panel shows: the chat, or the generation forms. */
export type LeftTab = 'chat' | 'form';

interface LayoutState {
  /** Panel sizes (percent by panel id) of the desktop layout. */
  panels: Layout | undefined;
  /** Which panel the narrow layout shows. */
  mobileTab: MobileTab;
  /** The left panel's tab on the desktop (the chat unless the form was asked for). */
  leftTab: LeftTab;
  /** Failed jobs the user has dismissed from the canvas (newest last, capped). */
  dismissedJobs: string[];
  /** The desktop layout shows the queue panel beside the gallery. */
  queueOpen: boolean;
  /** The job tray over the gallery shows its cards (else only its bar). */
  jobTrayOpen: boolean;
  setPanels: (panels: Layout) => void;
  /** Showing the Create tab (or the Chat tab) on a phone shows the same on the desktop's left panel. */
  setMobileTab: (tab: MobileTab) => void;
  setLeftTab: (tab: LeftTab) => void;
  setQueueOpen: (open: boolean) => void;
  setJobTrayOpen: (open: boolean) => void;
  dismissJob: (id: string) => void;
}

export const useLayout = create<LayoutState>()(
  persist(
    (set) => ({
      panels: undefined,
      mobileTab: 'canvas',
      leftTab: 'chat',
      dismissedJobs: [],
      queueOpen: false,
      jobTrayOpen: true,
      setPanels: (panels) => set({ panels }),
      setMobileTab: (mobileTab) => set({ mobileTab, ...(mobileTab === 'create' ? { leftTab: 'form' as const } : mobileTab === 'chat' ? { leftTab: 'chat' as const } : {}) }),
      setLeftTab: (leftTab) => set({ leftTab }),
      setQueueOpen: (queueOpen) => set({ queueOpen }),
      setJobTrayOpen: (jobTrayOpen) => set({ jobTrayOpen }),
      dismissJob: (id) => set((s) => ({ dismissedJobs: [...s.dismissedJobs.filter((d) => d !== id), id].slice(-200) })),
    }),
    { name: 'orchestrator.layout', version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);
