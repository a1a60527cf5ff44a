import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Job } from '@orchestrator/shared';
import { capturingLogger } from '../../worker/src/testing/flux.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * Canary keys: every secret the product is given (BFL_API_KEY, V0_API_KEY, WORKER_TOKEN, a password in
 * COMFYUI_URLS) is a unique string; the whole stack runs jobs of every provider (one failing, outputs
 * through the storage API as a worker on another machine does) and answers the routes the page uses.
 * Then every response body and header, every line the server and the worker logged (at debug), every
 * Redis value under the prefix and the built web bundle are searched: no canary may appear anywhere.
 */

const tag = randomBytes(4).toString('hex');
const CANARY = {
  bfl: `canary-bfl-${tag}-key`,
  v0: `canary-v0-${tag}-key`,
  worker: `canary-worker-${tag}-token`,
  comfy: `canary-pw-${tag}-secret`,
};
const canaries = Object.values(CANARY);

let stack: Stack;
let bfl: FakeBfl;
let v0: FakeV0;
let workerDir: string;
const serverLines: string[] = [];
const worker = capturingLogger();
/** Everything the API answered, as text: status line, headers, body. */
const answers: { what: string; text: string }[] = [];

beforeAll(async () => {
  workerDir = await mkdtemp(path.join(tmpdir(), 'orch-canary-worker-'));
  bfl = await startFakeBfl({ pendingPolls: 1, apiKey: CANARY.bfl });
  v0 = await startFakeV0({ pendingPolls: 1, apiKey: CANARY.v0 });
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      serverLines.push(chunk.toString());
      done();
    },
  });
  stack = await startStack('e2e-canary', {
    backends: 2,
    comfy: { stepMs: 5 },
    comfyCredentials: `admin:${CANARY.comfy}`,
    env: { BFL_API_URL: bfl.url, BFL_API_KEY: CANARY.bfl, V0_API_URL: v0.url, V0_API_KEY: CANARY.v0, WORKER_TOKEN: CANARY.worker, LOG_LEVEL: 'debug' },
    // A worker on "another machine": its outputs go through the storage API, with the worker token.
    workerEnv: { OUTPUT_PATH: path.join(workerDir, 'output'), DATA_PATH: workerDir, LOG_LEVEL: 'debug' },
    serverLogger: { stream },
    workerLogger: worker.logger,
  });
}, 30_000);

afterAll(async () => {
  await stack?.close();
  await Promise.all([bfl?.close(), v0?.close()]);
  await rm(workerDir, { recursive: true, force: true });
});

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${stack.url}${p}`, init);
  const text = Buffer.from(await res.clone().arrayBuffer()).toString('latin1');
  answers.push({ what: `${method} ${p}`, text: `${res.status}\n${JSON.stringify([...res.headers])}\n${text}` });
  return res;
}

async function finished(id: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = (await (await call('GET', `/api/jobs/${id}`)).json()) as Job;
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    30_000,
    `job ${id}`,
  );
}

async function submit(body: object): Promise<string> {
  const res = await call('POST', '/api/jobs', body);
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Every message the WebSocket replays from the start of the event log. */
async function replay(): Promise<string[]> {
  const ws = new WebSocket(`${stack.wsUrl}/api/ws?since=0-0`, { headers: { origin: stack.url } });
  const messages: string[] = [];
  ws.on('message', (data: Buffer) => messages.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
  return messages;
}

/** Every value under the prefix, read by type (DUMP may LZF-compress a long string), plus its DUMP. */
async function redisValues(): Promise<{ key: string; text: string }[]> {
  const r = stack.redis;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await r.scan(cursor, 'MATCH', `${stack.config.keyPrefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: { key: string; text: string }[] = [];
  for (const key of keys) {
    const type = await r.type(key);
    const value =
      type === 'string'
        ? await r.getBuffer(key)
        : type === 'hash'
          ? await r.hgetallBuffer(key)
          : type === 'list'
            ? await r.lrangeBuffer(key, 0, -1)
            : type === 'set'
              ? await r.smembersBuffer(key)
              : type === 'zset'
                ? await r.zrangeBuffer(key, 0, -1, 'WITHSCORES')
                : type === 'stream'
                  ? await r.xrangeBuffer(key, '-', '+')
                  : null;
    const dump = await r.dumpBuffer(key);
    out.push({ key, text: `${JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v))}\n${dump?.toString('latin1') ?? ''}` });
  }
  return out;
}

function leaksIn(items: { what: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { what, text } of items) for (const c of canaries) if (text.includes(c)) found.push(`${what} shows ${c}: …${text.slice(Math.max(0, text.indexOf(c) - 120), text.indexOf(c) + 40)}…`);
  return found;
}

describe('canary keys', () => {
  it('runs jobs of every provider through the whole stack, one of them failing', async () => {
    await waitFor(async () => ((await (await call('GET', '/api/backends')).json()) as { online: boolean }[])[0]?.online, 15_000, 'backend online');
    const image = await finished(await submit({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', params: { steps: 2, width: 64, height: 64 } }));
    expect(image.status).toBe('completed');
    const form = new FormData();
    form.append('file', new Blob([await (await call('GET', image.assets![0]!.url)).arrayBuffer()], { type: 'image/png' }), 'in.png');
    const upload = (await (await call('POST', '/api/uploads', form)).json()) as { id: string };
    const flux = await finished(await submit({ provider: 'flux', kind: 'image', model: 'flux-kontext-pro', prompt: 'make it snowy', inputImage: upload.id }));
    bfl.faults.status402 = true;
    const broke = await finished(await submit({ provider: 'flux', kind: 'image', prompt: 'no credits left' }));
    const site = await finished(await submit({ provider: 'v0', kind: 'site', prompt: 'a page for a lighthouse museum' }));
    expect([flux.status, broke.status, site.status]).toEqual(['completed', 'failed', 'completed']);
    expect(broke.error?.code).toBe('out_of_credits');
    const followUp = await call('POST', `/api/sites/${site.assets![0]!.id}/messages`, { message: 'add opening hours' });
    expect(followUp.status).toBe(202);
    await finished(((await followUp.json()) as { id: string }).id);
  });

  it('reports a backend behind basic auth that went away (its errors name the URL, never the password)', async () => {
    await stack.comfy[1]!.close();
    await waitFor(
      async () => ((await (await call('GET', '/api/backends')).json()) as { id: string; online: boolean }[]).find((b) => b.id === 'comfyui-2')?.online === false,
      15_000,
      'comfyui-2 offline',
    );
    expect((await call('GET', '/api/comfyui/comfyui-2/queue')).status).toBe(502);
  });

  it('answers the routes the page and tools use', async () => {
    const paths = [
      '/api/health',
      '/api/backends',
      '/api/agents',
      '/api/queue',
      '/api/jobs',
      '/api/assets',
      '/api/models',
      '/api/comfyui/status',
      '/api/selfcheck',
      '/api/comfyui/comfyui-1/system_stats',
      '/api/comfyui/comfyui-1/queue',
      '/api/sites/chats',
      '/api/openapi.json',
      '/api/auth/me',
      '/metrics',
    ];
    for (const p of paths) expect((await call('GET', p)).status, p).toBeLessThan(500);
    // The storage API with the right token and with a wrong one: neither answer repeats the token.
    await call('GET', '/api/storage/output/list?path=sites', undefined, { authorization: `Bearer ${CANARY.worker}` });
    await call('GET', '/api/storage/output/list?path=sites', undefined, { authorization: `Bearer ${CANARY.worker}x` });
    // The page and every script and style it loads (when the SPA is built).
    const page = await call('GET', '/');
    const html = await page.text();
    for (const [, src] of html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)) await call('GET', src!);
    const events = await replay();
    answers.push({ what: 'WebSocket replay', text: events.join('\n') });
    expect(events.length).toBeGreaterThan(5);
  });

  it('shows no canary in any response, log line, Redis value or the built bundle', async () => {
    expect(serverLines.length, 'the server logged nothing: is the capture wired?').toBeGreaterThan(10);
    expect(worker.lines.length, 'the worker logged nothing: is the capture wired?').toBeGreaterThan(10);
    const values = await redisValues();
    expect(values.length).toBeGreaterThan(10);
    const bundle = await bundleFiles();
    const leaks = [
      ...leaksIn(answers),
      ...leaksIn(serverLines.map((text, i) => ({ what: `server log line ${i}`, text }))),
      ...leaksIn(worker.lines.map((text, i) => ({ what: `worker log line ${i}`, text }))),
      ...leaksIn(values.map((v) => ({ what: `redis ${v.key}`, text: v.text }))),
      ...leaksIn(bundle),
    ];
    expect(leaks).toEqual([]);
    // The credentials did reach where they are needed: BFL and v0 saw their keys (the jobs completed).
    expect(answers.length).toBeGreaterThan(20);
  });
});

/** The built SPA (web/dist), when there is one: nothing configured on the server can be in it. */
async function bundleFiles(): Promise<{ what: string; text: string }[]> {
  const dist = fileURLToPath(new URL('../../web/dist', import.meta.url));
  const entries = await readdir(dist, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Promise.all(files.map(async (f) => ({ what: `web bundle ${path.relative(dist, f)}`, text: (await readFile(f)).toString('latin1') })));
}
