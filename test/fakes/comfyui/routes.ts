// Route handlers of server.py (each served at /x and /api/x by server.ts).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { App } from './app.js';
import { parseForm } from './multipart.js';
import { NODES, installed, nodeInfo, objectInfo } from './nodes.js';
import { isPlainObject, PyError, pyFloat, pyInt, pyStr, pyTruthy, pyTypeName } from './py.js';
import { Executor } from './executor.js';
import { forceFailure, type Graph, validatePrompt } from './validate.js';
import type { ViewResult } from './files.js';

export interface Ctx {
  app: App;
  url: URL;
  params: string[];
  headers: Record<string, string | string[] | undefined>;
  body(): Promise<Buffer>;
}
export type Resp =
  | { kind: 'json'; status: number; data: unknown }
  | { kind: 'empty'; status: number }
  | { kind: 'text'; status: number; text: string; type?: string }
  | { kind: 'view'; view: ViewResult };
export interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  handler: (c: Ctx) => Promise<Resp> | Resp;
}

/** aiohttp's client_max_size exceeded → 413. */
export class BodyTooLarge extends Error {
  constructor(
    readonly max: number,
    readonly actual: number,
  ) {
    super(`Maximum request body size ${max} exceeded, actual body size ${actual}`);
  }
}

const json = (data: unknown, status = 200): Resp => ({ kind: 'json', status, data });
const empty = (status = 200): Resp => ({ kind: 'empty', status });
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SENSITIVE = ['api_key_comfy_org', 'auth_token_comfy_org'];

async function bodyJson(c: Ctx): Promise<unknown> {
  const text = (await c.body()).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new PyError('json.decoder.JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)');
  }
}

/** Python `key in json_data` followed by `json_data[key]` (raises for non-dicts that "contain" it). */
function pyHas(j: unknown, k: string): boolean {
  if (isPlainObject(j)) return Object.hasOwn(j, k);
  if (Array.isArray(j) || typeof j === 'string') {
    if (j.includes(k)) throw new PyError('TypeError', 'indices must be integers');
    return false;
  }
  throw new PyError('TypeError', `argument of type '${pyTypeName(j)}' is not iterable`);
}

function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new PyError('TypeError', `'${pyTypeName(v)}' object is not iterable`);
}

const errorEnvelope = (type: string, message: string, details: string): Record<string, unknown> => ({
  error: { type, message, details, extra_info: {} },
  node_errors: {},
});

async function postPrompt(c: Ctx): Promise<Resp> {
  const { app } = c;
  const j = await bodyJson(c);
  let number: number;
  if (pyHas(j, 'number')) number = pyFloat((j as Record<string, unknown>).number);
  else {
    number = app.counter;
    if (pyHas(j, 'front') && pyTruthy((j as Record<string, unknown>).front)) number = -number;
    app.counter++;
  }
  if (!pyHas(j, 'prompt')) return json(errorEnvelope('no_prompt', 'No prompt provided', 'No prompt provided'), 400);
  const body = j as Record<string, unknown>;
  const prompt = body.prompt;
  let promptId: string;
  const rawId = body.prompt_id;
  if (app.opts.strictPromptId) {
    if (rawId === undefined || rawId === null) promptId = randomUUID();
    else if (typeof rawId === 'string' && UUID_RE.test(rawId)) promptId = rawId;
    else {
      return json(errorEnvelope('invalid_prompt_id', 'Invalid prompt_id',
        `prompt_id must be a lowercase canonical UUID string, got ${JSON.stringify(rawId)}`), 400);
    }
  } else promptId = Object.hasOwn(body, 'prompt_id') ? pyStr(rawId) : randomUUID();
  const partial = Object.hasOwn(body, 'partial_execution_targets') ? body.partial_execution_targets : null;
  const fault = app.faults.validationError === true;
  if (fault) delete app.faults.validationError;
  let result = validatePrompt(prompt, partial, app.env(fault ? [] : undefined));
  if (fault) result = forceFailure(result, prompt as Graph);
  const extra = Object.hasOwn(body, 'extra_data') ? body.extra_data : {};
  if (!isPlainObject(extra)) throw new PyError('TypeError', 'extra_data must be a dict');
  if (Object.hasOwn(body, 'client_id')) extra.client_id = body.client_id;
  if (!result.ok) return json({ error: result.error, node_errors: result.nodeErrors }, 400);
  for (const k of SENSITIVE) delete extra[k];
  app.queue.put([number, promptId, structuredClone(prompt as Graph), structuredClone(extra), result.outputs]);
  app.stats.promptsSubmitted++;
  return json({ prompt_id: promptId, number, node_errors: result.nodeErrors });
}

async function postQueue(c: Ctx): Promise<Resp> {
  const j = await bodyJson(c);
  if (pyHas(j, 'clear') && pyTruthy((j as Record<string, unknown>).clear)) c.app.queue.wipe();
  if (pyHas(j, 'delete')) for (const id of pyIter((j as Record<string, unknown>).delete)) c.app.queue.delete(id);
  return empty();
}

async function postInterrupt(c: Ctx): Promise<Resp> {
  let j: unknown;
  try {
    j = await bodyJson(c);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw e;
    j = {};
  }
  if (!isPlainObject(j)) throw new PyError('AttributeError', `'${pyTypeName(j)}' object has no attribute 'get'`);
  c.app.stats.interrupts++;
  const pid = j.prompt_id;
  if (pyTruthy(pid)) {
    if (Executor.isRunning(c.app.queue, pid)) c.app.executor.interrupt();
  } else c.app.executor.interrupt();
  return empty();
}

function getHistory(c: Ctx): Resp {
  const q = c.url.searchParams;
  const maxItems = q.has('max_items') ? pyInt(q.get('max_items')) : undefined;
  const offset = q.has('offset') ? pyInt(q.get('offset')) : undefined;
  return json(c.app.queue.getHistory(maxItems, offset));
}

async function postHistory(c: Ctx): Promise<Resp> {
  const j = await bodyJson(c);
  const h = c.app.queue.history;
  if (pyHas(j, 'clear') && pyTruthy((j as Record<string, unknown>).clear)) h.clear();
  if (pyHas(j, 'delete')) for (const id of pyIter((j as Record<string, unknown>).delete)) h.delete(id as string);
  return empty();
}

async function upload(c: Ctx): Promise<Resp> {
  const ct = c.headers['content-type'];
  const parts = parseForm(await c.body(), typeof ct === 'string' ? ct : undefined);
  const r = await c.app.files.upload(parts);
  if (r.status === 500) throw new PyError('UnboundLocalError', 'upload failed');
  if (r.json) {
    c.app.stats.uploads++;
    return json(r.json);
  }
  return empty(r.status);
}

const INDEX_HTML = '<!doctype html><title>SIMULATED ComfyUI</title><h1>SIMULATED ComfyUI (protocol fake)</h1><p>No real GPU work is done.</p>';

export const ROUTES: Route[] = [
  { method: 'GET', path: /^\/$/, handler: () => ({ kind: 'text', status: 200, text: INDEX_HTML, type: 'text/html' }) },
  { method: 'GET', path: /^\/prompt$/, handler: (c) => json(c.app.queueInfo()) },
  { method: 'POST', path: /^\/prompt$/, handler: postPrompt },
  {
    method: 'GET', path: /^\/queue$/,
    handler: (c) => json({ queue_running: c.app.queue.runningItems(), queue_pending: c.app.queue.pendingItems() }),
  },
  { method: 'POST', path: /^\/queue$/, handler: postQueue },
  { method: 'POST', path: /^\/interrupt$/, handler: postInterrupt },
  { method: 'POST', path: /^\/free$/, handler: async (c) => (await bodyJson(c), empty()) },
  { method: 'GET', path: /^\/history$/, handler: getHistory },
  { method: 'GET', path: /^\/history\/([^/]+)$/, handler: (c) => {
    const e = c.app.queue.history.get(c.params[0]!);
    return json(e ? { [c.params[0]!]: e } : {});
  } },
  { method: 'POST', path: /^\/history$/, handler: postHistory },
  { method: 'GET', path: /^\/view$/, handler: async (c) => {
    const h = (k: string): string | undefined => (typeof c.headers[k] === 'string' ? (c.headers[k] as string) : undefined);
    return { kind: 'view', view: await c.app.files.view(c.url.searchParams, h('range'), h('if-none-match')) };
  } },
  { method: 'POST', path: /^\/upload\/image$/, handler: upload },
  { method: 'GET', path: /^\/object_info$/, handler: (c) => json(objectInfo(c.app.env())) },
  { method: 'GET', path: /^\/object_info\/([^/]+)$/, handler: (c) => {
    const def = NODES.get(c.params[0]!);
    const env = c.app.env();
    return json(def && installed(def, env) ? { [def.name]: nodeInfo(def, env) } : {});
  } },
  { method: 'GET', path: /^\/models$/, handler: (c) => json(c.app.modelFolders()) },
  { method: 'GET', path: /^\/models\/([^/]+)$/, handler: (c) => {
    const l = c.app.modelList(c.params[0]!);
    return l ? json(l) : empty(404);
  } },
  { method: 'GET', path: /^\/embeddings$/, handler: () => json([]) },
  { method: 'GET', path: /^\/extensions$/, handler: () => json([]) },
  { method: 'GET', path: /^\/system_stats$/, handler: (c) => json(c.app.systemStats()) },
  { method: 'GET', path: /^\/features$/, handler: (c) => json(c.app.features()) },
];

/** Frontend-only routes: never mirrored under /api. */
export const INTERNAL_ROUTES: Route[] = [
  { method: 'GET', path: /^\/internal\/folder_paths$/, handler: (c) =>
    json(Object.fromEntries(c.app.modelFolders().map((k) => [k, [path.join(c.app.opts.rootDir, 'models', k)]]))) },
  { method: 'GET', path: /^\/internal\/files\/([^/]+)$/, handler: async (c) => {
    const dir = c.app.files.dirByType(c.params[0]);
    if (!dir) return json({ error: 'Invalid directory type' }, 400);
    return json(await c.app.files.listTop(dir));
  } },
];
