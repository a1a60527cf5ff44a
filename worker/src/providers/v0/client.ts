import { setTimeout as sleep } from 'node:timers/promises';
import { OutboundError, fetchWithTimeout, parseRetryAfter, parseV0ErrorBody, readBody } from '@orchestrator/shared';

export { parseRetryAfter };

/*
 * The v0 Platform API v1, the calls a site job needs, with `Authorization: Bearer <V0_API_KEY>` and
 * v0's `{error:{message,type}}` envelope turned into V0ApiError. Written on fetch rather than through
 * v0-sdk 0.8.0, whose fetcher throws a bare `Error("HTTP <status>: <body>")` that drops the response
 * headers (no Retry-After), takes no AbortSignal or timeout, falls back to process.env.V0_API_KEY,
 * types only the retired v0-1.5-* model ids and leaves `metadata` out of create and find. The request
 * and response shapes are the SDK's (the same JSON, per v0-platform-openapi-v1.json).
 *
 * 429 waits (Retry-After when v0 sends one, else exponential backoff) and tries again a bounded number
 * of times; reads (GET) also ride out brief 5xx and network trouble. A POST is never repeated after a
 * 5xx or a broken connection: v0 may already have started the generation.
 */

export interface V0File {
  name: string;
  content: string;
}

export interface V0Version {
  id: string;
  status: 'pending' | 'completed' | 'failed';
  demoUrl?: string;
  screenshotUrl?: string;
  createdAt: string;
  updatedAt?: string;
  files?: V0File[];
}

export interface V0Message {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  finishReason?: string;
}

export interface V0ChatSummary {
  id: string;
  name?: string;
  webUrl: string;
  createdAt: string;
  updatedAt?: string;
  latestVersion?: V0Version;
  metadata?: Record<string, string>;
}

export interface V0Chat extends V0ChatSummary {
  text?: string;
  /** The deprecated preview URL; `latestVersion.demoUrl` comes first. */
  demo?: string;
  messages: V0Message[];
  modelConfiguration?: { modelId?: string };
}

/** deployments.create's answer (DeploymentDetail). */
export interface V0Deployment {
  id: string;
  webUrl: string;
  inspectorUrl?: string;
  projectId?: string;
}

export interface V0VersionPage {
  data: V0Version[];
  nextCursor?: string;
}

export interface GenerationInput {
  message: string;
  system?: string;
  modelId?: string;
  /** Pictures sent with the message: each `url` an http(s) URL or a data URI. */
  attachments?: { url: string }[];
}

export class V0ApiError extends Error {
  override readonly name = 'V0ApiError';
  constructor(
    /** HTTP status; 0 when no answer came (unreachable, timeout, broken connection). */
    readonly status: number,
    message: string,
    readonly v0Message?: string,
    readonly v0Type?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface V0ClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  /** Extra tries after a 429 (and, for reads, after a 5xx or network error). */
  maxRetries?: number;
  /** First backoff when v0 gives no Retry-After; doubles per try. */
  retryBaseMs?: number;
  /** A Retry-After longer than this is not waited out: the call fails at once. */
  maxRetryAfterMs?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function badResponse(what: string): V0ApiError {
  return new V0ApiError(200, `v0 sent an answer that could not be read (${what})`);
}

function chatOf(json: unknown): V0Chat {
  if (!isObject(json) || typeof json.id !== 'string' || typeof json.webUrl !== 'string') throw badResponse('no chat id or webUrl');
  return { ...(json as unknown as V0Chat), messages: Array.isArray(json.messages) ? (json.messages as V0Message[]) : [] };
}

function versionOf(json: unknown): V0Version {
  if (!isObject(json) || typeof json.id !== 'string' || typeof json.status !== 'string') throw badResponse('no version id or status');
  return json as unknown as V0Version;
}

export class V0Client {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly o: V0ClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.maxRetries = o.maxRetries ?? 3;
    this.retryBaseMs = o.retryBaseMs ?? 2000;
    this.maxRetryAfterMs = o.maxRetryAfterMs ?? 60_000;
  }

  /** `responseMode: "async"`: answers at once with the chat and its version still pending. */
  async createChat(input: GenerationInput & { metadata?: Record<string, string> }, signal?: AbortSignal): Promise<V0Chat> {
    return chatOf(await this.call('POST', '/chats', signal, { ...this.generation(input), ...(input.metadata ? { metadata: input.metadata } : {}) }));
  }

  async sendMessage(chatId: string, input: GenerationInput, signal?: AbortSignal): Promise<V0Chat> {
    return chatOf(await this.call('POST', `/chats/${encodeURIComponent(chatId)}/messages`, signal, this.generation(input)));
  }

  async getChat(chatId: string, signal?: AbortSignal): Promise<V0Chat> {
    return chatOf(await this.call('GET', `/chats/${encodeURIComponent(chatId)}`, signal));
  }

  /** One page of the user's chats, newest first. v0 pages by offset and says nothing of a total. */
  async findChats(q: { limit: number; offset: number; metadata?: Record<string, string> }, signal?: AbortSignal): Promise<V0ChatSummary[]> {
    const params = new URLSearchParams({ limit: String(q.limit), offset: String(q.offset) });
    for (const [k, v] of Object.entries(q.metadata ?? {})) params.set(`metadata[${k}]`, v);
    const json = await this.call('GET', `/chats?${params}`, signal);
    if (!isObject(json) || !Array.isArray(json.data)) throw badResponse('no chat list');
    return (json.data as unknown[]).filter((c): c is V0ChatSummary => isObject(c) && typeof c.id === 'string' && typeof c.webUrl === 'string');
  }

  /** A page of a chat's versions, newest first. */
  async findVersions(chatId: string, q: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<V0VersionPage> {
    const params = new URLSearchParams({ limit: String(q.limit), ...(q.cursor ? { cursor: q.cursor } : {}) });
    const json = await this.call('GET', `/chats/${encodeURIComponent(chatId)}/versions?${params}`, signal);
    if (!isObject(json) || !Array.isArray(json.data)) throw badResponse('no version list');
    const pagination = isObject(json.pagination) ? json.pagination : {};
    const next = pagination.hasMore === true && typeof pagination.nextCursor === 'string' ? pagination.nextCursor : undefined;
    return { data: (json.data as unknown[]).map(versionOf), ...(next ? { nextCursor: next } : {}) };
  }

  async getVersion(chatId: string, versionId: string, signal?: AbortSignal): Promise<V0Version> {
    return versionOf(await this.call('GET', `/chats/${encodeURIComponent(chatId)}/versions/${encodeURIComponent(versionId)}`, signal));
  }

  /** deployments.create: deploys a version to Vercel. One POST, never repeated after a 5xx (it may have started). */
  async createDeployment(chatId: string, versionId: string, signal?: AbortSignal): Promise<V0Deployment> {
    const json = await this.call('POST', '/deployments', signal, { chatId, versionId });
    if (!isObject(json) || typeof json.id !== 'string' || typeof json.webUrl !== 'string') throw badResponse('no deployment id or webUrl');
    return {
      id: json.id,
      webUrl: json.webUrl,
      ...(typeof json.inspectorUrl === 'string' ? { inspectorUrl: json.inspectorUrl } : {}),
      ...(typeof json.projectId === 'string' ? { projectId: json.projectId } : {}),
    };
  }

  /**
   * chats.stop: stops the generation of an in-flight assistant message. One try and no retries, since it
   * runs on a cancel, which must not wait on v0; `signal` bounds it. 409 means the message was not being
   * generated (any more).
   */
  async stopMessage(chatId: string, messageId: string, signal: AbortSignal): Promise<void> {
    const json = await this.once('POST', `/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(messageId)}/stop`, signal);
    if (!isObject(json) || json.success !== true) throw badResponse('no success: true');
  }

  private generation(input: GenerationInput): Record<string, unknown> {
    return {
      message: input.message,
      ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      ...(input.system ? { system: input.system } : {}),
      ...(input.modelId ? { modelConfiguration: { modelId: input.modelId } } : {}),
      responseMode: 'async',
    };
  }

  private async call(method: 'GET' | 'POST', path: string, signal: AbortSignal | undefined, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, signal, body);
      } catch (err) {
        if (!(err instanceof V0ApiError) || signal?.aborted) throw err;
        const retriable = err.status === 429 || (method === 'GET' && (err.status === 0 || err.status >= 500));
        if (!retriable || attempt >= this.maxRetries) throw err;
        const backoff = this.retryBaseMs * 2 ** attempt;
        const wait = err.retryAfterMs ?? backoff;
        if (wait > this.maxRetryAfterMs) throw err;
        await sleep(wait, undefined, signal ? { signal } : {});
      }
    }
  }

  private async once(method: string, path: string, signal: AbortSignal | undefined, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetchWithTimeout(
        this.base + path,
        {
          method,
          headers: {
            authorization: `Bearer ${this.o.apiKey}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        },
        { timeoutMs: this.timeoutMs, signal },
      );
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err; // the caller's own abort
      throw new V0ApiError(0, `v0 could not be reached (${err.kind === 'timeout' ? err.message : err.fetchMessage})`);
    }
    const { text, json } = await readBody(res);
    if (!res.ok) {
      const { message, type } = parseV0ErrorBody(text);
      const retryAfterMs = res.status === 429 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
      throw new V0ApiError(res.status, `v0 answered ${res.status}${message ? `: ${message}` : ''}`, message, type, retryAfterMs);
    }
    if (json === undefined) throw badResponse('not JSON');
    return json;
  }
}
