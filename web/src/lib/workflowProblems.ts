import { ApiError } from '../api/client';

/** One `details` item of an `invalid_workflow`, or a problem of an import's backend check. */
export interface WorkflowProblem {
  nodeId: string;
  classType?: string;
  input?: string;
  message: string;
}

/** The problems of an `invalid_workflow` that lists them; null for any other outcome. */
export function workflowProblemsOf(err: unknown): WorkflowProblem[] | null {
  if (!(err instanceof ApiError) || err.code !== 'invalid_workflow' || !Array.isArray(err.details)) return null;
  return err.details.filter((d): d is WorkflowProblem => typeof d === 'object' && d !== null && typeof (d as WorkflowProblem).message === 'string');
}
