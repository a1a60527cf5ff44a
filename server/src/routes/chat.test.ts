import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import {
  ChatEventData,
  ChatMessagePage,
  ChatThread,
  EventLog,
  PostMessageResult,
  checked,
  redisKeys,
  type ChatMessagePage as MessagePageT,
  type ChatThread as ThreadT,
  type ChatThreadPage,
  type Config,
  type Job,
  type PageOf,
  type PostMessageResult as PostResultT,
} from '@orchestrator/shared';
import sharp from 'sharp';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * The chat API against a real Redis: threads (create, newest first in cursor pages, rename, trash and
 * back), messages (oldest first either way, capped per thread), commands that queue jobs with their
 * owner, replies that name the problem and queue nothing, `chat.message` events, and everything still
 * there after the server restarts. No worker runs: jobs stay queued.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const validThread = checked(ChatThread);
const validPost = checked(PostMessageResult);
const validPage = checked(ChatMessagePage);
const validEvent = checked(ChatEventData);

const start = () => buildServer(config, { logger: false, backendCacheMs: 0, gallery: { watch: false, rescan: false }, reconcile: false, chat: { maxMessages: 12 } });

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('chat', { COMFYUI_URLS: 'http://127.0.0.1:18193', BFL_API_KEY: 'bfl-chat', BFL_API_URL: 'http://127.0.0.1:1', V0_API_KEY: 'v0-chat', V0_API_URL: 'http://127.0.0.1:1', RATE_LIMIT_SUBMITS: '0' }));
  redis = newRedis();
  await redis.set(
    redisKeys(config.keyPrefix).backend('comfyui-1'),
    JSON.stringify(backendRecord({ id: 'comfyui-1', url: 'http://127.0.0.1:18193', checkpoints: ['sd_xl_base_1.0.safetensors', 'sd_xl_refiner_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'] })),
  );
  app = await start();
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

async function newThread(title?: string): Promise<ThreadT> {
  const res = await app.inject({ method: 'POST', url: '/api/chat/threads', ...(title ? { payload: { title } } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  const thread = res.json<ThreadT>();
  expect(validThread.check(thread)).toBe(true);
  return thread;
}

async function say(thread: string, text: string, extra: object = {}): Promise<PostResultT> {
  const res = await app.inject({ method: 'POST', url: `/api/chat/threads/${thread}/messages`, payload: { text, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json<PostResultT>();
  expect(validPost.errors(body)).toEqual([]);
  return body;
}

const replyOf = (r: PostResultT) => r.messages[1]!;
/** The jobs a reply's job card queued (none when it has no job card). */
const jobsOf = (m: PostResultT['messages'][number]) => (m.card?.type === 'jobs' ? m.card.jobs : []);
const jobCount = async () => (await app.inject({ url: '/api/jobs?limit=200' })).json<PageOf<Job>>().items.length;

describe('threads', () => {
  it('are created (201, titled or "New thread"), listed newest first in cursor pages, and fetched alone', async () => {
    const a = await newThread('first');
    const b = await newThread();
    const c = await newThread('third');
    expect(b.title).toBe('New thread');
    expect(a).toMatchObject({ messageCount: 0, jobCount: 0 });
    const page1 = (await app.inject({ url: '/api/chat/threads?limit=2' })).json<ChatThreadPage>();
    expect(page1.items.map((t) => t.id)).toEqual([c.id, b.id]);
    const page2 = (await app.inject({ url: `/api/chat/threads?limit=2&cursor=${page1.nextCursor}` })).json<ChatThreadPage>();
    expect(page2.items.map((t) => t.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeUndefined();
    expect((await app.inject({ url: `/api/chat/threads/${a.id}` })).json()).toMatchObject({ id: a.id, title: 'first' });
    expect((await app.inject({ url: `/api/chat/threads/${crypto.randomUUID()}` })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/chat/threads/not-a-uuid' })).statusCode).toBe(400);
  });

  it('move to the top when a message arrives, and are renamed by PATCH', async () => {
    const old = await newThread('old');
    await newThread('newer');
    await say(old.id, '/help');
    const list = (await app.inject({ url: '/api/chat/threads' })).json<ChatThreadPage>();
    expect(list.items[0]!.id).toBe(old.id);
    const renamed = await app.inject({ method: 'PATCH', url: `/api/chat/threads/${old.id}`, payload: { title: 'Lighthouses' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ title: 'Lighthouses', messageCount: 2 });
    expect((await app.inject({ method: 'PATCH', url: `/api/chat/threads/${old.id}`, payload: { title: '' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: `/api/chat/threads/${old.id}`, payload: { title: 'a\u0000b' } })).statusCode).toBe(400);
  });

  it('go to the trash and come back; a trashed thread takes no messages (409) and can be purged', async () => {
    const t = await newThread('to trash');
    const del = await app.inject({ method: 'DELETE', url: `/api/chat/threads/${t.id}` });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({ id: t.id, deletedAt: expect.any(String) });
    const ids = async (url: string) => (await app.inject({ url })).json<ChatThreadPage>().items.map((x) => x.id);
    expect(await ids('/api/chat/threads?limit=200')).not.toContain(t.id);
    expect(await ids('/api/chat/trash')).toContain(t.id);
    expect((await app.inject({ url: `/api/chat/threads/${t.id}` })).json()).toMatchObject({ deletedAt: expect.any(String) });
    expect((await app.inject({ method: 'POST', url: `/api/chat/threads/${t.id}/messages`, payload: { text: '/help' } })).statusCode).toBe(409);
    const back = await app.inject({ method: 'POST', url: `/api/chat/threads/${t.id}/restore` });
    expect(back.statusCode).toBe(200);
    expect(back.json<ThreadT>().deletedAt).toBeUndefined();
    expect(await ids('/api/chat/threads?limit=200')).toContain(t.id);
    expect((await app.inject({ method: 'DELETE', url: `/api/chat/trash/${t.id}` })).statusCode).toBe(409);
    await app.inject({ method: 'DELETE', url: `/api/chat/threads/${t.id}` });
    expect((await app.inject({ method: 'DELETE', url: `/api/chat/trash/${t.id}` })).json()).toEqual({ id: t.id, purged: true });
    expect((await app.inject({ url: `/api/chat/threads/${t.id}` })).statusCode).toBe(404);
  });
});

describe('commands', () => {
  it('/help answers with the commands and a help card', async () => {
    const t = await newThread();
    const r = await say(t.id, '/help');
    expect(r.messages[0]).toMatchObject({ role: 'user', text: '/help', seq: 1 });
    expect(replyOf(r)).toMatchObject({ role: 'assistant', seq: 2, card: { type: 'help' } });
    expect(replyOf(r).text).toContain('/apex-comfy <model> <prompt> [flags]');
  });

  it('/apex-comfy queues a job on the matched checkpoint with the flags, numbers it #1, names the thread and sets its target', async () => {
    const t = await newThread();
    const before = await jobCount();
    const r = await say(t.id, '/apex-comfy sd_xl_base a lighthouse at dusk --ar 16:9 --seed 7 --steps 12 --neg "blurry, text"');
    const reply = replyOf(r);
    expect(reply.card).toMatchObject({ type: 'jobs', provider: 'comfyui', kind: 'image', jobs: [{ n: 1 }] });
    expect(reply.text).toMatch(/^Queued #1 on ComfyUI · sd_xl_base_1\.0/);
    const jobId = jobsOf(reply)[0]?.id ?? '';
    const job = (await app.inject({ url: `/api/jobs/${jobId}` })).json<Job>();
    expect(job.request).toMatchObject({ provider: 'comfyui', model: 'sd_xl_base_1.0.safetensors', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry, text', params: { seed: 7, steps: 12, width: 1344, height: 768 } });
    expect(job.owner).toBeUndefined();
    expect(await jobCount()).toBe(before + 1);
    expect(r.thread).toMatchObject({ title: 'a lighthouse at dusk', jobCount: 1, target: { provider: 'comfyui', kind: 'image', model: 'sd_xl_base_1.0.safetensors' } });

    // Plain text now goes to the same target; --n queues several, numbered on.
    const plain = replyOf(await say(t.id, 'a lighthouse at dawn --n 2 --seed 100'));
    expect(plain.card).toMatchObject({ type: 'jobs', jobs: [{ n: 2 }, { n: 3 }] });
    const seeds = await Promise.all(
      jobsOf(plain).map(async (j) => (await app.inject({ url: `/api/jobs/${j.id}` })).json<Job>().request),
    );
    expect(seeds.map((s) => (s.provider === 'comfyui' ? [s.model, s.params?.seed] : null))).toEqual([
      ['sd_xl_base_1.0.safetensors', 100],
      ['sd_xl_base_1.0.safetensors', 101],
    ]);
  });

  it('refuses what it cannot run with the problem and the nearest form, and queues nothing', async () => {
    const t = await newThread();
    const before = await jobCount();
    const cases: [string, string, RegExp, string?][] = [
      ['/apex-comfi sd15 a cat', 'unknown_command', /did you mean \/apex-comfy\?/, '/apex-comfy sd15 a cat'],
      ['/apex-comfy sd15 a cat --stesp 3', 'unknown_flag', /did you mean --steps\?/, '/apex-comfy sd15 a cat --steps 3'],
      ['/apex-comfy sd_xl a cat', 'ambiguous_model', /could be sd_xl_base_1\.0, sd_xl_refiner_1\.0/, '/apex-comfy sd_xl_base_1.0.safetensors a cat'],
      ['/apex-comfy nothing-like-it a cat', 'unknown_model', /No model matches "nothing-like-it"/],
      ['/apex-comfy sd15 a cat --steps 900', 'invalid_request', /^--steps 900: /],
      ['/apex-flux a cat --steps 20', 'flag_not_taken', /flux-pro-1\.1-ultra does not take --steps/],
      ['/video', 'image_required', /attach one/],
      ['/cancel', 'not_found', /queued no jobs yet/],
      ['/retry 4', 'not_found', /queued no jobs yet/],
      ['/agent-off comfyui-9', 'not_found', /did you mean comfyui-1 or comfyui\?/, '/agent-off comfyui-1'],
    ];
    for (const [text, code, message, hint] of cases) {
      const reply = replyOf(await say(t.id, text));
      expect(reply.card, text).toMatchObject({ type: 'problem', code, ...(hint ? { hint } : {}) });
      expect(reply.text, text).toMatch(message);
    }
    const ambiguous = replyOf(await say(t.id, '/apex-comfy sd_xl a cat'));
    expect(ambiguous.card).toMatchObject({ candidates: ['sd_xl_base_1.0.safetensors', 'sd_xl_refiner_1.0.safetensors'] });
    expect(await jobCount()).toBe(before);
  });

  it('/apex-flux queues a FLUX job; /cancel cancels the last batch; /retry runs it again; /vary draws a new seed', async () => {
    const t = await newThread();
    const q = replyOf(await say(t.id, '/apex-flux a red fox --ar 21:9 --raw'));
    expect(q.card).toMatchObject({ type: 'jobs', provider: 'flux', jobs: [{ n: 1 }] });
    const id = jobsOf(q)[0]?.id ?? '';
    expect((await app.inject({ url: `/api/jobs/${id}` })).json<Job>().request).toMatchObject({ provider: 'flux', prompt: 'a red fox', params: { aspectRatio: '21:9', raw: true } });
    const cancelled = replyOf(await say(t.id, '/cancel'));
    expect(cancelled.text).toBe('Cancelled #1');
    expect((await app.inject({ url: `/api/jobs/${id}` })).json<Job>().status).toBe('cancelled');
    expect(replyOf(await say(t.id, '/cancel 1')).text).toMatch(/#1 already finished \(cancelled\)/);
    const retried = replyOf(await say(t.id, '/retry'));
    expect(retried.card).toMatchObject({ type: 'jobs', jobs: [{ n: 2 }] });
    expect(retried.text).toContain('a retry of #1');
    const retryId = jobsOf(retried)[0]?.id ?? '';
    expect((await app.inject({ url: `/api/jobs/${retryId}` })).json<Job>().retryOf).toBe(id);
    const varied = replyOf(await say(t.id, '/vary 1'));
    expect(varied.card).toMatchObject({ type: 'jobs', jobs: [{ n: 3 }] });
    const variedJob = (await app.inject({ url: `/api/jobs/${jobsOf(varied)[0]?.id ?? ''}` })).json<Job>();
    expect(variedJob.request).toMatchObject({ provider: 'flux', prompt: 'a red fox', params: { aspectRatio: '21:9', raw: true, seed: expect.any(Number) } });
    expect(replyOf(await say(t.id, `/cancel ${retryId}`)).text).toBe('Cancelled #2');
    expect(replyOf(await say(t.id, '/retry 3')).card).toMatchObject({ code: 'refused' });
  });

  it('/video takes the attached image (and plain text then makes more clips); other commands refuse an image', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toBuffer();
    const boundary = '----chat-video';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="start.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await app.inject({ method: 'POST', url: '/api/uploads', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { id: upload } = uploaded.json<{ id: string }>();
    const t = await newThread();
    const before = await jobCount();
    const clip = replyOf(await say(t.id, '/video --frames 14 --fps 7', { inputImage: upload }));
    expect(clip.card).toMatchObject({ type: 'jobs', provider: 'comfyui', kind: 'video', jobs: [{ n: 1 }] });
    expect(clip.text).toMatch(/^Queued #1 on ComfyUI \(video\)/);
    expect((await app.inject({ url: `/api/jobs/${jobsOf(clip)[0]!.id}` })).json<Job>().request).toMatchObject({ provider: 'comfyui', kind: 'video', inputImage: upload, params: { frames: 14, fps: 7 } });
    const again = await say(t.id, 'a slow pan --seed 3', { inputImage: upload });
    expect(again.thread.target).toMatchObject({ provider: 'comfyui', kind: 'video' });
    expect(replyOf(again).card).toMatchObject({ type: 'jobs', kind: 'video', jobs: [{ n: 2 }] });
    expect(replyOf(await say(t.id, 'a slow pan')).card).toMatchObject({ type: 'problem', code: 'image_required' });
    expect(replyOf(await say(t.id, '/apex-comfy sd15 a cat', { inputImage: upload })).card).toMatchObject({ type: 'problem', code: 'image_not_taken' });
    expect(replyOf(await say(t.id, '/help', { inputImage: upload })).card).toMatchObject({ type: 'problem', code: 'image_not_taken' });
    expect(await jobCount()).toBe(before + 2);
  });

  it('/v0 queues a site and makes the thread a site thread: plain text waits for the site, then changes it', async () => {
    const t = await newThread();
    const site = replyOf(await say(t.id, '/v0 a landing page for a lighthouse museum --model max'));
    expect(site.card).toMatchObject({ type: 'jobs', provider: 'v0', kind: 'site', jobs: [{ n: 1 }] });
    expect((await app.inject({ url: `/api/jobs/${jobsOf(site)[0]!.id}` })).json<Job>().request).toMatchObject({ provider: 'v0', kind: 'site', model: 'v0-max', prompt: 'a landing page for a lighthouse museum' });
    expect((await app.inject({ url: `/api/chat/threads/${t.id}` })).json<ThreadT>().target).toEqual({ provider: 'v0', kind: 'site', model: 'v0-max' });
    // The site is still being made (no worker runs here): a change waits for it, nothing is queued.
    const early = replyOf(await say(t.id, 'make the header blue'));
    expect(early.card).toMatchObject({ type: 'problem', code: 'refused' });
    expect(early.text).toMatch(/still being made \(#1\)/);
    expect(replyOf(await say(t.id, '/v0 a shop --n 2')).card).toMatchObject({ type: 'problem', code: 'flag_not_taken' });
  });

  it('/agent-list shows the agents; /agent-off and /agent-on switch them, and a queued job says it waits', async () => {
    const t = await newThread();
    const list = replyOf(await say(t.id, '/agent-list ws'));
    expect(list.card).toMatchObject({ type: 'agents', detailed: true });
    expect(list.text).toContain('comfyui-1');
    const off = replyOf(await say(t.id, '/agent-off comfyui'));
    expect(off.card).toMatchObject({ type: 'agent', agent: { name: 'comfyui', enabled: false } });
    const queued = replyOf(await say(t.id, '/apex-comfy sd15 a cat'));
    expect(queued.text).toMatch(/waiting: .*switched off/);
    const on = replyOf(await say(t.id, '/agent-on comfyui'));
    expect(on.card).toMatchObject({ type: 'agent', agent: { name: 'comfyui', enabled: true } });
  });

  it('refuses bodies that are not a message with 400, never 500', async () => {
    const t = await newThread();
    const post = (payload: unknown) => app.inject({ method: 'POST', url: `/api/chat/threads/${t.id}/messages`, payload: payload as InjectOptions['payload'], headers: { 'content-type': 'application/json' } });
    for (const body of ['null', '{}', '{"text":""}', '{"text":"a\\u0000b"}', '{"text":"/help","inputImage":"../x"}', '{"text":"/help","extra":1}', '[]']) {
      const res: LightMyRequestResponse = await post(body);
      expect(res.statusCode, body).toBe(400);
    }
    const huge = await post(JSON.stringify({ text: 'x'.repeat(20_001) }));
    expect(huge.statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/chat/threads/${crypto.randomUUID()}/messages`, payload: { text: '/help' } })).statusCode).toBe(404);
  });
});

describe('messages', () => {
  it('page oldest first by cursor, or from the newest (tail), and keep only the newest past the cap', async () => {
    const t = await newThread();
    for (let i = 1; i <= 4; i++) await say(t.id, `/help ${i === 1 ? 'v0' : 'cancel'}`);
    const read = async (q: string) => {
      const page = (await app.inject({ url: `/api/chat/threads/${t.id}/messages?${q}` })).json<MessagePageT>();
      expect(validPage.errors(page)).toEqual([]);
      return page;
    };
    const first = await read('limit=3');
    expect(first.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(first.prevCursor).toBeUndefined();
    const next = await read(`limit=3&cursor=${first.nextCursor}`);
    expect(next.items.map((m) => m.seq)).toEqual([4, 5, 6]);
    const tail = await read('limit=3&tail=true');
    expect(tail.items.map((m) => m.seq)).toEqual([6, 7, 8]);
    expect(tail.nextCursor).toBeUndefined();
    const older = await read(`limit=3&cursor=${tail.prevCursor}`);
    expect(older.items.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect((await app.inject({ url: `/api/chat/threads/${t.id}/messages?cursor=zz` })).statusCode).toBe(400);

    // The cap (12 here): two more exchanges push the oldest four out.
    for (let i = 0; i < 3; i++) await say(t.id, '/help');
    const all = await read('limit=200');
    expect(all.items.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect((await app.inject({ url: `/api/chat/threads/${t.id}` })).json()).toMatchObject({ messageCount: 14 });
    expect((await read('limit=2&cursor=b4')).items.map((m) => m.seq)).toEqual([3]);
  });

  it('are chat.message events on the one stream (messages and thread changes), in the shared schema', async () => {
    const log = new EventLog(redis, config.keyPrefix);
    const since = await log.lastId();
    const t = await newThread();
    await say(t.id, '/help');
    await app.inject({ method: 'PATCH', url: `/api/chat/threads/${t.id}`, payload: { title: 'renamed' } });
    await app.inject({ method: 'DELETE', url: `/api/chat/threads/${t.id}` });
    const events = (await log.readAfter(since)).filter((e) => e.type === 'chat.message');
    for (const e of events) expect(validEvent.errors(e.data)).toEqual([]);
    const kinds = events.map((e) => (e.type === 'chat.message' ? `${e.data.kind}${e.data.kind === 'message' ? `:${e.data.message.seq}` : ''}` : ''));
    expect(kinds).toEqual(['thread', 'message:1', 'message:2', 'thread', 'thread.deleted']);
  });

  it('survive a server restart', async () => {
    const t = await newThread('kept');
    await say(t.id, '/apex-comfy sd15 a cat');
    await app.close();
    app = await start();
    const thread = (await app.inject({ url: `/api/chat/threads/${t.id}` })).json<ThreadT>();
    expect(thread).toMatchObject({ title: 'kept', messageCount: 2, jobCount: 1, target: { provider: 'comfyui', model: 'v1-5-pruned-emaonly.safetensors' } });
    const page = (await app.inject({ url: `/api/chat/threads/${t.id}/messages` })).json<MessagePageT>();
    expect(page.items.map((m) => m.role)).toEqual(['user', 'assistant']);
    // The thread goes on where it was: #2 on the same target.
    expect(replyOf(await say(t.id, 'a dog')).card).toMatchObject({ type: 'jobs', jobs: [{ n: 2 }] });
  });
});
