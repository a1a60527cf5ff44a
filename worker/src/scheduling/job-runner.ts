import type { Job as BullJob } from 'bullmq';
import type { Logger } from 'pino';
import {
  QueuedJobData,
  assetRef,
  checked,
  isDiskFull,
  isFinal,
  jobError,
  type AssetStore,
  type EventLog,
  type InflightEntry,
  type Job,
  type JobError,
  type JobErrorCode,
  type JobProgress,
  type JobStore,
  type Provider as ProviderName,
  type ScheduleStore,
} from '@orchestrator/shared';
import { ABORT_LOCK_LOST, BackendUnavailable, HandedBack, JobCancelled, JobFailure, PromptLost, RetryLater, diskFullFailure, errorMessage } from '../errors.js';
import { HeldJob, storedJob, type JobWriter } from '../jobs/held-job.js';
import { ProgressReporter } from '../jobs/progress-reporter.js';
import type { Provider } from '../providers/provider.js';

/*
 * One job a holder took from the queue, run to its end: the record and its events kept in step, the
 * BullMQ lock kept alive, and the outcome written to BullMQ as well (completed, or failed with the
 * user-facing message; a cancelled job completes, it is not a failure). What is not an outcome goes
 * back to the queue at its old place (a backend that went away, a lost prompt) or stays with the
 * holder's successor (a ComfyUI prompt when this process stops).
 */

export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'requeued' | 'handed-back' | 'skipped';

export interface TakenJob {
  bull: BullJob;
  entry: InflightEntry;
  /** Taken over from a holder that stopped: the provider first asks the backend what became of it. */
  adopted: boolean;
}

export interface RunnerDeps {
  /** The job's work has left its backend (see RunContext.backendDone). */
  onBackendDone?(): void;
  provider: ProviderName;
  jobs: JobStore;
  events: EventLog;
  assets: AssetStore;
  schedule: ScheduleStore;
  run: Provider;
  /** Where the job runs: a ComfyUI backend, or a cloud provider's pseudo-backend (`bfl`, `v0`). */
  backend: { id: string; url: string };
  /** The holder's in-flight hash. */
  inflightKey: string;
  /** A successor adopts this holder's jobs (ComfyUI backends); otherwise a hand-back re-queues them. */
  adoptable: boolean;
  lockMs: number;
  log: Logger;
  onBackendTrouble?(): void;
  /** A prompt lost this many times fails the job. */
  maxLostPrompts?: number;
  progressIntervalMs?: number;
  previewIntervalMs?: number;
  /** What the record says while the job waits to start on the holder (e.g. behind a running prompt). */
  startMessage?: string;
}

const queuedJobData = checked(QueuedJobData);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** An Error whose stack BullMQ will not show: the message is the whole story. */
function plainError(message: string): Error {
  const err = new Error(message);
  err.stack = message;
  return err;
}

export async function runTakenJob(t: TakenJob, deps: RunnerDeps, signal: AbortSignal): Promise<RunOutcome> {
  const { bull, entry } = t;
  const token = entry.token;
  const id = entry.jobId;
  const log = deps.log.child({ jobId: id, backend: deps.backend.id, provider: deps.provider });
  const progressIntervalMs = deps.progressIntervalMs ?? 200;
  const previewIntervalMs = deps.previewIntervalMs ?? 250;

  const forget = () => deps.schedule.finish(id, deps.inflightKey).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not clear the job from the schedule'));
  const bullCompleted = async (value: Record<string, unknown>) => {
    await bull.updateProgress(100).catch(() => undefined);
    await bull.moveToCompleted(value, token, false).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'BullMQ completion not recorded'));
  };
  const bullFailed = async (message: string) => {
    await bull.moveToFailed(plainError(message), token, false).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'BullMQ failure not recorded'));
  };

  const data: unknown = bull.data;
  if (!queuedJobData.check(data)) {
    const first = queuedJobData.errors(data)[0];
    const message = `Invalid job data${first ? ` at ${first.path}: ${first.message}` : ''}`;
    log.warn({ errors: queuedJobData.errors(data) }, 'invalid job data');
    await fail(storedJob(deps.jobs, id), { code: 'invalid_job', message });
    await bullFailed(message);
    await forget();
    return 'failed';
  }
  const record = await deps.jobs.get(id);
  if (!record || isFinal(record.status)) {
    // Cancelled while it was being taken, or an outside tool re-ran a finished job: nothing to do.
    if (!record) log.warn('no job record; dropping the job');
    else log.info({ status: record.status }, 'job already finished; not running it again');
    await bullCompleted({ skipped: record ? `already ${record.status}` : 'no job record' });
    await forget();
    return 'skipped';
  }

  const lock = keepLock(bull, token, deps.lockMs, log);
  const held = new HeldJob(deps.jobs, record);
  let lastPreviewAt = 0;
  const reporter = new ProgressReporter(
    async (p: JobProgress) => {
      await Promise.all([held.update('job.progress', (j) => ({ ...j, status: 'running', progress: p })), bull.updateProgress(Math.round(p.percent))]);
    },
    progressIntervalMs,
    (err) => log.warn({ err: errorMessage(err) }, 'progress update failed'),
  );
  const runSignal = AbortSignal.any([signal, lock.signal]);
  try {
    const started = await held.update('job.started', (j) => {
      const { error: _error, queue: _queue, ...rest } = j;
      return {
        ...rest,
        status: 'running',
        startedAt: j.startedAt ?? new Date().toISOString(),
        backend: deps.backend.id,
        progress: { percent: j.progress.percent, ...(deps.startMessage ? { message: deps.startMessage } : {}) },
      };
    });
    if (!started.ok) {
      log.info({ reason: started.reason }, 'job no longer runnable');
      await bullCompleted({ skipped: started.reason });
      await forget();
      return 'skipped';
    }
    let attempt = Math.max(bull.attemptsStarted || 1, t.adopted ? 2 : 1);
    log.info({ attempt, adopted: t.adopted, previousBackend: record.backend }, 'job started');
    for (;;) {
      try {
        const result = await deps.run.run(data, {
          signal: runSignal,
          backend: deps.backend,
          attempt,
          ...(record.backend ? { previousBackend: record.backend } : t.adopted ? { previousBackend: deps.backend.id } : {}),
          log,
          ...(record.owner ? { owner: record.owner } : {}),
          createdAt: record.createdAt,
          ...(deps.onBackendDone ? { backendDone: deps.onBackendDone } : {}),
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
        // Every asset is indexed (asset.added) before job.completed: a client that sees the job done finds its assets.
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
          backend: result.backend ?? deps.backend.id,
          assets: refs,
        }));
        log.info({ assets: refs.length }, 'job completed');
        await bullCompleted({ assets: refs });
        await forget();
        return 'completed';
      } catch (err) {
        if (err instanceof RetryLater && !runSignal.aborted) {
          // Not now (a rate limit): keep the job and try again after the delay; nothing is sent twice.
          log.info({ delayMs: err.delayMs }, err.message);
          await held.update('job.progress', (j) => ({ ...j, progress: { percent: j.progress.percent, message: err.message } }));
          await sleep(err.delayMs, runSignal);
          attempt += 1;
          if (!runSignal.aborted) continue;
        }
        await reporter.stop();
        return await settle(err);
      }
    }
  } finally {
    await reporter.stop();
    lock.stop();
  }

  async function settle(thrown: unknown): Promise<RunOutcome> {
    // No room to write the result, wherever a writer ran into it: a failure of its own, not a worker error.
    const err = isDiskFull(thrown) && !(thrown instanceof JobFailure) ? diskFullFailure(thrown) : thrown;
    if (lock.signal.aborted) {
      // BullMQ no longer has the job as ours: removed from outside, or its lock lapsed and it was re-queued.
      const state = await bull.getState().catch(() => 'unknown');
      log.warn({ state }, 'lost the job in BullMQ while running it');
      if (state === 'unknown') {
        await finalize(held, 'job.cancelled', (j) => ({
          ...j,
          status: 'cancelled',
          finishedAt: new Date().toISOString(),
          error: jobError('removed_externally', 'The job was removed from its queue by another tool while it ran'),
        }));
        await forget();
        return 'cancelled';
      }
      await deps.schedule.dropInflight(id, deps.inflightKey).catch(() => undefined);
      if (state === 'waiting' || state === 'prioritized') {
        await held.update('job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: 0, message: 'its worker lost the job; waiting to run again' } }));
        await deps.schedule.requeue(deps.provider, entry.lane, id);
        return 'requeued';
      }
      return 'handed-back';
    }
    if (err instanceof JobCancelled) {
      log.info('job cancelled');
      await finalize(held, 'job.cancelled', (j) => ({
        ...j,
        status: 'cancelled',
        finishedAt: new Date().toISOString(),
        progress: { percent: j.progress.percent, message: 'cancelled' },
      }));
      await bullCompleted({ cancelled: true });
      await forget();
      return 'cancelled';
    }
    if (err instanceof JobFailure) {
      log.warn({ code: err.code, err: err.message }, 'job failed');
      await fail(held, { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
      await bullFailed(err.message);
      await forget();
      return 'failed';
    }
    if (err instanceof HandedBack && deps.adoptable) {
      // The prompt keeps running on the backend; this backend's next owner adopts the job (its lock token is in the in-flight record).
      log.info('worker stopping; the job stays with the backend for its next owner');
      await held.update('job.progress', (j) => ({ ...j, progress: { ...j.progress, message: "worker stopping; the backend's next worker takes it over" } }));
      return 'handed-back';
    }
    if (err instanceof HandedBack || err instanceof BackendUnavailable || err instanceof PromptLost || err instanceof RetryLater) {
      const lost = err instanceof PromptLost;
      if (lost && bull.attemptsStarted >= (deps.maxLostPrompts ?? 3)) {
        const message = `ComfyUI lost the prompt ${bull.attemptsStarted} times; giving up`;
        await fail(held, { code: 'backend_error', message });
        await bullFailed(message);
        await forget();
        return 'failed';
      }
      if (err instanceof BackendUnavailable || lost) deps.onBackendTrouble?.();
      const message =
        err instanceof BackendUnavailable
          ? `${deps.backend.id} went offline; waiting for a backend`
          : lost
            ? `${deps.backend.id} lost the prompt; it will run again`
            : 'worker restarting; waiting for another worker';
      log.warn({ err: errorMessage(err) }, `${message} (back to the queue at its place)`);
      await requeue(message);
      return 'requeued';
    }
    log.error({ err: errorMessage(err), stack: (err as Error)?.stack }, 'unexpected error while running the job');
    const message = `Worker error: ${errorMessage(err)}`;
    await fail(held, { code: 'internal_error', message });
    await bullFailed(message);
    await forget();
    return 'failed';
  }

  /** Back to waiting at the job's old rank: BullMQ first (front of its priority), then the ticket. */
  async function requeue(message: string): Promise<void> {
    await held.update('job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: 0, message } }));
    await bull.moveToWait(token);
    await deps.schedule.requeue(deps.provider, entry.lane, id);
    await deps.schedule.dropInflight(id, deps.inflightKey).catch(() => undefined);
  }

  async function finalize(writer: JobWriter, type: 'job.completed' | 'job.failed' | 'job.cancelled', change: (j: Job) => Job) {
    const res = await writer.update(type, change);
    if (!res.ok) log.debug({ reason: res.reason }, `${type} not recorded`);
  }

  async function fail(writer: JobWriter, error: JobError & { code: JobErrorCode }): Promise<void> {
    await finalize(writer, 'job.failed', (j) => ({
      ...j,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      progress: { percent: j.progress.percent },
      error,
    }));
  }
}

/** Extends the BullMQ lock every third of its life; aborts its signal when BullMQ says the job is no longer ours. */
export function keepLock(bull: BullJob, token: string, lockMs: number, log: Logger): { signal: AbortSignal; stop(): void } {
  const lost = new AbortController();
  const timer = setInterval(
    () => {
      bull.extendLock(token, lockMs).then(
        (ok) => {
          if (!ok && !lost.signal.aborted) lost.abort(ABORT_LOCK_LOST);
        },
        (err: unknown) => log.warn({ err: errorMessage(err) }, 'lock extension failed'),
      );
    },
    Math.max(100, Math.floor(lockMs / 3)),
  );
  timer.unref();
  return { signal: lost.signal, stop: () => clearInterval(timer) };
}
