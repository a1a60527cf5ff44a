import { DelayedError, UnrecoverableError, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  QueuedJobData,
  assetRef,
  checked,
  isFinal,
  type AssetRef,
  type AssetStore,
  type EventLog,
  type Job,
  type JobError,
  type JobProgress,
  type JobStore,
  type RedisKeys,
} from '@orchestrator/shared';
import { BackendLease } from '../backends/lease.js';
import { BackendUnavailable, HandedBack, JobCancelled, JobFailure, PromptLost, RetryLater, errorMessage } from '../errors.js';
import type { BackendRef } from '../providers/comfyui/connections.js';
import type { Provider } from '../providers/provider.js';
import { HeldJob, storedJob, type JobWriter } from './held-job.js';
import { ProgressReporter } from './progress-reporter.js';

/*
 * One BullMQ job on one backend: validate what came off the queue, take the backend's lease, run the
 * provider, and keep the job record (and its events) in step. Final outcomes (completed, failed with a
 * classified error, cancelled) are written to the record and never retried blindly; a backend outage
 * keeps the job waiting in the queue instead of failing it.
 */

export interface ProcessorDeps {
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  events: EventLog;
  assets: AssetStore;
  provider: Provider;
  backend: BackendRef;
  workerId: string;
  log: Logger;
  /** Lease lifetime without renewal (the job lock duration). */
  leaseTtlMs: number;
  /** False while the monitor says this backend is offline: a job that slips through is put back. */
  isOnline(): boolean;
  onActive(jobId: string): void;
  onIdle(jobId: string): void;
  /** A run hit a connection error: the monitor should look again now. */
  onBackendTrouble?(): void;
  progressIntervalMs?: number;
  previewIntervalMs?: number;
  /** How long to wait before trying again when the backend's lease is taken. */
  leaseRetryMs?: number;
  /** Delay between waits for an offline backend once BullMQ's attempts are used up. */
  offlineRetryMs?: number;
  /**
   * What a job must hold while it runs, instead of the backend's lease (cloud providers: a slot of a
   * Redis semaphore). null puts the job back for `leaseRetryMs`.
   */
  acquireLease?(data: QueuedJobData, log: Logger): Promise<{ release(): Promise<void> } | null>;
}

export interface ProcessResult {
  assets?: AssetRef[];
  skipped?: string;
}

const queuedJobData = checked(QueuedJobData);

export type JobProcessor = (job: BullJob, token: string | undefined, signal?: AbortSignal) => Promise<ProcessResult>;

export function createJobProcessor(deps: ProcessorDeps): JobProcessor {
  const progressIntervalMs = deps.progressIntervalMs ?? 200;
  const previewIntervalMs = deps.previewIntervalMs ?? 250;
  const leaseRetryMs = deps.leaseRetryMs ?? 500;
  const offlineRetryMs = deps.offlineRetryMs ?? 5000;
  const own = deps.backend;

  async function putBack(job: BullJob, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  async function finalize(record: JobWriter, type: 'job.completed' | 'job.failed' | 'job.cancelled', change: (j: Job) => Job) {
    const res = await record.update(type, change);
    if (!res.ok) deps.log.debug({ jobId: record.id, reason: res.reason }, `${type} not recorded`);
  }

  async function fail(record: JobWriter, error: JobError): Promise<void> {
    await finalize(record, 'job.failed', (j) => ({
      ...j,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      progress: { percent: j.progress.percent },
      error,
    }));
  }

  async function waiting(record: JobWriter, message: string): Promise<void> {
    await record.update('job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: j.progress.percent, message } }));
  }

  return async function processJob(job: BullJob, token: string | undefined, signal?: AbortSignal): Promise<ProcessResult> {
    const jobSignal = signal ?? new AbortController().signal;
    const data: unknown = job.data;
    if (!queuedJobData.check(data)) {
      const errors = queuedJobData.errors(data);
      const id = typeof (data as { id?: unknown })?.id === 'string' ? (data as { id: string }).id : (job.id ?? '');
      const first = errors[0];
      const message = `Invalid job data${first ? ` at ${first.path}: ${first.message}` : ''}`;
      deps.log.warn({ jobId: id, errors }, 'invalid job data');
      await fail(storedJob(deps.jobs, id), { code: 'invalid_job', message, details: errors });
      throw new UnrecoverableError(message);
    }
    const id = data.id;
    const log = deps.log.child({ jobId: id, backend: own.id, provider: data.request.provider });
    // The record and the backend's lease in one round trip; a lease taken for nothing is handed back.
    const online = deps.isOnline();
    const [record, lease] = await Promise.all([
      deps.jobs.get(id),
      !online
        ? null
        : deps.acquireLease
          ? deps.acquireLease(data, log)
          : BackendLease.acquire(deps.redis, deps.keys.backendLease(own.id), deps.workerId, id, deps.leaseTtlMs, log),
    ]);
    if (!record || isFinal(record.status)) {
      await lease?.release();
      if (!record) log.warn('no job record; dropping the job');
      else log.info({ status: record.status }, 'job already finished; skipping');
      return { skipped: record ? record.status : 'missing' };
    }
    if (!online) return putBack(job, token, 1000);
    if (!lease) return putBack(job, token, leaseRetryMs);

    deps.onActive(id);
    const held = new HeldJob(deps.jobs, record);
    let lastPreviewAt = 0;
    const reporter = new ProgressReporter(
      async (p: JobProgress) => {
        await Promise.all([held.update('job.progress', (j) => ({ ...j, status: 'running', progress: p })), job.updateProgress(p)]);
      },
      progressIntervalMs,
      (err) => log.warn({ err: errorMessage(err) }, 'progress update failed'),
    );
    try {
      const startedAt = new Date().toISOString();
      const started = await held.update('job.started', (j) => {
        const { error: _error, ...rest } = j;
        return { ...rest, status: 'running', startedAt: j.startedAt ?? startedAt, backend: own.id, progress: { percent: j.progress.percent } };
      });
      if (!started.ok) {
        log.info({ reason: started.reason }, 'job no longer runnable; skipping');
        return { skipped: started.reason };
      }
      const attempt = job.attemptsMade + 1;
      log.info({ attempt, previousBackend: record.backend }, 'job started');
      const result = await deps.provider.run(data, {
        signal: jobSignal,
        backend: own,
        attempt,
        ...(record.backend ? { previousBackend: record.backend } : {}),
        log,
        progress: (p) => reporter.report(p),
        preview: (dataUrl) => {
          const now = Date.now();
          if (now - lastPreviewAt < previewIntervalMs) return;
          lastPreviewAt = now;
          deps.events.append({ type: 'job.preview', data: { jobId: id, dataUrl } }).catch((err: unknown) => {
            log.warn({ err: errorMessage(err) }, 'preview event failed');
          });
        },
      });
      await reporter.stop();
      // Every asset is indexed (asset.added) before job.completed: a client that sees the job done
      // finds its assets. The assets themselves are indexed together, not one round trip each.
      await Promise.all(result.assets.map((asset) => deps.assets.put(asset)));
      const refs = result.assets.map(assetRef);
      await finalize(held, 'job.completed', (j) => ({
        ...j,
        status: 'completed',
        finishedAt: new Date().toISOString(),
        progress: {
          percent: 100,
          ...(j.progress.step !== undefined ? { step: j.progress.totalSteps ?? j.progress.step } : {}),
          ...(j.progress.totalSteps !== undefined ? { totalSteps: j.progress.totalSteps } : {}),
        },
        backend: result.backend ?? own.id,
        assets: refs,
      }));
      log.info({ assets: refs.length }, 'job completed');
      return { assets: refs };
    } catch (err) {
      await reporter.stop();
      return await handleError(err);
    } finally {
      await lease.release();
      deps.onIdle(id);
    }

    async function handleError(err: unknown): Promise<never> {
      if (err instanceof JobCancelled) {
        log.info('job cancelled');
        await finalize(held, 'job.cancelled', (j) => ({
          ...j,
          status: 'cancelled',
          finishedAt: new Date().toISOString(),
          progress: { percent: j.progress.percent, message: 'cancelled' },
        }));
        throw new UnrecoverableError('cancelled');
      }
      if (err instanceof JobFailure) {
        log.warn({ code: err.code, err: err.message }, 'job failed');
        await fail(held, { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
        throw new UnrecoverableError(err.message);
      }
      if (err instanceof RetryLater) {
        log.info({ delayMs: err.delayMs }, err.message);
        await waiting(held, err.message);
        return putBack(job, token, err.delayMs);
      }
      if (err instanceof HandedBack) {
        log.info('worker shutting down; job handed back to the queue');
        await waiting(held, 'worker restarting; waiting for another worker');
        return putBack(job, token, 0);
      }
      if (err instanceof BackendUnavailable || err instanceof PromptLost) {
        const offline = err instanceof BackendUnavailable;
        log.warn({ err: err.message }, offline ? 'backend unreachable; job will wait' : 'prompt lost; job will be resubmitted');
        deps.onBackendTrouble?.();
        await waiting(held, offline ? 'backend offline, waiting' : 'prompt lost on the backend, resubmitting');
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 < attempts) throw err;
        if (!offline) {
          await fail(held, { code: 'backend_error', message: `ComfyUI lost the prompt ${attempts} times; giving up` });
          throw new UnrecoverableError(err.message);
        }
        // A GPU box rebooting must never fail a job: once BullMQ's retries are spent, keep it delayed.
        return putBack(job, token, offlineRetryMs);
      }
      log.error({ err: errorMessage(err), stack: (err as Error)?.stack }, 'unexpected error while running the job');
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await fail(held, { code: 'internal_error', message: `Worker error: ${errorMessage(err)}` });
      } else {
        await waiting(held, `retrying after a worker error: ${errorMessage(err)}`);
      }
      throw err;
    }
  };
}
