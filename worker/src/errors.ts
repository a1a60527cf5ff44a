import { diskFullCode, type JobErrorCode } from '@orchestrator/shared';

/*
 * The small set of errors a job can end with. Each carries the `code` that lands in the job record's
 * `error.code`; the message is written for the person reading it in the UI.
 */

/** The codes a job can end with: the shared registry's (shared/src/error-codes.ts). */
export type JobFailureCode = JobErrorCode;

/** A classified, final failure: the job is marked failed and never retried blindly. */
export class JobFailure extends Error {
  override readonly name = 'JobFailure';
  constructor(
    readonly code: JobFailureCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * A write that failed for want of room, as the job's failure. Whatever was half written has been
 * removed by the writer (temp names, sidecars), so the message only has to say what to do.
 */
export function diskFullFailure(err: unknown): JobFailure {
  const errno = diskFullCode(err) ?? 'ENOSPC';
  const where = errno === 'disk_full' ? "the server's output disk" : 'the output disk';
  const why = errno === 'EDQUOT' ? 'is over its quota' : errno === 'EFBIG' ? 'cannot hold a file this large' : 'is full';
  return new JobFailure('disk_full', `The result could not be saved: ${where} ${why}. Free some space, then retry the job.`, { errno });
}

/** The job was cancelled by a user (DELETE /api/jobs/:id); it ends as `cancelled`. */
export class JobCancelled extends Error {
  override readonly name = 'JobCancelled';
  readonly code = 'cancelled';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

/**
 * The backend could not be reached (connection refused, timeouts) or lost the prompt. Retriable: the
 * job waits and the retry reconciles with the backend's history, so no GPU work is repeated.
 */
export class BackendUnavailable extends Error {
  override readonly name = 'BackendUnavailable';
  readonly code = 'backend_unavailable';
  constructor(
    message: string,
    readonly backendId?: string,
  ) {
    super(message);
  }
}

/** The backend no longer knows the prompt (server restarted, queue entry deleted by someone else). */
export class PromptLost extends Error {
  override readonly name = 'PromptLost';
  readonly code = 'prompt_lost';
}

/** This worker is shutting down and hands the job back to the queue; the prompt keeps running. */
export class HandedBack extends Error {
  override readonly name = 'HandedBack';
  readonly code = 'handed_back';
}

/**
 * Not now, but not a failure: the job goes back to the queue for `delayMs` (a cloud provider's rate
 * limit, a concurrency cap, an API that cannot be reached before anything was sent). Costs no attempt.
 */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  readonly code = 'retry_later';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Abort reasons of a running job's signal. */
export const ABORT_CANCEL = 'cancel';
/** This process stops driving the job (shutdown, or its backend went to another worker): hand it back. */
export const ABORT_SHUTDOWN = 'shutdown';
/** BullMQ no longer has the job as this holder's (removed from outside, or its lock lapsed). */
export const ABORT_LOCK_LOST = 'lock-lost';

export function isShutdownAbort(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason === ABORT_SHUTDOWN;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
