import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

interface WorkflowChoiceState {
  /** The saved workflow the Workflow form runs; null → the first in the list. */
  id: string | null;
  /** Its name when last seen, to say which one is gone if it is deleted elsewhere. */
  name: string | null;
  choose: (id: string | null, name?: string | null) => void;
}

/** Which custom workflow the Workflow mode shows; remembered across reloads. */
export const useWorkflowChoice = create<WorkflowChoiceState>()(
  persist((set) => ({ id: null, name: null, choose: (id, name = null) => set({ id, name }) }), {
    name: 'orchestrator.workflow',
    version: 1,
    storage: createJSONStorage(() => localStorage),
  }),
);
