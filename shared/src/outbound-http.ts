import type { Static, TSchema } from 'typebox';
import type { CheckedSchema } from './validate.js';

/*
 * The small core every outbound HTTP call shares: one timeout per call combined with the caller's
 * AbortSignal, a failure before any answer told apart as timeout / unreachable / network (one
 * classifier, whichever transport failed), Retry-After read as milliseconds, the body read as text and
 * JSON, and JSON checked against a TypeBox schema. Each client keeps its own error class and messages
 * and maps an OutboundError onto them.
 *
 * fetchWithTimeout is the transport of the BFL and v0 clients and the server's v0 chat list. The
 * worker's ComfyUI client keeps node:http with a keep-alive agent (its calls sit on every job's path,
 * where fetch's WHATWG layers were measured to cost more per call; see its header) and uses the pieces
 * around it: callSignal, classifyFailure, parseJsonText, checkJson.
 */

/** Why no answer came: `timeout` ours ran out; `unreachable` the connection never opened (nothing was sent); `network` it broke. */
export type OutboundFailure = 'timeout' | 'unreachable' | 'network';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly kind: OutboundFailure,
    /** The socket error code (ECONNREFUSED…) or the transport's message. */
    readonly detail: string,
    readonly timeoutMs: number,
    /** The transport's own message (fetch's "fetch failed", node's "connect ECONNREFUSED …"). */
    readonly fetchMessage: string = detail,
  ) {
    super(kind === 'timeout' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : detail);
  }
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The signals of one call: its own timeout, and that combined with the caller's signal (cancel, shutdown). */
export function callSignal(timeoutMs: number, caller?: AbortSignal): { signal: AbortSignal; timeout: AbortSignal } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: caller ? AbortSignal.any([caller, timeout]) : timeout, timeout };
}

interface TransportError {
  code?: unknown;
  message?: unknown;
  errors?: { code?: unknown }[];
  cause?: { code?: unknown; errors?: { code?: unknown }[] };
}

/**
 * What a call's failure before a whole answer was: null when the caller aborted (theirs to handle),
 * else an OutboundError. Reads fetch's errors (the socket code in `cause`) and node:http's (the code on
 * the error itself, or on the first of an AggregateError's) alike.
 */
export function classifyFailure(err: unknown, call: { timeout: AbortSignal; timeoutMs: number; caller?: AbortSignal | undefined }): OutboundError | null {
  if (call.caller?.aborted) return null;
  const e = (typeof err === 'object' && err !== null ? err : {}) as TransportError;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (call.timeout.aborted) return new OutboundError('timeout', 'timeout', call.timeoutMs, message);
  const code = [e.code, e.errors?.[0]?.code, e.cause?.code, e.cause?.errors?.[0]?.code].find((c): c is string => typeof c === 'string');
  const kind = code !== undefined && CONNECT_CODES.has(code) ? 'unreachable' : 'network';
  return new OutboundError(kind, code ?? message, call.timeoutMs, message);
}

/**
 * fetch with a timeout of its own. The caller's abort (cancel, shutdown) is rethrown as it came, for the
 * caller to handle; any other failure before an answer becomes an OutboundError.
 */
export async function fetchWithTimeout(url: string, init: RequestInit, o: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<Response> {
  const { signal, timeout } = callSignal(o.timeoutMs, o.signal);
  try {
    return await fetch(url, { ...init, signal });
  } catch (err) {
    throw classifyFailure(err, { timeout, timeoutMs: o.timeoutMs, caller: o.signal }) ?? err;
  }
}

/** Retry-After in seconds or as an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `text` as JSON, or undefined when it is none (an empty body included). */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The body as text and, when it parses, as JSON (undefined otherwise); a body that breaks off reads as ''. */
export async function readBody(res: Response): Promise<{ text: string; json: unknown }> {
  const text = await res.text().catch(() => '');
  return { text, json: parseJsonText(text) };
}

/** `value` as the schema's type (compiled with `checked`), or its first problem (`/path: message`). */
export function checkJson<T extends TSchema>(schema: CheckedSchema<T>, value: unknown): { ok: true; value: Static<T> } | { ok: false; problem: string } {
  if (schema.check(value)) return { ok: true, value };
  const first = schema.errors(value, 1)[0];
  return { ok: false, problem: first ? `${first.path}: ${first.message}` : 'does not match' };
}
