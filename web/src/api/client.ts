import { isErrorCode, type ApiError as ApiErrorBody, type FieldError } from '@orchestrator/shared';
import { errorKind, type ApiErrorCode, type ErrorKind } from './errorCodes';

export type { ApiErrorCode, ErrorKind } from './errorCodes';

/** An error answer from the API (`{error, message, details?}`), or a network failure (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** What the failure asks of the person (see errorKind). */
  get kind(): ErrorKind {
    return errorKind(this.code);
  }

  /** Validation details as `[{path, message}]`, when the server sent them. */
  get fieldErrors(): FieldError[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldError =>
        typeof d === 'object' && d !== null && typeof (d as FieldError).path === 'string' && typeof (d as FieldError).message === 'string',
    );
  }
}

let onUnauthorized: (() => void) | null = null;

/**
 * Called when an API call answers 401 (team mode: the session ended or was never there), so the auth
 * gate can show the login page. The login routes' own 401 (a wrong password) does not count.
 */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

function noticeStatus(path: string, status: number): void {
  if (status === 401 && !path.startsWith('/api/auth/')) onUnauthorized?.();
}

function isErrorBody(value: unknown): value is Omit<ApiErrorBody, 'error'> & { error?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).message === 'string';
}

/** The code of an error answer: the registry's, or `http_error` for one that is not ours (a proxy's). */
const codeOf = (body: { error?: unknown }): ApiErrorCode => (isErrorCode(body.error) ? body.error : 'http_error');

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** JSON over fetch; every failure becomes an ApiError with a message fit for the UI. */
export async function request<T>(path: string, { method = 'GET', body, signal }: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check that it is running.');
  }
  noticeStatus(path, res.status);
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', `Unexpected response from ${path}`);
    }
  }
  if (!res.ok) {
    if (isErrorBody(json)) throw new ApiError(res.status, codeOf(json), json.message, json.details);
    throw new ApiError(res.status, 'http_error', `${method} ${path} failed: ${res.status} ${res.statusText}`.trim());
  }
  return json as T;
}

/** A non-JSON POST body (a multipart form, a file); failures become ApiErrors like `request`'s. */
async function postRaw<T>(path: string, body: BodyInit, headers: Record<string, string>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { accept: 'application/json', ...headers }, body });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check that it is running.');
  }
  noticeStatus(path, res.status);
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    if (isErrorBody(json)) throw new ApiError(res.status, codeOf(json), json.message, json.details);
    throw new ApiError(res.status, 'http_error', `POST ${path} failed: ${res.status}`);
  }
  return json as T;
}

/** multipart/form-data POST (uploads); the browser sets the boundary. */
export const postForm = <T>(path: string, form: FormData): Promise<T> => postRaw<T>(path, form, {});

/** A file POSTed as the raw body with its own content type (e.g. a workflow JSON or PNG). */
export const postFile = <T>(path: string, file: Blob, contentType: string): Promise<T> => postRaw<T>(path, file, { 'content-type': contentType });

/** GET of a text/plain body (site source files). */
export async function requestText(path: string, signal?: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { signal, headers: { accept: 'text/plain' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check that it is running.');
  }
  noticeStatus(path, res.status);
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, 'http_error', `GET ${path} failed: ${res.status}`);
  return text;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** A readable message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

