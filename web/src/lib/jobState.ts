import { isFinal, type Job } from '@orchestrator/shared';

const RANK = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 } as const;

/**
 * True when `a` is a later state of the same job than `b`. Job states only move forward, so when a
 * REST snapshot and an event disagree, the one further along is the truth.
 */
export function isAhead(a: Job, b: Job): boolean {
  const ra = RANK[a.status];
  const rb = RANK[b.status];
  if (ra !== rb) return ra > rb;
  if (isFinal(a.status)) return false;
  return a.progress.percent > b.progress.percent || (a.progress.step ?? 0) > (b.progress.step ?? 0);
}

/** The later of two states of one job (the incoming one on a tie: it is the newer message). */
export function latest(existing: Job, incoming: Job): Job {
  return isAhead(existing, incoming) ? existing : incoming;
}

export function isActive(job: Job): boolean {
  return job.status === 'queued' || job.status === 'running';
}

export function jobTitle(job: Job): string {
  return job.request.prompt.length > 0 ? job.request.prompt : `${job.kind} job`;
}
