import type { Logger } from 'pino';
import { isFinal, jobError, laneFromMeta, priorityLevel, type JobStore, type Provider, type ScheduleStore } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';
import type { LaneWorkers } from './lane-workers.js';

/**
 * BullMQ's stalled check put a job back in its queue (its holder died and nobody adopted it before its
 * lock lapsed): it gets its ticket back at its old place, and its record says it waits again. A job
 * BullMQ failed instead (stalled too often) ends failed. The server's reconciler would find either
 * within seconds; this is at once.
 */
export async function settleStalledJob(
  d: { schedule: ScheduleStore; jobs: JobStore; laneWorkers: LaneWorkers; log: Logger },
  queue: string,
  jobId: string,
): Promise<void> {
  try {
    const [record, meta, bull] = await Promise.all([d.jobs.get(jobId), d.schedule.meta(jobId), d.laneWorkers.job(queue, jobId)]);
    if (!record || isFinal(record.status) || !bull) return;
    const state = await bull.getState();
    if (state === 'failed') {
      await d.schedule.finish(jobId);
      await d.jobs.update(jobId, 'job.failed', (j) => ({
        ...j,
        status: 'failed',
        finishedAt: new Date().toISOString(),
        error: jobError('internal_error', `The job could not be run: ${bull.failedReason || 'it stalled too often'}`),
      }));
      return;
    }
    if (state !== 'waiting' && state !== 'prioritized') return;
    const lane = laneFromMeta(record.provider as Provider, meta);
    await d.schedule.reindex(lane, jobId, priorityLevel(record.request.priority));
    await d.jobs.update(jobId, 'job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: 0, message: 'back in the queue: its worker stopped' } }));
    d.log.info({ jobId, queue }, 'stalled job back in the queue at its place');
  } catch (err) {
    d.log.warn({ jobId, queue, err: errorMessage(err) }, 'could not settle a stalled job');
  }
}
