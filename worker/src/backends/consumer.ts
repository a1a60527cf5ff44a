import { Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobProcessor, ProcessResult } from '../jobs/processor.js';
import { errorMessage } from '../errors.js';

/*
 * The BullMQ consumer of one backend: concurrency 1 (a GPU runs one prompt at a time), started
 * only once the backend is online, paused while it is offline, so jobs wait in the queue.
 */

export interface ConsumerOptions {
  queueName: string;
  prefix: string;
  connection: Redis;
  processor: JobProcessor;
  /** A job ended failed in BullMQ (after its last attempt, or stalled too often). */
  onFailed?: (job: BullJob) => void;
  /** Lock lifetime; a crashed worker's job is taken again after about this long. */
  lockDurationMs: number;
  workerName: string;
  log: Logger;
  /** Jobs at once (default 1: a GPU runs one prompt at a time; cloud providers take more). */
  concurrency?: number;
}

export class BackendConsumer {
  readonly worker: Worker<unknown, ProcessResult>;
  private online = false;
  private started = false;
  private closing = false;

  constructor(private readonly o: ConsumerOptions) {
    this.worker = new Worker<unknown, ProcessResult>(
      o.queueName,
      (job: BullJob, token: string | undefined, signal?: AbortSignal) => o.processor(job, token, signal),
      {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: o.concurrency ?? 1,
        autorun: false,
        name: o.workerName,
        lockDuration: o.lockDurationMs,
        stalledInterval: Math.min(30000, Math.max(50, Math.floor(o.lockDurationMs / 2))),
        maxStalledCount: 3,
      },
    );
    this.worker.on('error', (err) => o.log.warn({ err: errorMessage(err) }, 'queue consumer error'));
    this.worker.on('failed', (job) => {
      if (!job || !o.onFailed) return;
      // 'failed' also fires for attempts that will be retried; only act on the final state.
      void job.getState().then(
        (state) => state === 'failed' && o.onFailed?.(job),
        () => undefined,
      );
    });
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Follows the monitor: take jobs while the backend answers, stop taking them while it does not. */
  setOnline(online: boolean): void {
    if (this.closing || online === this.online) return;
    this.online = online;
    if (online) {
      if (!this.started) {
        this.started = true;
        this.worker.run().catch((err: unknown) => this.o.log.error({ err: errorMessage(err) }, 'queue consumer stopped'));
      } else {
        void this.worker.resume();
      }
      this.o.log.info('taking jobs');
    } else if (this.started) {
      void this.worker.pause(true).catch(() => undefined);
      this.o.log.info('backend offline; not taking jobs');
    }
  }

  cancel(jobId: string, reason: string): boolean {
    return this.worker.cancelJob(jobId, reason);
  }

  /**
   * Stops taking jobs; active ones may finish for `graceMs`, then they are aborted with `handBackReason`
   * (the processor hands them back to the queue) and the consumer closes.
   */
  async close(graceMs: number, handBackReason: string): Promise<void> {
    this.closing = true;
    const closed = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), graceMs);
    });
    const first = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace') {
      this.o.log.info('grace period over; handing active jobs back');
      this.worker.cancelAllJobs(handBackReason);
      await closed;
    }
  }
}
