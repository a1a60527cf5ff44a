/*
 * The errors a route may raise on purpose. Each carries an HTTP status and a machine-readable code;
 * the message is written for the person who will read it in the UI. Anything else that reaches the
 * error handler is unexpected and answered 500 `internal_error` without details.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);
export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `No ${what} with id "${id}"`);
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);

/** Redis did not answer: the request may succeed later, so 503 rather than 500. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}
