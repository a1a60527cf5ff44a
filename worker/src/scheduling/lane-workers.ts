import { Job as BullJob, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';

/*
 * BullMQ workers used by hand (BullMQ's "manually fetching jobs" pattern): one per lane queue this
 * process has taken from, created on first use. They never run a processor or fetch on their own;
 * a holder calls `next()` only once it has claimed a ticket of the lane. Each also runs BullMQ's
 * stalled-job check, which puts a job whose lock lapsed (nobody adopted it) back in its queue.
 */

export interface LaneWorkersOptions {
  connection: Redis;
  prefix: string;
  lockMs: number;
  workerName: string;
  log: Logger;
  /** BullMQ's stalled check moved a job back to its queue (or failed it). */
  onStalled?(queue: string, jobId: string): void;
}

export class LaneWorkers {
  private readonly workers = new Map<string, Worker>();
  private closing = false;

  constructor(private readonly o: LaneWorkersOptions) {}

  private worker(queue: string): Worker {
    let w = this.workers.get(queue);
    if (!w) {
      w = new Worker(queue, undefined, {
        connection: this.o.connection,
        prefix: this.o.prefix,
        autorun: false,
        name: this.o.workerName,
        lockDuration: this.o.lockMs,
        stalledInterval: Math.min(30_000, Math.max(500, this.o.lockMs)),
        maxStalledCount: 3,
      });
      w.on('error', (err) => this.o.log.warn({ queue, err: errorMessage(err) }, 'queue worker error'));
      w.on('stalled', (jobId) => this.o.onStalled?.(queue, jobId));
      void w.startStalledCheckTimer().catch((err: unknown) => this.o.log.warn({ queue, err: errorMessage(err) }, 'stalled check failed to start'));
      this.workers.set(queue, w);
    }
    return w;
  }

  /** Runs BullMQ's stalled check on the queue from now on (a queue this process serves). */
  watch(queues: Iterable<string>): void {
    if (this.closing) return;
    for (const q of queues) this.worker(q);
  }

  /** The head of the queue, now active and locked with `token`; undefined when the queue has none waiting. */
  async next(queue: string, token: string): Promise<BullJob | undefined> {
    if (this.closing) return undefined;
    return (await this.worker(queue).getNextJob(token, { block: false })) as BullJob | undefined;
  }

  /** A job of a lane queue by id (adopting a stopped holder's jobs). */
  async job(queue: string, id: string): Promise<BullJob | undefined> {
    return (await BullJob.fromId(this.worker(queue), id)) as BullJob | undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.workers.values()].map((w) => w.close(true)));
    this.workers.clear();
  }
}
