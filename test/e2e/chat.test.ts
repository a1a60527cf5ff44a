import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventLog, type AppEvent, type ChatThread, type Job, type PostMessageResult } from '@orchestrator/shared';
import sharp from 'sharp';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * The chat drives the whole stack: a /apex-comfy command through the ComfyUI fake ends in a completed
 * job with its image; /agent-off comfyui-1 makes the next command's job wait with that reason, and
 * /agent-on lets it run; a second client sees every message live on the event channel, and one that
 * reconnects gets them replayed; /v0 makes a site that plain text then changes (the v0 fake); /video
 * turns an uploaded image into a clip.
 */

let stack: Stack;
let v0: FakeV0;

beforeAll(async () => {
  v0 = await startFakeV0({ pendingPolls: 1, syncMs: 10 });
  stack = await startStack('e2e-chat', {
    comfy: { stepMs: 20, checkpoints: [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'] },
    env: { V0_API_URL: v0.url, V0_API_KEY: v0.apiKey },
  });
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
});

// A loaded machine can take a while to stop the worker and its fakes.
afterAll(async () => {
  await stack?.close();
  await v0?.close();
}, 60_000);

async function api<T>(path: string, body?: object): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  expect(res.status, `${path}: ${res.status}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const say = (thread: string, text: string, inputImage?: string) => api<PostMessageResult>(`/api/chat/threads/${thread}/messages`, { text, ...(inputImage ? { inputImage } : {}) });
const jobsOf = (r: PostMessageResult) => {
  const card = r.messages[1]!.card;
  return card?.type === 'jobs' ? card.jobs : [];
};
const job = (id: string) => api<Job>(`/api/jobs/${id}`);
const completed = (id: string, what: string) =>
  waitFor(
    async () => {
      const j = await job(id);
      if (j.status === 'failed' || j.status === 'cancelled') throw new Error(`${what}: ${j.status} ${j.error?.message ?? ''}`);
      return j.status === 'completed' ? j : null;
    },
    20000,
    what,
  );

describe('the chat, end to end', () => {
  it('turns /apex-comfy into a completed job card with its image, and a second client sees the messages live', async () => {
    const ws = new WebSocket(`${stack.wsUrl}/api/ws`);
    const events: AppEvent[] = [];
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.id) events.push(e);
    });
    await new Promise((r) => ws.once('open', r));

    const thread = await api<ChatThread>('/api/chat/threads', {});
    const r = await say(thread.id, '/apex-comfy sdxl a lighthouse at dusk --steps 6 --size 512x512 --seed 42');
    const [ref] = jobsOf(r);
    expect(ref).toMatchObject({ n: 1 });
    const done = await waitFor(async () => {
      const j = await job(ref!.id);
      return j.status === 'completed' ? j : null;
    }, 20000, 'the job to complete');
    expect(done.request).toMatchObject({ model: 'sd_xl_base_1.0.safetensors', prompt: 'a lighthouse at dusk', params: { steps: 6, width: 512, height: 512, seed: 42 } });
    expect(done.assets?.[0]).toMatchObject({ type: 'image' });
    const file = await fetch(`${stack.url}${done.assets![0]!.url}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('image/png');

    await waitFor(() => events.filter((e) => e.type === 'chat.message').length >= 3, 5000, 'the chat events');
    ws.close();
    const chat = events.filter((e): e is Extract<AppEvent, { type: 'chat.message' }> => e.type === 'chat.message');
    expect(chat.map((e) => e.data.kind)).toEqual(expect.arrayContaining(['thread', 'message']));
    const texts = chat.flatMap((e) => (e.data.kind === 'message' ? [e.data.message.text] : []));
    expect(texts[0]).toContain('/apex-comfy sdxl a lighthouse');
    expect(texts[1]).toMatch(/^Queued #1 on ComfyUI/);
  });

  it('replays the chat to a client that reconnects with the last event id it saw', async () => {
    const seen = await new EventLog(stack.redis, stack.config.keyPrefix).lastId();
    const thread = await api<ChatThread>('/api/chat/threads', { title: 'while away' });
    await say(thread.id, '/help cancel');
    const ws = new WebSocket(`${stack.wsUrl}/api/ws?since=${encodeURIComponent(seen)}`);
    const events: AppEvent[] = [];
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.type === 'chat.message') events.push(e);
    });
    await waitFor(() => events.length >= 3, 5000, 'the replayed chat events');
    ws.close();
    const kinds = events.map((e) => (e.type === 'chat.message' ? (e.data.kind === 'message' ? `${e.data.message.role}:${e.data.message.text.split('\n')[0]}` : e.data.kind) : ''));
    expect(kinds).toEqual(['thread', 'user:/help cancel', 'assistant:/cancel [n|job-id]']);
  });

  it('/agent-off comfyui-1: the next job waits with that reason; /agent-on comfyui-1: it runs', async () => {
    const thread = await api<ChatThread>('/api/chat/threads', { title: 'switches' });
    const off = await say(thread.id, '/agent-off comfyui-1');
    expect(off.messages[1]!.card).toMatchObject({ type: 'agent', agent: { name: 'comfyui-1', enabled: false } });

    const queued = await say(thread.id, '/apex-comfy sd15 a fox in the snow --steps 4 --size 512x512');
    expect(queued.messages[1]!.text).toMatch(/waiting: .*switched off/);
    const [ref] = jobsOf(queued);
    const waiting = await job(ref!.id);
    expect(waiting.status).toBe('queued');
    expect(waiting.queue).toMatchObject({ reason: 'backends_off' });
    // Still waiting a while later: nothing starts on a backend that is off.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await job(ref!.id)).status).toBe('queued');

    const on = await say(thread.id, '/agent-on comfyui-1');
    expect(on.messages[1]!.card).toMatchObject({ type: 'agent', agent: { name: 'comfyui-1', enabled: true } });
    const done = await waitFor(async () => {
      const j = await job(ref!.id);
      return j.status === 'completed' ? j : null;
    }, 20000, 'the job to run once the backend is on');
    expect(done.backend).toBe('comfyui-1');

    // The thread keeps its history and target: plain text is the next prompt for the same model.
    const next = await say(thread.id, 'a fox at night --steps 4 --size 512x512');
    expect(jobsOf(next)).toMatchObject([{ n: 2 }]);
    expect((await job(jobsOf(next)[0]!.id)).request).toMatchObject({ model: 'v1-5-pruned-emaonly.safetensors', prompt: 'a fox at night' });
  });
  it('/v0 makes a site; plain text in that thread then changes the site (a v0 follow-up, a new version)', async () => {
    const thread = await api<ChatThread>('/api/chat/threads', {});
    const [site] = jobsOf(await say(thread.id, '/v0 a landing page for a lighthouse museum'));
    const made = await completed(site!.id, 'the site');
    const asset = made.assets?.find((a) => a.type === 'site');
    expect(asset).toBeDefined();
    const change = await say(thread.id, 'make the header dark blue');
    expect(change.messages[1]!.text).toMatch(/^Queued a change to the site, #2 on v0/);
    const [ref] = jobsOf(change);
    const changed = await completed(ref!.id, 'the change');
    expect(changed.request).toMatchObject({ provider: 'v0', kind: 'site', prompt: 'make the header dark blue', followUp: { assetId: asset!.id } });
    expect(changed.assets?.find((a) => a.type === 'site')?.id).toBe(asset!.id);
  });

  it('/video with an attached image makes a clip from it', async () => {
    const form = new FormData();
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: 'teal' } }).png().toBuffer();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'start.png');
    const upload = (await (await fetch(`${stack.url}/api/uploads`, { method: 'POST', body: form })).json()) as { id: string };
    const thread = await api<ChatThread>('/api/chat/threads', {});
    const r = await say(thread.id, '/video --frames 4 --steps 2 --seed 11', upload.id);
    expect(r.messages[0]).toMatchObject({ inputImage: upload.id });
    const [ref] = jobsOf(r);
    const done = await completed(ref!.id, 'the clip');
    expect(done.request).toMatchObject({ provider: 'comfyui', kind: 'video', inputImage: upload.id, params: { frames: 4, steps: 2, seed: 11 } });
    expect(done.assets?.map((a) => a.type)).toEqual(['video']);
  });
});
