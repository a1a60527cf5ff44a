import { ApiError, errorMessage } from '../api/client';

/** The sentence a failed login shows: what went wrong and what to do, not the HTTP status. */
export function loginProblem(err: unknown): string {
  if (!(err instanceof ApiError)) return errorMessage(err);
  if (err.code === 'rate_limited') {
    const sec = (err.details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec;
    return typeof sec === 'number' ? `Too many attempts: try again in ${Math.max(1, Math.ceil(sec / 60))} min.` : err.message;
  }
  if (err.code === 'invalid_credentials') return 'Wrong user name or password.';
  if (err.fieldErrors.some((f) => f.path === '/username')) return 'A user name has only letters, digits and _ . @ -';
  return err.message;
}
