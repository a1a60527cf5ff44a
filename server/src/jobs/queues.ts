import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { PROVIDERS, redisKeys, type Provider, type QueuedJobData } from '@orchestrator/shared';

/** Every job gets the same retry and retention policy; only id and priority vary. */
const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 86400 },
};

/** Request priority 0..100 (higher runs sooner) → BullMQ priority 1..101 (lower runs sooner). */
export function bullPriority(requestPriority: number | undefined): number {
  const p = Math.min(100, Math.max(0, Math.round(requestPriority ?? 0)));
  return 101 - p;
}

export interface QueueCounts {
  /** waiting + prioritized + delayed: jobs no worker holds yet. */
  waiting: number;
  active: number;
}

export type JobQueueState = 'waiting' | 'active' | 'finished' | 'missing';

/** The BullMQ producers, one queue per provider, named after it. */
export class JobQueues {
  private readonly queues = new Map<Provider, Queue<QueuedJobData>>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  queue(provider: Provider): Queue<QueuedJobData> {
    let q = this.queues.get(provider);
    if (!q) {
      q = new Queue<QueuedJobData>(provider, { connection: this.connection, prefix: redisKeys(this.prefix).bullPrefix });
      q.on('error', (err: Error) => this.log.warn({ err: { message: err.message }, provider }, 'queue error'));
      this.queues.set(provider, q);
    }
    return q;
  }

  async add(provider: Provider, data: QueuedJobData, priority: number | undefined): Promise<void> {
    await this.queue(provider).add('generate', data, { ...JOB_OPTIONS, jobId: data.id, priority: bullPriority(priority) });
  }

  async state(provider: Provider, id: string): Promise<JobQueueState> {
    const state = await this.queue(provider).getJobState(id);
    if (state === 'active') return 'active';
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state === 'unknown') return 'missing';
    return 'waiting';
  }

  /** Removes a job no worker holds. False when a worker has locked it meanwhile. */
  async remove(provider: Provider, id: string): Promise<boolean> {
    try {
      return (await this.queue(provider).remove(id)) === 1;
    } catch (err) {
      this.log.debug({ err: { message: (err as Error).message }, jobId: id }, 'queue remove refused');
      return false;
    }
  }

  async counts(provider: Provider): Promise<QueueCounts> {
    const c = await this.queue(provider).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 };
  }

  async allCounts(): Promise<Record<string, QueueCounts>> {
    const entries = await Promise.all(PROVIDERS.map(async (p) => [p, await this.counts(p)] as const));
    return Object.fromEntries(entries);
  }

  /**
   * Opens every provider's queue, so BullMQ has defined its scripts on the shared connection before
   * the first job arrives: with auto-pipelining, a queue created in the same tick as another command
   * would otherwise queue its first script call on a pipeline made before the script existed.
   */
  async warm(): Promise<void> {
    await Promise.all(PROVIDERS.map((p) => this.queue(p).waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
