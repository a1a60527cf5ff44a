import { v0ErrorRule } from '@orchestrator/shared';
import { HandedBack, JobCancelled, JobFailure, isShutdownAbort } from '../../errors.js';
import { V0ApiError } from './client.js';

/*
 * Whatever a v0 call threw, as the error a job ends with. The status → code/message table is shared
 * (V0_ERRORS in @orchestrator/shared, also used by the server's chat list); v0's own message is added
 * for the detail. The API key is never part of any of it.
 */

/** An aborted signal: a cancel ends the job, a shutdown hands it back (the generation keeps going on v0). */
export function abortError(signal: AbortSignal): Error {
  return isShutdownAbort(signal) ? new HandedBack('worker shutting down; the v0 generation continues and the retry follows it') : new JobCancelled();
}

/** `during` says what we were doing ("creating the chat"), for the message. */
export function toJobError(err: unknown, signal: AbortSignal, during: string): Error {
  if (signal.aborted) return abortError(signal);
  if (err instanceof JobFailure || err instanceof JobCancelled || err instanceof HandedBack) return err;
  if (!(err instanceof V0ApiError)) return err instanceof Error ? err : new Error(String(err));
  const details = { status: err.status, ...(err.v0Type ? { type: err.v0Type } : {}) };
  if (err.status === 0) return new JobFailure('provider_error', `${err.message} while ${during}`, details);
  if (err.status === 200) return new JobFailure('provider_error', `${err.message} while ${during}`, details);
  const rule = v0ErrorRule(err.status);
  const waited = err.status === 429 && err.retryAfterMs !== undefined ? ` (v0 asked to wait ${Math.ceil(err.retryAfterMs / 1000)} s)` : '';
  const detail = err.v0Message ? ` — v0 says: ${err.v0Message}` : '';
  return new JobFailure(rule.code, `${rule.message}${waited}, while ${during}${detail}`, details);
}

/** A POST that got no answer may still have started a generation on v0: say so rather than retry it. */
export function uncertainSubmit(err: unknown, signal: AbortSignal, what: string): Error {
  if (err instanceof V0ApiError && (err.status === 0 || err.status >= 500) && !signal.aborted) {
    return new JobFailure(
      'submit_uncertain',
      `${err.message} while ${what}; v0 may have started it anyway, so it was not sent again (see Sites → Import)`,
      { status: err.status },
    );
  }
  return toJobError(err, signal, what);
}
