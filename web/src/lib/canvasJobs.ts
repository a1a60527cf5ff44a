import type { Job } from '@orchestrator/shared';
import { isActive } from './jobState';

/** Failures older than this are only listed in the queue, not kept on the canvas. */
const FAILED_VISIBLE_MS = 24 * 3600_000;

/**
 * Jobs that belong on the canvas: running ones, then waiting ones in start order (the queue view's,
 * when loaded; else submission order), then recent failures.
 */
export function canvasJobs(jobs: Job[], dismissed: string[], startOrder: Map<string, number>, now = Date.now()): Job[] {
  const retried = new Set(jobs.map((j) => j.retryOf).filter(Boolean));
  const hidden = new Set(dismissed);
  const cutoff = now - FAILED_VISIBLE_MS;
  const rank = (j: Job) => startOrder.get(j.id) ?? Number.MAX_SAFE_INTEGER;
  const active = jobs
    .filter(isActive)
    .sort((a, b) => (a.status !== b.status ? (a.status === 'running' ? -1 : 1) : rank(a) - rank(b) || a.createdAt.localeCompare(b.createdAt)));
  const failed = jobs.filter(
    (j) => j.status === 'failed' && !retried.has(j.id) && !hidden.has(j.id) && Date.parse(j.finishedAt ?? j.createdAt) >= cutoff,
  );
  return [...active, ...failed];
}
