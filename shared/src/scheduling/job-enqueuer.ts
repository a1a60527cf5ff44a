import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Job, QueuedJobData } from '../jobs.js';
import { jobError } from '../error-codes.js';
import { JobStore } from '../store.js';
import { priorityLevel, type JobPriority } from '../priority.js';
import { bullPriority, laneOf, type Lane } from './lanes.js';
import { ScheduleStore, type ScheduleMeta } from './schedule-store.js';

/*
 * Puts a new job in the queue the way every producer must (the server, and tests that play it): the
 * record, its event and its ticket first (one script), then the BullMQ job in its lane's queue, then a
 * wake-up for the workers. All three go out back to back on one connection, which Redis runs in order.
 */

/**
 * BullMQ retries nothing by itself (attempts 1): the scheduler decides what goes back to the queue,
 * at its old place. Finished jobs stay visible for a while (Bull Board), then BullMQ drops them.
 */
const JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 86400 },
};

export class JobEnqueuer {
  private readonly queues = new Map<string, { queue: Queue<QueuedJobData>; ready: Promise<unknown> }>();
  readonly schedule: ScheduleStore;
  private readonly store: JobStore;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly onQueueError: (err: Error, queue: string) => void = () => undefined,
  ) {
    this.schedule = new ScheduleStore(connection, prefix);
    this.store = new JobStore(connection, prefix);
  }

  /** The BullMQ producer of one lane's queue. */
  queue(name: string): Queue<QueuedJobData> {
    return this.entry(name).queue;
  }

  private entry(name: string): { queue: Queue<QueuedJobData>; ready: Promise<unknown> } {
    let e = this.queues.get(name);
    if (!e) {
      const queue = new Queue<QueuedJobData>(name, { connection: this.connection, prefix: this.schedule.keys.bullPrefix });
      queue.on('error', (err: Error) => this.onQueueError(err, name));
      e = { queue, ready: queue.waitUntilReady().catch(() => undefined) };
      this.queues.set(name, e);
    }
    return e;
  }

  /**
   * Opens queues ahead of their first job. BullMQ defines its scripts on the connection once a queue
   * is ready; with auto-pipelining, a queue's first script call in the same tick as other commands
   * would otherwise go out on a pipeline made before the script existed.
   */
  async warm(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((n) => this.entry(n).ready));
  }

  /**
   * Stores and queues `job`. `model` picks a ComfyUI job's lane (the model it loads). If the record
   * cannot be stored the BullMQ job is taken back; if the BullMQ job cannot be added the record ends
   * failed (`enqueue_failed`) rather than wait forever. Either way the error is thrown.
   */
  async enqueue(job: Job, model?: string): Promise<Lane> {
    const lane = laneOf(job.provider, model);
    const level = priorityLevel(job.request.priority);
    const { queue, ready } = this.entry(lane.queue);
    await ready;
    const [stored, queued] = await Promise.allSettled([
      this.schedule.create(job, lane),
      queue.add('generate', { id: job.id, request: job.request }, { ...JOB_OPTIONS, jobId: job.id, priority: bullPriority(level) }),
    ]);
    if (stored.status === 'rejected') {
      if (queued.status === 'fulfilled') await queue.remove(job.id).catch(() => undefined);
      throw stored.reason;
    }
    if (queued.status === 'rejected') {
      await this.schedule.unqueue(lane.provider, lane.lane, job.id).catch(() => undefined);
      await this.store
        .update(job.id, 'job.failed', (j) => ({
          ...j,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          error: jobError('enqueue_failed', 'The job could not be added to the queue'),
        }))
        .catch(() => undefined);
      throw queued.reason;
    }
    // Not awaited: the submit need not wait for it, and it still reaches Redis after the job.
    this.schedule.wake(lane).catch((err: unknown) => this.onQueueError(err as Error, lane.queue));
    return lane;
  }

  /** A waiting job's new level, in the index and in BullMQ; it keeps its submission order within the level. Null when not waiting. */
  async setLevel(jobId: string, level: JobPriority): Promise<number | null> {
    return this.rerank(jobId, (meta) => this.schedule.setLevel(meta, jobId, level), bullPriority(level));
  }

  /** A waiting job goes before every job not moved to the front before it (index and BullMQ). Null when not waiting. */
  async moveToFront(jobId: string): Promise<number | null> {
    return this.rerank(jobId, (meta) => this.schedule.moveToFront(meta, jobId), bullPriority('front'));
  }

  private async rerank(jobId: string, rerank: (meta: ScheduleMeta) => Promise<number | null>, priority: number): Promise<number | null> {
    const meta = await this.schedule.meta(jobId);
    const rank = meta ? await rerank(meta) : null;
    if (rank === null || !meta) return null;
    // BullMQ serves the lane in the same order (a holder popping meanwhile gets the job its old priority gave it).
    await (await this.queue(meta.queue).getJob(jobId))?.changePriority({ priority }).catch(() => undefined);
    return rank;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((e) => e.queue.close()));
    this.queues.clear();
  }
}
