// The BFL API surface of the fake: auth (x-key), submit per model, get_result polling, credits, and the
// signed, expiring result.sample download. Response shapes follow bfl-openapi.json; see README.md.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { BodyTooLarge, hostName, readBody, sendBytes, sendJson } from './http.js';
import { CONTENT_TYPES, encodeImage, type OutputFormat } from './images.js';
import { MODELS, outputFormat, outputSize } from './models.js';
import type { Task, TaskOutcome, TaskStore } from './tasks.js';
import { validateBody } from './validate.js';

export interface BflFaults {
  /** Next accepted task ends "Request Moderated" (input blocked) or "Content Moderated" (output blocked). One-shot. */
  moderation?: 'request' | 'content' | undefined;
  /** Next accepted task ends with status "Error". One-shot. */
  error?: boolean;
  /** Next valid submit answers 402 (insufficient credits). One-shot. */
  status402?: boolean;
  /** Next valid submit answers 429; with `Retry-After` only when retryAfterSec is given. One-shot. */
  status429?: { retryAfterSec?: number } | undefined;
  /** Next valid submit answers this 5xx (true = 500) *after* the task was created and billed. One-shot. */
  submit5xx?: boolean | number;
  /** Next get_result answers this 5xx (true = 503). One-shot. */
  poll5xx?: boolean | number;
  /** Polls a new task answers "Pending" before it finishes (persistent setting). */
  pendingPolls: number;
}

export interface BflContext {
  apiKey: string;
  pollingHost: () => string; // e.g. http://localhost:PORT
  store: TaskStore;
  faults: BflFaults;
  account: { credits: number };
  concurrency: number;
  modelConcurrency: Readonly<Record<string, number>>;
  taskNotFoundHttpStatus: 200 | 404;
  now: () => number;
}

const MAX_BODY = 30 * 1024 * 1024; // base64 input images can be large

/** Per-instance state of the download side: the URL-signing key and the encoded images. */
interface Delivery {
  key: Buffer;
  images: Map<string, Buffer>;
}

const detail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void =>
  sendJson(res, status, { detail: message }, headers);

function authorized(req: IncomingMessage, res: ServerResponse, ctx: BflContext): boolean {
  const key = req.headers['x-key'];
  if (typeof key !== 'string' || key === '') {
    detail(res, 401, 'Not authenticated');
    return false;
  }
  const a = Buffer.from(key), b = Buffer.from(ctx.apiKey);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    detail(res, 403, 'Not authenticated - Invalid Authentication');
    return false;
  }
  return true;
}

function take<K extends keyof BflFaults>(faults: BflFaults, k: K): BflFaults[K] {
  const v = faults[k];
  delete faults[k];
  return v;
}

const fiveXx = (v: boolean | number | undefined, dflt: number): number | null => (v === undefined || v === false ? null : v === true ? dflt : v);

async function submit(req: IncomingMessage, res: ServerResponse, ctx: BflContext, model: string): Promise<void> {
  const spec = MODELS[model]!;
  let body: unknown;
  try {
    const raw = (await readBody(req, MAX_BODY)).toString('utf8');
    body = raw === '' ? undefined : JSON.parse(raw);
  } catch (e) {
    if (e instanceof BodyTooLarge) return detail(res, 413, 'Request Entity Too Large');
    return sendJson(res, 422, { detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] });
  }
  if (body === undefined) return sendJson(res, 422, { detail: [{ loc: ['body'], msg: 'Field required', type: 'missing' }] });
  const checked = validateBody(body, spec);
  if (!checked.ok) return sendJson(res, 422, { detail: checked.issues });

  const f = ctx.faults;
  if (take(f, 'status402') || ctx.account.credits < spec.cost) {
    return detail(res, 402, 'Insufficient credits. Add credits at https://dashboard.bfl.ai to continue.');
  }
  const limited = take(f, 'status429');
  if (limited) {
    const headers: Record<string, string> = limited.retryAfterSec !== undefined ? { 'retry-after': String(limited.retryAfterSec) } : {};
    return detail(res, 429, 'Too many requests. Please slow down.', headers);
  }
  const modelLimit = ctx.modelConcurrency[model] ?? Infinity;
  if (ctx.store.active(model).length >= modelLimit) {
    return detail(res, 429, `You have reached the limit of ${modelLimit} active tasks for ${model}. Wait for a running task to finish.`);
  }
  if (ctx.store.active().length >= ctx.concurrency) {
    return detail(res, 429, `You have reached the limit of ${ctx.concurrency} active tasks. Wait for a running task to finish.`);
  }

  const outcome: TaskOutcome = take(f, 'moderation') ?? (take(f, 'error') ? 'error' : 'ready');
  const pollHost = new URL(ctx.pollingHost());
  const task = ctx.store.create({
    model,
    pollHost: pollHost.hostname,
    input: checked.input,
    ...outputSize(spec, checked.input),
    format: outputFormat(checked.input),
    outcome,
    pendingPolls: Math.max(0, f.pendingPolls),
  });
  ctx.account.credits -= spec.cost;
  const failed = fiveXx(take(f, 'submit5xx'), 500);
  if (failed !== null) return detail(res, failed, 'Internal Server Error');
  sendJson(res, 200, { id: task.id, polling_url: `${pollHost.origin}/v1/get_result?id=${encodeURIComponent(task.id)}`, cost: spec.cost });
}

function sign(key: Buffer, id: string, format: OutputFormat, expiresAt: number): string {
  const se = new Date(expiresAt).toISOString();
  const sig = createHmac('sha256', key).update(`${id}|${format}|${se}`).digest('base64url');
  return `/results/${id}/sample.${format}?se=${encodeURIComponent(se)}&sp=r&sig=${sig}`;
}

function resultBody(t: Task, ctx: BflContext, d: Delivery): Record<string, unknown> {
  const base = { id: t.id, status: t.status as string, result: null as unknown, progress: null as number | null, details: null as unknown, preview: null };
  switch (t.status) {
    case 'Pending':
      // The first look has no progress yet: clients must not rely on it being filled in.
      base.progress = t.polls <= 1 ? null : Math.round((t.polls / (t.pendingPolls + 1)) * 100) / 100;
      return base;
    case 'Ready': {
      const start = t.submittedAt / 1000, end = (t.finishedAt ?? t.submittedAt) / 1000;
      base.progress = 1;
      base.result = {
        sample: ctx.pollingHost() + sign(d.key, t.id, t.format, t.sampleExpiresAt!),
        prompt: (t.input.prompt as string | null) ?? '',
        seed: t.seed,
        start_time: start,
        end_time: end,
        duration: Math.round((end - start) * 1000) / 1000,
      };
      return base;
    }
    case 'Request Moderated':
    case 'Content Moderated':
      base.details = { 'Moderation Reasons': [t.status === 'Request Moderated' ? 'Prompt flagged (simulated)' : 'Output flagged (simulated)'] };
      return base;
    case 'Error':
      base.details = { error: 'Generation failed (simulated)' };
      return base;
  }
}

function getResult(req: IncomingMessage, res: ServerResponse, ctx: BflContext, d: Delivery, url: URL): void {
  const id = url.searchParams.get('id');
  if (id === null) return sendJson(res, 422, { detail: [{ loc: ['query', 'id'], msg: 'Field required', type: 'missing' }] });
  const failed = fiveXx(take(ctx.faults, 'poll5xx'), 503);
  if (failed !== null) return detail(res, failed, 'Service Unavailable');
  ctx.store.stats.polls++;
  const t = ctx.store.get(id);
  // A task is only known to the cluster that took it: polling any other host name finds nothing.
  if (!t || t.pollHost !== hostName(req.headers.host)) {
    return sendJson(res, ctx.taskNotFoundHttpStatus, { id, status: 'Task not found', result: null, progress: null, details: null, preview: null });
  }
  ctx.store.poll(t);
  sendJson(res, 200, resultBody(t, ctx, d));
}

function download(req: IncomingMessage, res: ServerResponse, ctx: BflContext, d: Delivery, url: URL): void {
  const m = /^\/results\/([^/]+)\/sample\.(jpeg|png|webp)$/.exec(url.pathname);
  const t = m ? ctx.store.get(m[1]!) : undefined;
  const se = url.searchParams.get('se') ?? '';
  const notFound = (): void => sendBytes(res, 404, Buffer.from('The specified blob does not exist.'), 'text/plain');
  if (!m || !t || t.status !== 'Ready' || t.format !== m[2]) return notFound();
  const expected = sign(d.key, t.id, t.format, Date.parse(se)).split('sig=')[1]!;
  const given = url.searchParams.get('sig') ?? '';
  if (Number.isNaN(Date.parse(se)) || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return sendBytes(res, 403, Buffer.from('Signature did not match.'), 'text/plain');
  }
  if (ctx.now() > Date.parse(se)) return notFound(); // signed URL past its window
  let img = d.images.get(t.id);
  if (!img) {
    img = encodeImage(t.format, t.width, t.height, t.seed, { Software: 'fake-bfl (simulated)', prompt: String(t.input.prompt ?? '') });
    d.images.set(t.id, img);
  }
  if (req.method === 'GET') ctx.store.stats.downloads++;
  sendBytes(res, 200, img, CONTENT_TYPES[t.format], req.method === 'HEAD');
}

export function bflHandler(ctx: BflContext): RequestListener {
  const d: Delivery = { key: randomBytes(32), images: new Map() };
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const allow = (m: string): boolean => {
      if (method === m) return true;
      detail(res, 405, 'Method Not Allowed', { allow: m });
      return false;
    };
    const run = async (): Promise<void> => {
      if (path.startsWith('/results/')) return method === 'GET' || method === 'HEAD' ? download(req, res, ctx, d, url) : void allow('GET');
      const model = path.startsWith('/v1/') ? path.slice(4) : '';
      if (model in MODELS) return allow('POST') && authorized(req, res, ctx) ? submit(req, res, ctx, model) : undefined;
      if (path === '/v1/get_result') return allow('GET') && authorized(req, res, ctx) ? getResult(req, res, ctx, d, url) : undefined;
      if (path === '/v1/credits') return allow('GET') && authorized(req, res, ctx) ? sendJson(res, 200, { credits: ctx.account.credits }) : undefined;
      detail(res, 404, 'Not Found');
    };
    run().catch(() => {
      if (!res.headersSent) detail(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}
