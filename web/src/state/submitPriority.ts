import { create } from 'zustand';
import type { JobPriority, JobRequest } from '@orchestrator/shared';

interface SubmitPriorityState {
  /** The level new jobs are submitted with; chosen beside the Generate button, kept for the session. */
  priority: JobPriority;
  setPriority: (priority: JobPriority) => void;
}

export const useSubmitPriority = create<SubmitPriorityState>()((set) => ({
  priority: 'normal',
  setPriority: (priority) => set({ priority }),
}));

/** The request with the chosen level, unless it names one itself (normal is the server's default: not sent). */
export function withSubmitPriority(request: JobRequest): JobRequest {
  const { priority } = useSubmitPriority.getState();
  return request.priority !== undefined || priority === 'normal' ? request : { ...request, priority };
}
