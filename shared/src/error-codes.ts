/*
 * Every error code the API answers with (`{error, message, details?}`), each with the one HTTP status it
 * is sent with and a human message saying what it means (the message a response carries is more
 * specific; this one is for clients and the docs). The server's HttpError takes its status from here,
 * so a code can never travel with two statuses, and the web switches on the union exhaustively.
 *
 * Beside it, the codes a job can end with (`job.error.code`): no HTTP status, the same rule of one
 * spelling per meaning.
 */

interface ErrorCodeSpec {
  readonly status: number;
  readonly message: string;
}

export const ERROR_CODES = {
  // 400: the request is wrong; fix it and send again
  validation_failed: { status: 400, message: 'The request does not match the schema of the route, or a value is out of range' },
  bad_request: { status: 400, message: 'The request was refused before it reached the route' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  too_deep: { status: 400, message: 'The JSON body nests deeper than the server reads' },
  invalid_content_length: { status: 400, message: 'Content-Length does not match the body' },
  bad_url: { status: 400, message: 'The URL is not validly encoded' },
  unexpected_body: { status: 400, message: 'The request takes no body' },
  missing_body: { status: 400, message: 'The request needs a body' },
  invalid_path: { status: 400, message: 'The file path is not allowed' },
  invalid_cursor: { status: 400, message: 'The paging cursor is not one this server made for this query' },
  cursor_and_offset: { status: 400, message: 'Send either a cursor or an offset, not both' },
  invalid_date: { status: 400, message: 'A date is neither ISO 8601 nor epoch milliseconds' },
  invalid_date_range: { status: 400, message: '`from` is after `to`' },
  no_login: { status: 400, message: 'This server runs without logins' },
  prompt_required: { status: 400, message: 'The job needs a prompt' },
  template_unsupported: { status: 400, message: 'The template cannot do what was asked' },
  provider_not_configured: { status: 400, message: 'The provider (ComfyUI, FLUX or v0) is not configured on this server' },
  model_unavailable: { status: 400, message: 'No backend has the model' },
  unknown_workflow: { status: 400, message: 'No saved workflow has that id' },
  unknown_folder: { status: 400, message: 'No model folder has that name' },
  invalid_slot: { status: 400, message: 'A value for a slot of the saved workflow is invalid' },
  invalid_slots: { status: 400, message: "The saved workflow's slots are invalid" },
  input_image_required: { status: 400, message: 'The template needs an input image' },
  input_image_not_found: { status: 400, message: 'No upload or gallery asset has the input image id' },
  invalid_multipart: { status: 400, message: 'The multipart body is malformed' },
  missing_file: { status: 400, message: 'The multipart body has no file' },
  too_many_files: { status: 400, message: 'The multipart body has more than one file' },
  unexpected_file_field: { status: 400, message: 'The file is in the wrong multipart field' },
  empty_file: { status: 400, message: 'The file is empty' },
  not_webp: { status: 400, message: 'The body is not a WebP image' },
  checksum_mismatch: { status: 400, message: 'The body does not have the announced SHA-256' },
  invalid_workflow: { status: 400, message: 'The workflow cannot be read, or a backend could not run it (details lists the problems)' },
  // 401, 403: who is asking
  unauthorized: { status: 401, message: 'Log in first, or send an API token' },
  invalid_credentials: { status: 401, message: 'Wrong user name or password' },
  forbidden: { status: 403, message: 'Not allowed for this user, or outside the allowed folder' },
  origin_forbidden: { status: 403, message: 'A page of another site may not use this API' },
  // 404
  not_found: { status: 404, message: 'No such thing' },
  unknown_agent: { status: 404, message: 'No agent has that name' },
  // 409: the request is fine but the state is not
  conflict: { status: 409, message: 'The thing is in a state that does not allow this' },
  already_finished: { status: 409, message: 'The job already finished' },
  not_queued: { status: 409, message: 'The job is no longer queued' },
  not_retryable: { status: 409, message: 'Only failed or cancelled jobs can be retried' },
  not_regenerable: { status: 409, message: 'The asset has no settings to make it again' },
  not_an_image: { status: 409, message: 'The asset is not a still image' },
  not_in_trash: { status: 409, message: 'The thing is not in the trash' },
  thread_deleted: { status: 409, message: 'The chat thread is in the trash' },
  last_admin: { status: 409, message: 'The last admin cannot be removed or demoted' },
  user_exists: { status: 409, message: 'A user has that name already' },
  workflow_limit: { status: 409, message: 'There are as many saved workflows as the server keeps' },
  thumbnail_recipe_mismatch: { status: 409, message: 'The worker makes thumbnails differently from the server' },
  // 413..426: the shape of the exchange
  too_large: { status: 413, message: 'The body, file or answer is larger than the server accepts' },
  image_too_large: { status: 413, message: 'The image has more pixels than the server accepts' },
  uri_too_long: { status: 414, message: 'A path segment is too long' },
  unsupported_media_type: { status: 415, message: 'The content type or file type is not one the route takes' },
  range_not_satisfiable: { status: 416, message: 'The byte range is outside the file' },
  host_not_allowed: { status: 421, message: 'The server does not answer for that host name' },
  upgrade_required: { status: 426, message: 'Connect with a WebSocket client' },
  rate_limited: { status: 429, message: 'Too many requests or attempts: try again later' },
  // 5xx: not the client's fault
  internal_error: { status: 500, message: 'Something went wrong on the server' },
  backend_error: { status: 502, message: 'The ComfyUI backend answered with an error' },
  backend_unreachable: { status: 502, message: 'The ComfyUI backend did not answer' },
  provider_error: { status: 502, message: 'The cloud provider failed or could not be reached' },
  provider_auth: { status: 502, message: "The cloud provider rejected the server's API key" },
  provider_forbidden: { status: 502, message: 'The cloud provider refused access' },
  busy: { status: 503, message: 'The server is busy: try again shortly' },
  thumbnails_busy: { status: 503, message: 'Too many thumbnails are being made: try again shortly' },
  preview_unavailable: { status: 503, message: 'Site previews are off' },
  redis_unavailable: { status: 503, message: 'The job store (Redis) is not reachable' },
  disk_full: { status: 507, message: "The server's disk has no room" },
} as const satisfies Record<string, ErrorCodeSpec>;

/** An error code of the API: the `error` of every error answer. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The status each code is sent with. */
export type ErrorStatus<C extends ErrorCode> = (typeof ERROR_CODES)[C]['status'];

/** The codes sent with status `S` (e.g. `CodeWithStatus<400>`). */
export type CodeWithStatus<S extends number> = { [C in ErrorCode]: ErrorStatus<C> extends S ? C : never }[ErrorCode];

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export function errorStatus(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * The codes a job ends with (`job.error.code`), from the worker, the scheduler and the queue's
 * reconciler. Codes shared with the API mean the same there.
 */
export const JOB_ERROR_CODES = {
  invalid_job: 'The job record cannot be run (malformed, or for another provider)',
  validation_failed: 'The request is invalid for the provider',
  invalid_input: 'The input image is missing or not an image',
  invalid_workflow: 'The saved workflow cannot be run',
  unknown_workflow: 'The saved workflow is gone',
  execution_error: 'The backend or provider failed while running the job',
  interrupted: 'The backend interrupted the prompt',
  no_outputs: 'The job finished without making anything',
  backend_error: 'The ComfyUI backend (or v0) had an internal error',
  internal_error: 'The job could not be run',
  enqueue_failed: 'The job could not be added to the queue',
  removed_externally: 'The job was removed from its queue by another tool',
  request_moderated: 'The provider refused the prompt or input image',
  content_moderated: 'The provider refused the result',
  provider_auth: "The provider rejected the API key",
  provider_forbidden: 'The provider refused access',
  out_of_credits: 'The provider account has no credits left',
  provider_error: 'The provider failed',
  provider_timeout: 'The provider did not finish in time',
  submit_uncertain: 'The provider may or may not have received the job',
  result_expired: "The result's download link expired",
  not_found: 'The site or version is gone',
  conflict: 'The provider is still busy with this chat',
  too_large: 'The request is too large for the provider',
  rate_limited: "The provider's rate limit was reached",
  disk_full: 'The output disk has no room',
} as const satisfies Record<string, string>;

/** A code of `job.error.code`. */
export type JobErrorCode = keyof typeof JOB_ERROR_CODES;

export function isJobErrorCode(value: unknown): value is JobErrorCode {
  return typeof value === 'string' && Object.hasOwn(JOB_ERROR_CODES, value);
}

/** A job's `error`, its code checked against the registry. */
export function jobError(code: JobErrorCode, message: string, details?: unknown): { code: JobErrorCode; message: string; details?: unknown } {
  return details === undefined ? { code, message } : { code, message, details };
}
