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
import { BackendUnavailable, HandedBack, JobCancelled, JobFailure, PromptLost, errorMessage } from '../errors.js';
import type { BackendRef } from '../providers/comfyui/connections.js';
import type { Provider } from '../providers/provider.js';
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

  async function finalize(id: string, type: 'job.completed' | 'job.failed' | 'job.cancelled', change: (j: Job) => Job) {
    const res = await deps.jobs.update(id, type, change);
    if (!res.ok) deps.log.debug({ jobId: id, reason: res.reason }, `${type} not recorded`);
  }

  async function fail(id: string, error: JobError): Promise<void> {
    await finalize(id, 'job.failed', (j) => ({
      ...j,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      progress: { percent: j.progress.percent },
      error,
    }));
  }

  async function waiting(id: string, message: string): Promise<void> {
    await deps.jobs.update(id, 'job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: j.progress.percent, message } }));
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
      await fail(id, { code: 'invalid_job', message, details: errors });
      throw new UnrecoverableError(message);
    }
    const id = data.id;
    const log = deps.log.child({ jobId: id, backend: own.id, provider: data.request.provider });
    const record = await deps.jobs.get(id);
    if (!record) {
      log.warn('no job record; dropping the job');
      return { skipped: 'missing' };
    }
    if (isFinal(record.status)) {
      log.info({ status: record.status }, 'job already finished; skipping');
      return { skipped: record.status };
    }
    if (!deps.isOnline()) return putBack(job, token, 1000);

    const lease = await BackendLease.acquire(deps.redis, deps.keys.backendLease(own.id), deps.workerId, id, deps.leaseTtlMs, log);
    if (!lease) return putBack(job, token, leaseRetryMs);

    deps.onActive(id);
    let lastPreviewAt = 0;
    const reporter = new ProgressReporter(
      async (p: JobProgress) => {
        await deps.jobs.update(id, 'job.progress', (j) => ({ ...j, status: 'running', progress: p }));
        await job.updateProgress(p);
      },
      progressIntervalMs,
      (err) => log.warn({ err: errorMessage(err) }, 'progress update failed'),
    );
    try {
      const startedAt = new Date().toISOString();
      const started = await deps.jobs.update(id, 'job.started', (j) => {
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
      for (const asset of result.assets) await deps.assets.put(asset);
      const refs = result.assets.map(assetRef);
      await finalize(id, 'job.completed', (j) => ({
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
        await finalize(id, 'job.cancelled', (j) => ({
          ...j,
          status: 'cancelled',
          finishedAt: new Date().toISOString(),
          progress: { percent: j.progress.percent, message: 'cancelled' },
        }));
        throw new UnrecoverableError('cancelled');
      }
      if (err instanceof JobFailure) {
        log.warn({ code: err.code, err: err.message }, 'job failed');
        await fail(id, { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
        throw new UnrecoverableError(err.message);
      }
      if (err instanceof HandedBack) {
        log.info('worker shutting down; job handed back to the queue');
        await waiting(id, 'worker restarting; waiting for another worker');
        return putBack(job, token, 0);
      }
      if (err instanceof BackendUnavailable || err instanceof PromptLost) {
        const offline = err instanceof BackendUnavailable;
        log.warn({ err: err.message }, offline ? 'backend unreachable; job will wait' : 'prompt lost; job will be resubmitted');
        deps.onBackendTrouble?.();
        await waiting(id, offline ? 'backend offline, waiting' : 'prompt lost on the backend, resubmitting');
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 < attempts) throw err;
        if (!offline) {
          await fail(id, { code: 'backend_error', message: `ComfyUI lost the prompt ${attempts} times; giving up` });
          throw new UnrecoverableError(err.message);
        }
        // A GPU box rebooting must never fail a job: once BullMQ's retries are spent, keep it delayed.
        return putBack(job, token, offlineRetryMs);
      }
      log.error({ err: errorMessage(err), stack: (err as Error)?.stack }, 'unexpected error while running the job');
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await fail(id, { code: 'internal_error', message: `Worker error: ${errorMessage(err)}` });
      } else {
        await waiting(id, `retrying after a worker error: ${errorMessage(err)}`);
      }
      throw err;
    }
  };
}
