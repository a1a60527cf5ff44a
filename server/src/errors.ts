import { errorStatus, type CodeWithStatus, type ErrorCode } from '@orchestrator/shared';

/*
 * The errors a route may raise on purpose. Each carries a machine-readable code from the shared
 * registry (shared/src/error-codes.ts), which also gives its HTTP status; the message is written for the
 * person who will read it in the UI. Anything else that reaches the error handler is unexpected and
 * answered 500 `internal_error` without details.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Headers the answer carries besides the body (Retry-After, Content-Range, Upgrade). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.statusCode = errorStatus(code);
  }
}

export const badRequest = (code: CodeWithStatus<400>, message: string, details?: unknown) => new HttpError(code, message, details);
export const notFound = (what: string, id: string) => new HttpError('not_found', `No ${what} with id "${id}"`);
export const conflict = (code: CodeWithStatus<409>, message: string, details?: unknown) => new HttpError(code, message, details);

/** Redis did not answer: the request may succeed later, so 503 rather than 500. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}
