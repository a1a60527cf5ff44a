// The v0 Platform API v1 surface of the fake: Bearer auth, chats, messages, versions, rate limits and the
// `{error:{message,type}}` envelope. The browser pages (demo, chat) are in pages.ts.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BodyTooLarge, readBody, sendJson } from '../bfl/http.js';
import { parseAttachment } from './attachments.js';
import { CREATE_CHAT, DEPLOY, FAVORITE, type Rule, SEND_MESSAGE, check } from './schema.js';
import { servePage } from './pages.js';
import type { Chat, GenerationRequest, Store } from './store.js';
import { newId } from './store.js';
import { type Urls, deploymentDetail, chatDetail, chatSummary, messageDetail, messageSummary, versionDetail, versionSummary } from './views.js';

export type ErrorStatus = 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500;
const ERROR_TYPES: Record<ErrorStatus, string> = {
  401: 'unauthorized_error',
  403: 'forbidden_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'payload_too_large_error',
  422: 'unprocessable_entity_error',
  429: 'too_many_requests_error',
  500: 'internal_server_error',
};

export interface V0Faults {
  /** The next generation (create or send message) ends with version status "failed". One-shot. */
  failNext?: boolean;
  /** The next authenticated API request answers 429; `Retry-After` only when retryAfterSec is given. One-shot. */
  status429?: { retryAfterSec?: number } | undefined;
  /** The next authenticated API request answers this error envelope. One-shot. */
  error?: { status: ErrorStatus; message?: string } | undefined;
  /** Reads of a chat that still see its new version "pending" (persistent setting). */
  pendingPolls: number;
  /** The next chats.stop answers this error envelope and stops nothing. One-shot. */
  stopError?: { status: ErrorStatus; message?: string } | undefined;
  /** chats.stop answers only after this long (a slow or hung v0); persistent. */
  stopDelayMs?: number;
  /** The next deployments.create answers this error envelope (e.g. 403 no Vercel integration, 429 plan limit). One-shot. */
  deployError?: { status: ErrorStatus; message?: string } | undefined;
  /** Demo pages (`demoUrl`) answer only after this long (a slow demo host); persistent. */
  demoDelayMs?: number;
}

/** One authenticated chats.stop request as the fake received it, with the status it answered. */
export interface StopCall {
  chatId: string;
  messageId: string;
  status: 200 | ErrorStatus;
  at: number; // ctx.now() when it arrived
}

export interface V0Context {
  apiKey: string;
  freePlanKey: string; // a valid key without API access → 403
  store: Store;
  faults: V0Faults;
  urls: () => Urls;
  syncMs: number;
  maxBodyBytes: number;
  rateLimit: { limit: number; windowMs: number };
  generationTimes: number[];
  stops: StopCall[];
  now: () => number;
}

class ApiError extends Error {
  constructor(readonly status: ErrorStatus, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const fail = (status: ErrorStatus, message: string): never => {
  throw new ApiError(status, message);
};

function authorize(req: IncomingMessage, ctx: V0Context): void {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) fail(401, 'Missing API key. Send "Authorization: Bearer <V0_API_KEY>".');
  const given = Buffer.from(m![1]!.trim());
  const same = (k: string): boolean => given.length === Buffer.byteLength(k) && timingSafeEqual(given, Buffer.from(k));
  if (same(ctx.freePlanKey)) fail(403, 'API access requires a Premium or Team plan.');
  if (!same(ctx.apiKey)) fail(401, 'Invalid API key.');
}

async function body(req: IncomingMessage, ctx: V0Context, rule: Rule): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = (await readBody(req, ctx.maxBodyBytes)).toString('utf8');
  } catch (e) {
    throw e instanceof BodyTooLarge ? new ApiError(413, `Request body exceeds ${ctx.maxBodyBytes} bytes.`) : e;
  }
  let parsed: unknown;
  try {
    parsed = raw === '' ? undefined : JSON.parse(raw);
  } catch {
    fail(422, 'Invalid JSON in request body.');
  }
  const problem = check(parsed, rule);
  if (problem) fail(422, `Invalid request: ${problem}`);
  return parsed as Record<string, unknown>;
}

function findChat(ctx: V0Context, id: string): Chat {
  const chat = ctx.store.chats.get(id);
  if (!chat) fail(404, `Chat not found: ${id}`);
  return ctx.store.settle(chat!);
}

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) fail(422, `Invalid query: ${name} must be an integer between ${min} and ${max}.`);
  return n;
}

/** Cursor pages (`{hasMore, nextCursor?, nextUrl?}`) for versions and messages; the cursor is base64 JSON. */
function cursorPage<T>(items: T[], q: URLSearchParams, pageUrl: string): { data: T[]; pagination: Record<string, unknown> } {
  const limit = intParam(q, 'limit', 20, 1, 150);
  let offset = 0;
  const cursor = q.get('cursor');
  if (cursor !== null) {
    try {
      offset = (JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { offset: number }).offset;
    } catch {
      offset = -1;
    }
    if (!Number.isInteger(offset) || offset < 0) fail(422, 'Invalid query: cursor is not a valid cursor.');
  }
  const data = items.slice(offset, offset + limit);
  const hasMore = offset + limit < items.length;
  if (!hasMore) return { data, pagination: { hasMore } };
  const nextCursor = Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64');
  return { data, pagination: { hasMore, nextCursor, nextUrl: `${pageUrl}?limit=${limit}&cursor=${encodeURIComponent(nextCursor)}` } };
}

function takeGenerationSlot(ctx: V0Context): void {
  const now = ctx.now();
  const recent = ctx.generationTimes.filter((t) => t > now - ctx.rateLimit.windowMs);
  ctx.generationTimes.splice(0, ctx.generationTimes.length, ...recent);
  if (recent.length >= ctx.rateLimit.limit) fail(429, 'Rate limit exceeded. Try again later.');
  ctx.generationTimes.push(now);
}

function generationRequest(ctx: V0Context, b: Record<string, unknown>): GenerationRequest {
  if (b.responseMode === 'experimental_stream') fail(422, 'responseMode "experimental_stream" is not supported by this simulated API.');
  // "URL or data URI": anything else is refused before a generation starts.
  for (const [i, a] of ((b.attachments ?? []) as { url: string }[]).entries()) {
    const parsed = parseAttachment(a.url);
    if (typeof parsed === 'string') fail(422, `Invalid request: body.attachments[${i}].url ${parsed}.`);
  }
  takeGenerationSlot(ctx);
  const outcome = ctx.faults.failNext ? 'failed' : 'completed';
  delete ctx.faults.failNext;
  return {
    message: b.message as string,
    outcome,
    pendingPolls: Math.max(0, ctx.faults.pendingPolls),
    ...(b.attachments ? { attachments: b.attachments as { url: string }[] } : {}),
    ...(b.action ? { action: b.action as { type: 'fix-with-v0' } } : {}),
  };
}

/** Sync mode blocks until the generation is done; async answers at once with the version still pending. */
async function settleForMode(ctx: V0Context, chat: Chat, mode: unknown): Promise<void> {
  if (mode === 'async') return;
  const g = chat.pending;
  await sleep(ctx.syncMs);
  if (chat.pending === g) ctx.store.finish(chat);
}

type Handler = (m: string[], req: IncomingMessage, q: URLSearchParams) => Promise<unknown> | unknown;

function apiRoutes(ctx: V0Context): [string, RegExp, Handler][] {
  const s = ctx.store;
  const u = (): Urls => ctx.urls();
  return [
    ['POST', /^\/chats$/, async (_m, req) => {
      const b = await body(req, ctx, CREATE_CHAT);
      const mc = (b.modelConfiguration ?? {}) as Record<string, unknown>;
      const chat = s.createChat({
        ...generationRequest(ctx, b),
        privacy: (b.chatPrivacy as string | undefined) ?? 'private',
        metadata: (b.metadata as Record<string, string> | undefined) ?? {},
        modelConfiguration: { modelId: (mc.modelId as string | undefined) ?? 'v0-pro', imageGenerations: mc.imageGenerations === true, thinking: mc.thinking === true },
        ...(typeof b.projectId === 'string' ? { projectId: b.projectId } : {}),
      });
      await settleForMode(ctx, chat, b.responseMode);
      return chatDetail(u(), chat, s.userId);
    }],
    ['GET', /^\/chats$/, (_m, _req, q) => {
      const limit = intParam(q, 'limit', 60, 1, 60);
      const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const fav = q.get('isFavorite');
      if (fav !== null && fav !== 'true' && fav !== 'false') fail(422, 'Invalid query: isFavorite must be "true" or "false".');
      const meta = [...q.entries()].flatMap(([k, v]) => { const mk = /^metadata\[(.+)\]$/.exec(k); return mk ? [[mk[1]!, v] as const] : []; });
      const chats = s.list().filter((c) =>
        (fav === null || c.favorite === (fav === 'true')) &&
        (q.get('vercelProjectId') === null) && (q.get('branch') === null) && // the fake links no Vercel projects or git branches
        meta.every(([k, v]) => c.metadata[k] === v));
      // Offset paging with no total and no hasMore: a short page is the only end marker.
      return { object: 'list', data: chats.slice(offset, offset + limit).map((c) => chatSummary(u(), c, s.userId)) };
    }],
    ['GET', /^\/chats\/([^/]+)$/, (m) => chatDetail(u(), s.read(findChat(ctx, m[1]!)), s.userId)],
    ['DELETE', /^\/chats\/([^/]+)$/, (m) => {
      const chat = findChat(ctx, m[1]!);
      s.chats.delete(chat.id);
      return { id: chat.id, object: 'chat', deleted: true };
    }],
    ['PUT', /^\/chats\/([^/]+)\/favorite$/, async (m, req) => {
      const chat = findChat(ctx, m[1]!);
      chat.favorite = (await body(req, ctx, FAVORITE)).isFavorite as boolean;
      return { id: chat.id, object: 'chat', favorited: chat.favorite };
    }],
    ['POST', /^\/chats\/([^/]+)\/messages$/, async (m, req) => {
      const chat = findChat(ctx, m[1]!);
      const b = await body(req, ctx, SEND_MESSAGE);
      if (chat.pending) fail(409, 'A generation is already in progress for this chat. Wait for it to finish.');
      const user = s.sendMessage(chat, generationRequest(ctx, b));
      await settleForMode(ctx, chat, b.responseMode);
      // Observed: an async sendMessage reply does not include the new user message.
      return chatDetail(u(), chat, s.userId, b.responseMode === 'async' ? new Set([user.id]) : undefined);
    }],
    ['GET', /^\/chats\/([^/]+)\/messages$/, (m, _req, q) => {
      const chat = s.read(findChat(ctx, m[1]!));
      const page = cursorPage([...chat.messages].reverse(), q, `${u().api}/chats/${chat.id}/messages`);
      return { object: 'list', data: page.data.map((msg) => messageSummary(u(), msg)), pagination: page.pagination };
    }],
    ['GET', /^\/chats\/([^/]+)\/messages\/([^/]+)$/, (m) => {
      const chat = s.read(findChat(ctx, m[1]!));
      const msg = chat.messages.find((x) => x.id === m[2]);
      return msg ? messageDetail(u(), msg) : fail(404, `Message not found: ${m[2]!}`);
    }],
    ['POST', /^\/chats\/([^/]+)\/messages\/([^/]+)\/stop$/, async (m) => {
      // chats.stop takes no request body in the spec; one sent anyway is ignored.
      const call: StopCall = { chatId: m[1]!, messageId: m[2]!, status: 200, at: ctx.now() };
      ctx.stops.push(call);
      try {
        if (ctx.faults.stopDelayMs) await sleep(ctx.faults.stopDelayMs);
        const forced = ctx.faults.stopError;
        delete ctx.faults.stopError;
        if (forced) fail(forced.status, forced.message ?? `Simulated ${forced.status} error.`);
        const chat = findChat(ctx, m[1]!);
        if (!chat.messages.some((x) => x.id === m[2])) fail(404, `Message not found: ${m[2]!}`);
        // "Stops an in-flight message generation": anything else (a finished answer, a user message) is a
        // conflict with the message's state. The spec lists 409 but does not say when; this is the fake's choice.
        if (s.inFlightMessageId(chat) !== m[2]) fail(409, `Message ${m[2]!} is not being generated: it has finished, or it is not an assistant message.`);
        s.stop(chat);
        return { success: true };
      } catch (e) {
        call.status = e instanceof ApiError ? e.status : 500;
        throw e;
      }
    }],
    ['GET', /^\/chats\/([^/]+)\/versions$/, (m, _req, q) => {
      const chat = s.read(findChat(ctx, m[1]!));
      const page = cursorPage([...chat.versions].reverse(), q, `${u().api}/chats/${chat.id}/versions`);
      return { object: 'list', data: page.data.map((v) => versionSummary(u(), v)), pagination: page.pagination, meta: { totalCount: chat.versions.length } };
    }],
    ['GET', /^\/chats\/([^/]+)\/versions\/([^/]+)$/, (m, _req, q) => {
      const chat = s.read(findChat(ctx, m[1]!));
      const v = chat.versions.find((x) => x.id === m[2]);
      const inc = q.get('includeDefaultFiles');
      if (inc !== null && inc !== 'true' && inc !== 'false') fail(422, 'Invalid query: includeDefaultFiles must be "true" or "false".');
      return v ? versionDetail(u(), v, inc === 'true') : fail(404, `Version not found: ${m[2]!}`);
    }],
    ['POST', /^\/deployments$/, async (_m, req) => {
      const b = await body(req, ctx, DEPLOY);
      const forced = ctx.faults.deployError;
      delete ctx.faults.deployError;
      if (forced) fail(forced.status, forced.message ?? `Simulated ${forced.status} error.`);
      const chat = s.read(findChat(ctx, b.chatId as string));
      const v = chat.versions.find((x) => x.id === b.versionId);
      if (!v) fail(404, `Version not found: ${b.versionId as string}`);
      if (v!.status !== 'completed') fail(409, `Version ${v!.id} is not completed: only a finished version can be deployed.`);
      chat.projectId ??= `prj_${newId(10)}`;
      const d = { id: `dpl_${newId(12)}`, chatId: chat.id, versionId: v!.id, projectId: chat.projectId, createdAt: new Date(ctx.now()).toISOString() };
      s.deployments.set(d.id, d);
      return deploymentDetail(u(), d);
    }],
    ['GET', /^\/deployments$/, (_m, _req, q) => {
      const list = [...s.deployments.values()].filter(
        (d) => (q.get('chatId') === null || d.chatId === q.get('chatId')) && (q.get('versionId') === null || d.versionId === q.get('versionId')) && (q.get('projectId') === null || d.projectId === q.get('projectId')),
      );
      return { object: 'list', data: list.map((d) => deploymentDetail(u(), d)) };
    }],
    ['GET', /^\/deployments\/([^/]+)$/, (m) => {
      const d = s.deployments.get(m[1]!);
      return d ? deploymentDetail(u(), d) : fail(404, `Deployment not found: ${m[1]!}`);
    }],
    ['GET', /^\/rate-limits$/, () => {
      const now = ctx.now();
      const used = ctx.generationTimes.filter((t) => t > now - ctx.rateLimit.windowMs);
      return { limit: ctx.rateLimit.limit, remaining: Math.max(0, ctx.rateLimit.limit - used.length), reset: (used[0] ?? now) + ctx.rateLimit.windowMs };
    }],
  ];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return fail(404, 'Not found.');
  }
}

export function v0Handler(ctx: V0Context): RequestListener {
  const routes = apiRoutes(ctx);
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && servePage(ctx.store, url.pathname, res, ctx.faults.demoDelayMs ?? 0)) return;
    const run = async (): Promise<unknown> => {
      if (!url.pathname.startsWith('/v1/')) fail(404, 'Not found.');
      ctx.store.stats.requests++;
      authorize(req, ctx);
      const f = ctx.faults;
      const forced = f.error;
      delete f.error;
      if (forced) fail(forced.status, forced.message ?? `Simulated ${forced.status} error.`);
      const limited = f.status429;
      delete f.status429;
      if (limited) throw new ApiError(429, 'Too many requests.', limited.retryAfterSec !== undefined ? { 'retry-after': String(limited.retryAfterSec) } : {});
      const path = url.pathname.slice(3);
      for (const [m, re, handler] of routes) {
        const match = re.exec(path);
        if (match && m === method) return handler([...match].map(safeDecode), req, url.searchParams);
      }
      return fail(404, `No route for ${method} ${url.pathname}.`);
    };
    run().then(
      (out) => sendJson(res, 200, out),
      (e: unknown) => {
        if (res.headersSent) return void res.destroy();
        const err = e instanceof ApiError ? e : new ApiError(500, 'Internal server error.');
        sendJson(res, err.status, { error: { message: err.message, type: ERROR_TYPES[err.status] } }, err.headers);
      },
    );
  };
}
