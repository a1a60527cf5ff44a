import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

interface WorkflowChoiceState {
  /** The saved workflow the Workflow form runs; null → the first in the list. */
  id: string | null;
  choose: (id: string | null) => void;
}

/** Which custom workflow the Workflow mode shows; remembered across reloads. */
export const useWorkflowChoice = create<WorkflowChoiceState>()(
  persist((set) => ({ id: null, choose: (id) => set({ id }) }), {
    name: 'orchestrator.workflow',
    version: 1,
    storage: createJSONStorage(() => localStorage),
  }),
);
