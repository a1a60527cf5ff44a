import type { Static, TSchema } from 'typebox';
import type { CheckedSchema } from './validate.js';

/*
 * The small core every outbound HTTP call shares (the BFL and v0 clients in the worker, the server's v0
 * chat list): one timeout per call combined with the caller's AbortSignal, a failure before any answer
 * told apart as timeout / unreachable / network, Retry-After read as milliseconds, the body read as
 * text and JSON, and JSON checked against a TypeBox schema. Each client keeps its own error class and
 * messages and maps an OutboundError onto them.
 */

/** Why no answer came: `timeout` ours ran out; `unreachable` the connection never opened (nothing was sent); `network` it broke. */
export type OutboundFailure = 'timeout' | 'unreachable' | 'network';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly kind: OutboundFailure,
    /** The socket error code (ECONNREFUSED…) or the fetch message. */
    readonly detail: string,
    readonly timeoutMs: number,
    /** fetch's own message ("fetch failed"). */
    readonly fetchMessage: string = detail,
  ) {
    super(kind === 'timeout' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : detail);
  }
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * fetch with a timeout of its own. The caller's abort (cancel, shutdown) is rethrown as it came, for the
 * caller to handle; any other failure before an answer becomes an OutboundError.
 */
export async function fetchWithTimeout(url: string, init: RequestInit, o: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<Response> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  try {
    return await fetch(url, { ...init, signal });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    const fetchMessage = (err as Error).message;
    if (timeout.aborted) throw new OutboundError('timeout', 'timeout', o.timeoutMs, fetchMessage);
    const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code;
    const kind = typeof code === 'string' && CONNECT_CODES.has(code) ? 'unreachable' : 'network';
    throw new OutboundError(kind, typeof code === 'string' ? code : fetchMessage, o.timeoutMs, fetchMessage);
  }
}

/** Retry-After in seconds or as an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The body as text and, when it parses, as JSON (undefined otherwise); a body that breaks off reads as ''. */
export async function readBody(res: Response): Promise<{ text: string; json: unknown }> {
  const text = await res.text().catch(() => '');
  if (text === '') return { text, json: undefined };
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return { text, json: undefined };
  }
}

/** `value` as the schema's type (compiled with `checked`), or its first problem (`/path: message`). */
export function checkJson<T extends TSchema>(schema: CheckedSchema<T>, value: unknown): { ok: true; value: Static<T> } | { ok: false; problem: string } {
  if (schema.check(value)) return { ok: true, value };
  const first = schema.errors(value, 1)[0];
  return { ok: false, problem: first ? `${first.path}: ${first.message}` : 'does not match' };
}
