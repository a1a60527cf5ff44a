// Chat lifecycle of the fake v0 Platform API: sync and async creation, pending → completed/failed,
// follow-up versions, files, and offset-paged chat lists without totals.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeV0, startFakeV0 } from './index.js';
import { api, type Json, latest, messages, pollChat } from './testkit.js';

let fake: FakeV0 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake v0: creating chats', () => {
  it('sync create blocks until done and returns a completed ChatDetail with files, demoUrl and webUrl', async () => {
    fake = await startFakeV0({ syncMs: 30 });
    const started = Date.now();
    const { status, json } = await api(fake, 'POST', '/chats', { message: 'a landing page for a bakery', chatPrivacy: 'unlisted' });
    expect(status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(json).toMatchObject({ object: 'chat', privacy: 'unlisted', shareable: true, favorite: false, text: 'a landing page for a bakery', permissions: { write: true } });
    for (const k of ['id', 'createdAt', 'authorId', 'webUrl', 'apiUrl', 'url', 'metadata', 'modelConfiguration']) expect(json).toHaveProperty(k);
    expect(json.apiUrl).toBe(`${fake.url}/chats/${json.id as string}`);
    const v = latest(json);
    expect(v).toMatchObject({ object: 'version', status: 'completed' });
    expect(new URL(v.demoUrl as string).origin).toBe(fake.demoHost);
    expect(new URL(v.demoUrl as string).hostname).not.toBe(new URL(fake.url).hostname);
    expect(json.demo).toBe(v.demoUrl); // deprecated alias
    const files = v.files as Json[];
    expect(files.map((f) => f.name)).toContain('app/page.tsx');
    expect(files[0]).toEqual({ object: 'file', name: expect.any(String), content: expect.stringContaining('bakery'), locked: false });
    expect((json.files as Json[])[0]).toMatchObject({ lang: expect.any(String), meta: expect.any(Object), source: expect.any(String) }); // legacy shape
    expect(messages(json).map((m) => [m.role, m.finishReason])).toEqual([['user', undefined], ['assistant', 'stop']]);
  });

  it('async create answers at once with a pending version, stays pending for pendingPolls reads, then completes', async () => {
    fake = await startFakeV0({ pendingPolls: 3 });
    const { json } = await api(fake, 'POST', '/chats', { message: 'todo app', responseMode: 'async' });
    expect(latest(json)).toMatchObject({ status: 'pending', files: [] });
    expect(latest(json).demoUrl).toBeUndefined();
    // the "message placeholder" of async mode: the assistant message exists, without a finishReason yet
    expect(messages(json).map((m) => [m.role, m.finishReason])).toEqual([['user', undefined], ['assistant', undefined]]);
    expect(fake.stats.inFlight).toBe(1);
    const { chat, seen } = await pollChat(fake, json.id as string);
    expect(seen).toEqual(['pending', 'pending', 'pending', 'completed']);
    expect(latest(chat).demoUrl).toBeTruthy();
    expect(messages(chat).at(-1)).toMatchObject({ id: messages(json)[1]!.id, role: 'assistant', finishReason: 'stop' }); // the placeholder, finished
    expect(messages(chat)).toHaveLength(2);
    expect(fake.stats).toMatchObject({ chatsCreated: 1, maxInFlight: 1 });
    expect(fake.stats.inFlight).toBe(0);
  });

  it('async create can fail: version "failed", no demoUrl, assistant finishReason "error" (failNext is one-shot)', async () => {
    fake = await startFakeV0({ pendingPolls: 1 });
    fake.faults.failNext = true;
    const { json } = await api(fake, 'POST', '/chats', { message: 'x', responseMode: 'async' });
    const { chat, seen } = await pollChat(fake, json.id as string);
    expect(seen).toEqual(['pending', 'failed']);
    expect(latest(chat).demoUrl).toBeUndefined();
    expect(messages(chat).at(-1)).toMatchObject({ role: 'assistant', finishReason: 'error' });
    const next = await api(fake, 'POST', '/chats', { message: 'y' });
    expect(latest(next.json).status).toBe('completed');
  });

  it('finishes an async generation that nobody polls once generationMs has passed', async () => {
    let clock = 0;
    fake = await startFakeV0({ pendingPolls: 100, generationMs: 10_000, now: () => clock });
    const { json } = await api(fake, 'POST', '/chats', { message: 'x', responseMode: 'async' });
    clock = 10_000;
    expect(fake.stats.inFlight).toBe(0);
    expect(latest((await api(fake, 'GET', `/chats/${json.id as string}`)).json).status).toBe('completed');
  });
});

describe('fake v0: follow-ups, versions and messages', () => {
  it('sendMessage makes a new version; the async reply leaves out the new user message; 409 while pending', async () => {
    fake = await startFakeV0({ pendingPolls: 1 });
    const first = (await api(fake, 'POST', '/chats', { message: 'portfolio site' })).json;
    const id = first.id as string;
    const reply = await api(fake, 'POST', `/chats/${id}/messages`, { message: 'add a contact form', responseMode: 'async' });
    expect(reply.status).toBe(200);
    expect(latest(reply.json).status).toBe('pending');
    expect(latest(reply.json).id).not.toBe(latest(first).id);
    expect(messages(reply.json).map((m) => m.content)).not.toContain('add a contact form');
    expect((await api(fake, 'POST', `/chats/${id}/messages`, { message: 'too soon' })).json).toEqual({
      error: { message: expect.any(String), type: 'conflict_error' },
    });
    const { chat } = await pollChat(fake, id);
    expect(messages(chat).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const page = (latest(chat).files as Json[]).find((f) => f.name === 'app/page.tsx')!;
    expect(page.content).toContain('add a contact form');

    const versions = (await api(fake, 'GET', `/chats/${id}/versions`)).json;
    expect((versions.data as Json[]).map((v) => v.id)).toEqual([latest(chat).id, latest(first).id]); // newest first
    expect(versions).toMatchObject({ object: 'list', pagination: { hasMore: false }, meta: { totalCount: 2 } });
  });

  it('GET a version returns its files; includeDefaultFiles=true adds package.json and config', async () => {
    fake = await startFakeV0();
    const chat = (await api(fake, 'POST', '/chats', { message: 'blog' })).json;
    const path = `/chats/${chat.id as string}/versions/${latest(chat).id as string}`;
    const plain = (await api(fake, 'GET', path)).json;
    expect(plain).toMatchObject({ object: 'version', status: 'completed' });
    const names = (v: Json): string[] => (v.files as Json[]).map((f) => f.name as string);
    expect(names(plain)).not.toContain('package.json');
    expect(names((await api(fake, 'GET', `${path}?includeDefaultFiles=true`)).json)).toEqual(expect.arrayContaining(['package.json', 'app/page.tsx']));
  });

  it('gets one message (MessageDetail with chatId) and pages messages with a cursor', async () => {
    fake = await startFakeV0();
    const chat = (await api(fake, 'POST', '/chats', { message: 'one' })).json;
    const id = chat.id as string;
    await api(fake, 'POST', `/chats/${id}/messages`, { message: 'two' });
    const msg = messages(chat)[0]!;
    expect((await api(fake, 'GET', `/chats/${id}/messages/${msg.id as string}`)).json).toMatchObject({ id: msg.id, chatId: id, role: 'user', content: 'one' });
    const p1 = (await api(fake, 'GET', `/chats/${id}/messages?limit=3`)).json;
    expect((p1.data as Json[]).map((m) => m.content)).toEqual([expect.any(String), 'two', expect.any(String)]);
    const pag = p1.pagination as Json;
    expect(pag.hasMore).toBe(true);
    const p2 = (await api(fake, 'GET', `/chats/${id}/messages?limit=3&cursor=${encodeURIComponent(pag.nextCursor as string)}`)).json;
    expect((p2.data as Json[]).map((m) => m.content)).toEqual(['one']);
    expect(p2.pagination).toEqual({ hasMore: false });
  });
});

describe('fake v0: listing chats', () => {
  it('pages with limit/offset, newest first, with no total and no hasMore (a short page ends it)', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api(fake, 'POST', '/chats', { message: `chat ${i}` })).json.id as string);
    const pages: string[][] = [];
    for (let offset = 0; ; offset += 2) {
      const { json } = await api(fake, 'GET', `/chats?limit=2&offset=${offset}`);
      expect(Object.keys(json).sort()).toEqual(['data', 'object']);
      const data = json.data as Json[];
      pages.push(data.map((c) => c.id as string));
      if (data.length < 2) break;
    }
    expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
    const summary = ((await api(fake, 'GET', '/chats')).json.data as Json[])[0]!;
    expect(summary).not.toHaveProperty('messages');
    expect(summary.latestVersion).not.toHaveProperty('files');
  });

  it('filters by favorite and by metadata pairs; deleting a chat makes it 404', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const a = (await api(fake, 'POST', '/chats', { message: 'a', metadata: { owner: 'job-1' } })).json.id as string;
    const b = (await api(fake, 'POST', '/chats', { message: 'b', metadata: { owner: 'job-2' } })).json.id as string;
    expect((await api(fake, 'PUT', `/chats/${a}/favorite`, { isFavorite: true })).json).toEqual({ id: a, object: 'chat', favorited: true });
    const ids = async (q: string): Promise<unknown[]> => ((await api(fake!, 'GET', `/chats?${q}`)).json.data as Json[]).map((c) => c.id);
    expect(await ids('isFavorite=true')).toEqual([a]);
    expect(await ids('isFavorite=false')).toEqual([b]);
    expect(await ids(`metadata[owner]=job-2`)).toEqual([b]);
    expect((await api(fake, 'DELETE', `/chats/${b}`)).json).toEqual({ id: b, object: 'chat', deleted: true });
    expect((await api(fake, 'GET', `/chats/${b}`)).status).toBe(404);
  });
});
