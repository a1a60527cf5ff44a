import { createWriteStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { buffer as readAll } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import {
  ComfySubmitAnswer,
  backendEndpoint,
  callSignal,
  checkJson,
  checked,
  classifyFailure,
  isDiskFull,
  parseJsonText,
  type OutboundError,
} from '@orchestrator/shared';

/*
 * The ComfyUI HTTP API as this worker uses it (see shared/protocols/comfyui.md §1). Every call has a
 * timeout, and every failure becomes a ComfyHttpError whose `code` says what kind of failure it was:
 * the provider only needs to tell "backend unreachable" from "backend answered with an error".
 *
 * node:http with a keep-alive agent rather than fetch: a job makes several calls (submit, history,
 * view) and fetch's WHATWG layers cost a few hundred microseconds more per call on the job's path
 * (measured by the jobs benchmark when this moved off fetch). So this client is not a fetchWithTimeout
 * user like BFL and v0; around its own transport it takes the rest of the shared outbound core
 * (shared/src/outbound-http.ts): each call's timeout and the caller's abort (callSignal), one
 * classification of what went wrong before an answer (classifyFailure: the same timeout / unreachable
 * / network as every other client, kept as the error's `cause`), JSON reading, and the submit answer
 * checked against its TypeBox schema.
 */

export type ComfyHttpErrorCode = 'unreachable' | 'timeout' | 'aborted' | 'http_status' | 'bad_response';

export class ComfyHttpError extends Error {
  override readonly name = 'ComfyHttpError';
  constructor(
    readonly code: ComfyHttpErrorCode,
    message: string,
    readonly status?: number,
    /** Parsed JSON body of an error response, when there was one. */
    readonly body?: unknown,
    /** How the shared outbound core classified a failure before any answer (timeout, unreachable, network). */
    cause?: OutboundError,
  ) {
    super(message, cause ? { cause } : undefined);
  }
  /** True when the backend could not be reached at all (retry later, the GPU box may be rebooting). */
  get unreachable(): boolean {
    return this.code === 'unreachable' || this.code === 'timeout';
  }
}

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: string;
}

export interface NodeOutput {
  images?: ImageRef[];
  /** VideoHelperSuite's VHS_VideoCombine (a common custom node in video workflows) reports its files here. */
  gifs?: ImageRef[];
  [key: string]: unknown;
}

export interface HistoryEntry {
  /** `[number, prompt_id, graph, extra_data, outputs_to_execute]` */
  prompt?: unknown[];
  outputs?: Record<string, NodeOutput>;
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

export interface QueueItem {
  number: number;
  promptId: string;
  graph: Record<string, unknown> | undefined;
  clientId: string | undefined;
}

export interface QueueState {
  running: QueueItem[];
  pending: QueueItem[];
}

export interface SubmitBody {
  prompt: Record<string, unknown>;
  client_id: string;
  prompt_id: string;
  extra_data?: Record<string, unknown>;
}

export type SubmitResponse = ComfySubmitAnswer;

const SUBMIT_ANSWER = checked(ComfySubmitAnswer);

export interface SystemStats {
  system?: {
    comfyui_version?: string;
    argv?: unknown[];
    simulated?: boolean;
    [key: string]: unknown;
  };
  devices?: { name?: string; type?: string; vram_total?: number; vram_free?: number }[];
}

export interface ClientTimeouts {
  /** Quick calls (history, queue, interrupt, probes). */
  requestMs: number;
  /** POST /prompt (validation can take a moment on a busy server). */
  submitMs: number;
  /** A whole /view download. */
  downloadMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { requestMs: 5000, submitMs: 30000, downloadMs: 120000 };

interface RequestOptions {
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseQueueItem(raw: unknown): QueueItem | null {
  if (!Array.isArray(raw) || typeof raw[1] !== 'string') return null;
  const extra = isRecord(raw[3]) ? raw[3] : {};
  return {
    number: typeof raw[0] === 'number' ? raw[0] : 0,
    promptId: raw[1],
    graph: isRecord(raw[2]) ? raw[2] : undefined,
    clientId: typeof extra.client_id === 'string' ? extra.client_id : undefined,
  };
}

/** One call's signals: the timeout alone (to tell it from the caller's abort) and both combined. */
interface Call {
  signal: AbortSignal;
  timeout: AbortSignal;
  timeoutMs: number;
  caller: AbortSignal | undefined;
}

interface RawResponse {
  status: number;
  contentType: string | null;
  body: IncomingMessage;
}

export class ComfyHttpClient {
  readonly baseUrl: string;
  private readonly timeouts: ClientTimeouts;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  /** `Basic …` for a backend whose configured URL carries credentials (never part of baseUrl). */
  readonly authorization: string | undefined;

  constructor(configuredUrl: string, timeouts: Partial<ClientTimeouts> = {}) {
    const endpoint = backendEndpoint(configuredUrl);
    this.baseUrl = endpoint.url;
    this.authorization = endpoint.authorization;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
    this.transport = new URL(this.baseUrl).protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  async systemStats(opts: RequestOptions = {}): Promise<SystemStats> {
    const body = await this.json('GET', '/system_stats', opts);
    return isRecord(body) ? (body as SystemStats) : {};
  }

  /** `{ClassName: info}` for one node class; `{}` when the server does not know it. */
  async objectInfo(className: string, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    const body = await this.json('GET', `/object_info/${encodeURIComponent(className)}`, opts);
    return isRecord(body) ? body : {};
  }

  /** `GET /models`: the model folder keys the server knows (core ones plus those custom nodes register). */
  async modelFolders(opts: RequestOptions = {}): Promise<string[]> {
    const body = await this.json('GET', '/models', opts);
    return Array.isArray(body) ? body.filter((v): v is string => typeof v === 'string') : [];
  }

  /** `GET /models/{folder}`: the folder's files, relative paths in the server's OS spelling. Unknown folder → 404 error. */
  async modelFiles(folder: string, opts: RequestOptions = {}): Promise<string[]> {
    const body = await this.json('GET', `/models/${encodeURIComponent(folder)}`, opts);
    return Array.isArray(body) ? body.filter((v): v is string => typeof v === 'string') : [];
  }

  /** `queue_remaining` from `GET /prompt` (pending + running on the server). */
  async queueRemaining(opts: RequestOptions = {}): Promise<number | undefined> {
    const body = await this.json('GET', '/prompt', opts);
    const info = isRecord(body) && isRecord(body.exec_info) ? body.exec_info : undefined;
    return typeof info?.queue_remaining === 'number' ? info.queue_remaining : undefined;
  }

  /**
   * `POST /prompt`. A 400 is thrown as ComfyHttpError('http_status', status 400, body = the error
   * envelope with `node_errors`); the caller turns it into a message naming the node and input.
   */
  async submit(body: SubmitBody, opts: RequestOptions = {}): Promise<SubmitResponse> {
    const answer = checkJson(SUBMIT_ANSWER, await this.json('POST', '/prompt', { timeoutMs: this.timeouts.submitMs, ...opts, body }));
    if (!answer.ok) throw new ComfyHttpError('bad_response', `ComfyUI answered POST /prompt without a prompt_id (${answer.problem})`);
    return answer.value;
  }

  /** The finished entry for a prompt, or null while it is pending, running, unknown or deleted. */
  async history(promptId: string, opts: RequestOptions = {}): Promise<HistoryEntry | null> {
    const body = await this.json('GET', `/history/${encodeURIComponent(promptId)}`, opts);
    if (!isRecord(body)) return null;
    const entry = body[promptId];
    return isRecord(entry) ? (entry as HistoryEntry) : null;
  }

  async queue(opts: RequestOptions = {}): Promise<QueueState> {
    const body = await this.json('GET', '/queue', opts);
    const list = (v: unknown) => (Array.isArray(v) ? v.map(parseQueueItem).filter((i): i is QueueItem => i !== null) : []);
    return isRecord(body) ? { running: list(body.queue_running), pending: list(body.queue_pending) } : { running: [], pending: [] };
  }

  /** Interrupts `promptId` if it is the one running (a no-op otherwise). Never pass the job's aborted signal. */
  async interrupt(promptId: string, opts: RequestOptions = {}): Promise<void> {
    await this.request('POST', '/interrupt', { ...opts, body: { prompt_id: promptId } });
  }

  /** Removes pending prompts; cannot touch the running one. */
  async deleteFromQueue(promptIds: string[], opts: RequestOptions = {}): Promise<void> {
    await this.request('POST', '/queue', { ...opts, body: { delete: promptIds } });
  }

  /** Streams `GET /view` for one output into `destPath`; returns the bytes written and the content type. */
  async download(image: ImageRef, destPath: string, opts: RequestOptions = {}): Promise<{ size: number; contentType: string | null }> {
    const { res, call } = await this.view(image, opts);
    let size = 0;
    res.body.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    try {
      await pipeline(res.body, createWriteStream(destPath));
    } catch (err) {
      // Our disk, not the backend: a full one must not read as "backend unreachable" (and be retried into it).
      if (isDiskFull(err)) throw err;
      throw this.mapError(err, `GET /view ${image.filename}`, call);
    }
    return { size, contentType: res.contentType };
  }

  /** `GET /view` for one output, into memory (images: the caller rewrites them anyway). */
  async viewBytes(image: ImageRef, opts: RequestOptions = {}): Promise<{ bytes: Buffer; contentType: string | null }> {
    const { res, call } = await this.view(image, opts);
    try {
      return { bytes: await readAll(res.body), contentType: res.contentType };
    } catch (err) {
      throw this.mapError(err, `GET /view ${image.filename}`, call);
    }
  }

  private async view(image: ImageRef, opts: RequestOptions): Promise<{ res: RawResponse; call: Call }> {
    const q = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type || 'output' });
    const call = this.call(opts, opts.timeoutMs ?? this.timeouts.downloadMs);
    const res = await this.request('GET', `/view?${q.toString()}`, opts, call);
    return { res, call };
  }

  private async json(method: string, path: string, opts: RequestOptions): Promise<unknown> {
    const call = this.call(opts);
    const res = await this.request(method, path, opts, call);
    let text: string;
    try {
      text = (await readAll(res.body)).toString('utf8');
    } catch (err) {
      throw this.mapError(err, `${method} ${path}`, call);
    }
    if (text.trim() === '') return null;
    const json = parseJsonText(text);
    if (json === undefined) throw new ComfyHttpError('bad_response', `${method} ${path}: response is not JSON`, res.status);
    return json;
  }

  /** The signals of one call: its timeout, and the caller's signal when there is one. */
  private call(opts: RequestOptions, timeoutMs = opts.timeoutMs ?? this.timeouts.requestMs): Call {
    return { ...callSignal(timeoutMs, opts.signal), timeoutMs, caller: opts.signal };
  }

  /**
   * One HTTP exchange. Non-2xx responses throw ComfyHttpError('http_status') with the parsed JSON body
   * when there is one. Given `bodyCall` (the call, made by the caller), the caller reads the body under
   * its signal; otherwise the body is drained here.
   */
  private async request(method: string, path: string, opts: RequestOptions, bodyCall?: Call): Promise<RawResponse> {
    const call = bodyCall ?? this.call(opts);
    const what = `${method} ${path.split('?')[0]}`;
    const payload = opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
    let res: RawResponse;
    try {
      res = await this.exchange(method, path, payload, call.signal);
    } catch (err) {
      throw this.mapError(err, what, call);
    }
    if (res.status < 200 || res.status > 299) {
      const text = await readAll(res.body).then(
        (b) => b.toString('utf8'),
        () => '',
      );
      throw new ComfyHttpError('http_status', `${what}: HTTP ${res.status}`, res.status, parseJsonText(text));
    }
    if (!bodyCall) await readAll(res.body).catch(() => undefined);
    return res;
  }

  /** Sends the request and resolves with the response head; a kept-alive socket the server closed meanwhile is retried once for GETs. */
  private exchange(method: string, path: string, payload: string | undefined, signal: AbortSignal, retry = true): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {
        ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        ...(this.authorization ? { authorization: this.authorization } : {}),
      };
      const req = this.transport.request(this.baseUrl + path, { method, headers, agent: this.agent, signal }, (body) => {
        const type = body.headers['content-type'];
        resolve({ status: body.statusCode ?? 0, contentType: typeof type === 'string' ? type : null, body });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (retry && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET' && !signal.aborted) {
          this.exchange(method, path, payload, signal, false).then(resolve, reject);
        } else {
          reject(err);
        }
      });
      req.end(payload);
    });
  }

  /**
   * A failure before a whole answer, as the provider needs it: the caller's abort, our timeout, or the
   * backend out of reach (the shared classifier's `unreachable` and `network` both: either way the GPU box
   * is not answering, retry later).
   */
  private mapError(err: unknown, what: string, call: Call): ComfyHttpError {
    if (err instanceof ComfyHttpError) return err;
    const failure = classifyFailure(err, call);
    if (!failure) return new ComfyHttpError('aborted', `${what}: aborted`);
    if (failure.kind === 'timeout') return new ComfyHttpError('timeout', `${what}: no answer from ${this.baseUrl} in time`, undefined, undefined, failure);
    return new ComfyHttpError('unreachable', `${what}: ${this.baseUrl} unreachable (${failure.detail})`, undefined, undefined, failure);
  }
}
