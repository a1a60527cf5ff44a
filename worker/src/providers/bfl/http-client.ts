import { BflCreditsAnswer, BflPollAnswer, BflSubmitAnswer, OutboundError, checkJson, checked, fetchWithTimeout, parseRetryAfter, readBody } from '@orchestrator/shared';

export { parseRetryAfter };

/*
 * The BFL FLUX HTTP API, and nothing else: submit (`POST {base}/v1/<model>`), poll (`GET <polling_url>`,
 * used exactly as returned), download the signed `result.sample`, read the credit balance. Every call
 * has its own timeout; every failure becomes a BflError whose kind says what the caller may do next.
 * The key travels only in the `x-key` header and only to hosts we trust with it; it is never part of
 * a message, a URL or a log line.
 */

export type BflErrorKind =
  | 'auth' // 401/403: the key is wrong or missing
  | 'credits' // 402
  | 'rate_limited' // 429: rejected, so not billed; safe to try again later
  | 'invalid' // 422 (or another 4xx): our request is wrong
  | 'not_found' // 404
  | 'server' // 5xx: on a submit the task may exist and be billed
  | 'timeout' // no answer in time: the same uncertainty as a 5xx on a submit
  | 'unreachable' // the connection never opened: nothing was sent
  | 'network' // the connection broke mid-request
  | 'bad_response' // 2xx with a body we cannot use
  | 'untrusted_host'; // a polling_url outside the hosts we send the key to

/** What each kind means to the person reading the job's error; `{status}`, `{detail}` are filled in. */
export const BFL_ERROR_MESSAGES: Readonly<Record<BflErrorKind, string>> = {
  auth: 'the FLUX API key is invalid (BFL answered {status}); check BFL_API_KEY',
  credits: 'out of credits: the BFL account cannot pay for this image (top up at dashboard.bfl.ai)',
  rate_limited: 'FLUX is at its concurrency limit (BFL answered 429)',
  invalid: 'BFL rejected the request: {detail}',
  not_found: 'BFL does not know this task or endpoint ({detail})',
  server: 'BFL had a server error ({status})',
  timeout: 'BFL did not answer in time',
  unreachable: 'BFL could not be reached ({detail})',
  network: 'the connection to BFL broke ({detail})',
  bad_response: 'BFL sent an answer that could not be read ({detail})',
  untrusted_host: 'BFL returned a polling URL on an unexpected host ({detail}); the API key was not sent there',
};

const SUBMIT_ANSWER = checked(BflSubmitAnswer);
const POLL_ANSWER = checked(BflPollAnswer);
const CREDITS_ANSWER = checked(BflCreditsAnswer);

const KIND_BY_STATUS: Readonly<Record<number, BflErrorKind>> = { 401: 'auth', 403: 'auth', 402: 'credits', 404: 'not_found', 422: 'invalid', 429: 'rate_limited' };

export class BflError extends Error {
  override readonly name = 'BflError';
  constructor(
    readonly kind: BflErrorKind,
    message: string,
    readonly status?: number,
    /** From a 429's Retry-After header (seconds or an HTTP date), when present. */
    readonly retryAfterMs?: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

function bflError(kind: BflErrorKind, fill: { status?: number; detail?: string }, extra: { retryAfterMs?: number; requestId?: string } = {}): BflError {
  const message = BFL_ERROR_MESSAGES[kind].replace('{status}', String(fill.status ?? '?')).replace('{detail}', fill.detail ?? 'no details');
  return new BflError(kind, message, fill.status, extra.retryAfterMs, extra.requestId);
}

/** BFL error bodies: `{detail: string}`, FastAPI's `{detail: [{loc, msg}]}`, or `message`/`error`. */
export function errorDetail(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.detail === 'string') return b.detail.slice(0, 300);
  if (Array.isArray(b.detail)) {
    return b.detail
      .map((d: { loc?: unknown; msg?: unknown }) => `${Array.isArray(d?.loc) ? d.loc.filter((l) => l !== 'body').join('.') : '?'}: ${String(d?.msg)}`)
      .join('; ')
      .slice(0, 300);
  }
  for (const k of ['message', 'error']) if (typeof b[k] === 'string') return (b[k] as string).slice(0, 300);
  return undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The x-key goes to BFL's own hosts only: https under bfl.ai, the configured base host, or loopback when the base is loopback (a fake). */
export function trustedHost(url: URL, base: URL): boolean {
  if (url.protocol === 'https:' && (url.hostname === 'bfl.ai' || url.hostname.endsWith('.bfl.ai'))) return true;
  if (url.protocol !== base.protocol && url.protocol !== 'https:') return false;
  if (url.hostname === base.hostname) return true;
  return LOOPBACK.has(url.hostname) && LOOPBACK.has(base.hostname);
}

export interface BflTimeouts {
  submitMs: number;
  pollMs: number;
  downloadMs: number;
}

export interface SubmitResult {
  id: string;
  pollingUrl: string;
}

export interface PollResult {
  status: string;
  progress: number | null;
  /** `result.sample` etc. when Ready; the sample URL must be fetched at once and never kept. */
  result: { sample?: unknown; seed?: unknown } | null;
}

export class BflHttpClient {
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
    private readonly timeouts: BflTimeouts = { submitMs: 30_000, pollMs: 15_000, downloadMs: 60_000 },
  ) {
    this.base = new URL(baseUrl.replace(/\/+$/, '') + '/');
  }

  async submit(model: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<SubmitResult> {
    const json = await this.json('POST', new URL(`v1/${model}`, this.base), this.timeouts.submitMs, signal, JSON.stringify(body));
    const j = checkJson(SUBMIT_ANSWER, json);
    if (!j.ok || !URL.canParse(j.value.polling_url)) {
      throw bflError('bad_response', { status: 200, detail: 'no id or polling_url in the submit answer' });
    }
    return { id: j.value.id, pollingUrl: j.value.polling_url };
  }

  /** One look at a task, at exactly the polling_url BFL gave (never rebuilt: it names the cluster that has it). */
  async poll(pollingUrl: string, signal?: AbortSignal): Promise<PollResult> {
    const url = new URL(pollingUrl);
    if (!trustedHost(url, this.base)) throw bflError('untrusted_host', { detail: url.host });
    const answer = checkJson(POLL_ANSWER, await this.json('GET', url, this.timeouts.pollMs, signal));
    if (!answer.ok) throw bflError('bad_response', { status: 200, detail: 'no status in the poll answer' });
    const json = answer.value;
    const result = typeof json.result === 'object' && json.result !== null ? (json.result as PollResult['result']) : null;
    return { status: json.status, progress: typeof json.progress === 'number' ? json.progress : null, result };
  }

  /** The bytes behind a signed sample URL (no key: the URL carries its own signature). */
  async download(url: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.fetch(url, { method: 'GET', redirect: 'follow' }, this.timeouts.downloadMs, signal);
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw this.statusError(res, undefined);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw bflError('bad_response', { detail: `result larger than ${maxBytes} bytes` });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > maxBytes) throw bflError('bad_response', { detail: `result larger than ${maxBytes} bytes` });
    return bytes;
  }

  async credits(signal?: AbortSignal): Promise<number> {
    const answer = checkJson(CREDITS_ANSWER, await this.json('GET', new URL('v1/credits', this.base), this.timeouts.pollMs, signal));
    if (!answer.ok) throw bflError('bad_response', { status: 200, detail: 'no credits in the answer' });
    return answer.value.credits;
  }

  private async json(method: string, url: URL, timeoutMs: number, signal: AbortSignal | undefined, body?: string): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-key': this.apiKey };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetch(url.href, { method, headers, ...(body !== undefined ? { body } : {}) }, timeoutMs, signal);
    const { json: parsed } = await readBody(res);
    if (!res.ok) throw this.statusError(res, parsed);
    if (parsed === undefined) throw bflError('bad_response', { status: res.status, detail: 'not JSON' });
    return parsed;
  }

  private statusError(res: Response, body: unknown): BflError {
    const kind: BflErrorKind = KIND_BY_STATUS[res.status] ?? (res.status >= 500 ? 'server' : 'invalid');
    const requestId = res.headers.get('x-request-id') ?? res.headers.get('x-trace-id') ?? res.headers.get('cf-ray') ?? undefined;
    const retryAfterMs = kind === 'rate_limited' ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
    const detail = errorDetail(body) ?? `HTTP ${res.status}`;
    return bflError(kind, { status: res.status, detail }, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...(requestId ? { requestId } : {}) });
  }

  private async fetch(url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined): Promise<Response> {
    try {
      // No redirects by default: a redirect would carry the x-key to wherever it points.
      return await fetchWithTimeout(url, { redirect: 'error', ...init }, { timeoutMs, signal });
    } catch (err) {
      // The caller's own abort (cancel, shutdown) passes through: it handles that.
      if (!(err instanceof OutboundError)) throw err;
      throw err.kind === 'timeout' ? bflError('timeout', {}) : bflError(err.kind, { detail: err.detail });
    }
  }
}
