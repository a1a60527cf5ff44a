import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { addPrompt } from '../lib/promptHistory';

interface PromptHistoryState {
  /** Newest first, each once (lib/promptHistory). */
  prompts: string[];
  remember: (prompt: string) => void;
  forget: (prompt: string) => void;
}

/** Prompts of the jobs submitted from this browser; kept across reloads. */
export const usePromptHistory = create<PromptHistoryState>()(
  persist(
    (set) => ({
      prompts: [],
      remember: (prompt) => set((s) => ({ prompts: addPrompt(s.prompts, prompt) })),
      forget: (prompt) => set((s) => ({ prompts: s.prompts.filter((p) => p !== prompt) })),
    }),
    {
      name: 'orchestrator.prompts',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      merge: (persisted, current) => {
        const list = (persisted as Partial<PromptHistoryState> | undefined)?.prompts;
        return { ...current, prompts: Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [] };
      },
    },
  ),
);
