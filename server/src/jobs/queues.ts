import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { JobEnqueuer, PROVIDERS, laneFromMeta, type Job, type Lane, type Provider, type QueuedJobData, type ScheduleStore } from '@orchestrator/shared';

export interface QueueCounts {
  /** Jobs waiting to start. */
  waiting: number;
  /** Jobs a worker holds. */
  active: number;
}

export type JobQueueState = 'waiting' | 'active' | 'finished' | 'missing';

/**
 * The server's side of the queues: jobs go in through the shared JobEnqueuer (record, ticket, lane
 * queue), and a stored job's lane tells which BullMQ queue holds it.
 */
export class JobQueues {
  readonly enqueuer: JobEnqueuer;
  readonly schedule: ScheduleStore;

  constructor(redis: Redis, prefix: string, log: FastifyBaseLogger) {
    this.enqueuer = new JobEnqueuer(redis, prefix, (err, queue) => log.warn({ err: { message: err.message }, queue }, 'queue error'));
    this.schedule = this.enqueuer.schedule;
  }

  /** Stores and queues the job; a ComfyUI job waits in the lane of `model`. */
  enqueue(job: Job, model?: string): Promise<Lane> {
    return this.enqueuer.enqueue(job, model);
  }

  /** The lane a stored job waits (or waited) in. */
  async laneOf(job: Pick<Job, 'id' | 'provider'>): Promise<Lane> {
    return laneFromMeta(job.provider, await this.schedule.meta(job.id));
  }

  queue(name: string): Queue<QueuedJobData> {
    return this.enqueuer.queue(name);
  }

  async state(queue: string, id: string): Promise<JobQueueState> {
    const state = await this.queue(queue).getJobState(id);
    if (state === 'active') return 'active';
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state === 'unknown') return 'missing';
    return 'waiting';
  }

  /** Removes a job no worker holds. False when a worker has it meanwhile. */
  async remove(queue: string, id: string): Promise<boolean> {
    try {
      return (await this.queue(queue).remove(id)) === 1;
    } catch {
      return false;
    }
  }

  /** Waiting: the provider's tickets; active: what its lane queues have running. */
  async counts(provider: Provider): Promise<QueueCounts> {
    const [waiting, lanes] = await Promise.all([this.schedule.waitingCount(provider), this.schedule.lanes(provider)]);
    const names = new Set([provider as string, ...[...lanes.values()].map((l) => l.queue)]);
    const active = await Promise.all([...names].map((n) => this.queue(n).getActiveCount()));
    return { waiting, active: active.reduce((a, b) => a + b, 0) };
  }

  async allCounts(): Promise<Record<string, QueueCounts>> {
    const entries = await Promise.all(PROVIDERS.map(async (p) => [p, await this.counts(p)] as const));
    return Object.fromEntries(entries);
  }

  /** Opens every provider's default queue before the first job arrives (see JobEnqueuer.ready). */
  async warm(): Promise<void> {
    await this.enqueuer.warm(PROVIDERS);
  }

  async close(): Promise<void> {
    await this.enqueuer.close();
  }
}
