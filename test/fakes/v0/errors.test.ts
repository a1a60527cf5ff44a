// The v0 error envelope `{ error: { message, type } }` for 401/403/404/409/413/422/429/500, and rate limits.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeV0, startFakeV0 } from './index.js';
import { api } from './testkit.js';

let fake: FakeV0 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const envelope = (type: string): unknown => ({ error: { message: expect.any(String), type } });

describe('fake v0: auth', () => {
  it('401 without a key, with a non-Bearer scheme or a wrong key; 403 for a key without API access', async () => {
    fake = await startFakeV0();
    for (const auth of [null, fake.apiKey, `Basic ${fake.apiKey}`, 'Bearer v0_wrong']) {
      const r = await api(fake, 'GET', '/chats', undefined, auth);
      expect([r.status, r.json]).toEqual([401, envelope('unauthorized_error')]);
    }
    const r = await api(fake, 'GET', '/chats', undefined, `Bearer ${fake.freePlanKey}`);
    expect([r.status, r.json]).toEqual([403, envelope('forbidden_error')]);
    expect((await api(fake, 'GET', '/chats', undefined, `bearer ${fake.apiKey}`)).status).toBe(200);
  });
});

describe('fake v0: not found', () => {
  it('404 not_found_error for unknown chats, versions, messages and routes', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'x' })).json;
    const id = chat.id as string;
    for (const path of ['/chats/nope', `/chats/${id}/versions/nope`, `/chats/${id}/messages/nope`, '/nothing-here', '/chats/%E0%A4%A']) {
      const r = await api(fake, 'GET', path);
      expect([path, r.status, r.json]).toEqual([path, 404, envelope('not_found_error')]);
    }
    expect((await api(fake, 'POST', '/chats/nope/messages', { message: 'x' })).status).toBe(404);
  });
});

describe('fake v0: validation (422 unprocessable_entity_error)', () => {
  const bad: [string, unknown][] = [
    ['missing message', { system: 'x' }],
    ['message not a string', { message: 42 }],
    ['unknown top-level key', { message: 'x', prompt: 'x' }],
    ['bad chatPrivacy', { message: 'x', chatPrivacy: 'secret' }],
    ['bad modelId', { message: 'x', modelConfiguration: { modelId: 'gpt-4' } }],
    ['unknown modelConfiguration key', { message: 'x', modelConfiguration: { temperature: 1 } }],
    ['bad responseMode', { message: 'x', responseMode: 'stream' }],
    ['attachment without url', { message: 'x', attachments: [{ name: 'a.png' }] }],
    ['metadata key over 40 characters', { message: 'x', metadata: { ['k'.repeat(41)]: 'v' } }],
    ['metadata value not a string', { message: 'x', metadata: { k: 1 } }],
    ['more than 3 skills', { message: 'x', skills: [1, 2, 3, 4].map((i) => ({ type: 'remote', id: `s${i}` })) }],
    ['experimental_stream (not simulated)', { message: 'x', responseMode: 'experimental_stream' }],
    ['not JSON', '{oops'],
    ['array body', ['x']],
  ];
  it.each(bad)('POST /chats with %s → 422', async (_name, body) => {
    fake = await startFakeV0({ syncMs: 0 });
    const r = await api(fake, 'POST', '/chats', body);
    expect([r.status, r.json]).toEqual([422, envelope('unprocessable_entity_error')]);
    expect(fake.stats.chatsCreated).toBe(0);
  });

  it.each(['limit=61', 'limit=0', 'limit=ten', 'offset=-1', 'isFavorite=yes'])('GET /chats?%s → 422', async (q) => {
    fake = await startFakeV0();
    expect((await api(fake, 'GET', `/chats?${q}`)).status).toBe(422);
  });

  it('422 for a bad sendMessage action, a bad cursor and a bad includeDefaultFiles', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'x' })).json;
    const id = chat.id as string;
    const vid = (chat.latestVersion as { id: string }).id;
    expect((await api(fake, 'POST', `/chats/${id}/messages`, { message: 'x', action: { type: 'undo' } })).status).toBe(422);
    expect((await api(fake, 'POST', `/chats/${id}/messages`, { message: 'fix it', action: { type: 'fix-with-v0' } })).status).toBe(200);
    expect((await api(fake, 'GET', `/chats/${id}/versions?cursor=garbage`)).status).toBe(422);
    expect((await api(fake, 'GET', `/chats/${id}/versions/${vid}?includeDefaultFiles=yes`)).status).toBe(422);
    expect((await api(fake, 'PUT', `/chats/${id}/favorite`, { isFavorite: 'true' })).status).toBe(422);
  });
});

describe('fake v0: payload size, rate limits and forced errors', () => {
  it('413 payload_too_large_error above maxBodyBytes', async () => {
    fake = await startFakeV0({ maxBodyBytes: 1024 });
    const r = await api(fake, 'POST', '/chats', { message: 'x'.repeat(2048) });
    expect([r.status, r.json]).toEqual([413, envelope('payload_too_large_error')]);
  });

  it('status429 fault answers one 429, with Retry-After only when asked', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    fake.faults.status429 = { retryAfterSec: 7 };
    const a = await api(fake, 'POST', '/chats', { message: 'x' });
    expect([a.status, a.headers.get('retry-after'), a.json]).toEqual([429, '7', envelope('too_many_requests_error')]);
    fake.faults.status429 = {};
    const b = await api(fake, 'GET', '/chats');
    expect([b.status, b.headers.get('retry-after')]).toEqual([429, null]);
    expect((await api(fake, 'GET', '/chats')).status).toBe(200);
  });

  it('rate-limits generations (429 without Retry-After) and reports them on /rate-limits', async () => {
    fake = await startFakeV0({ syncMs: 0, rateLimit: { limit: 2, windowMs: 60_000 } });
    expect((await api(fake, 'GET', '/rate-limits')).json).toMatchObject({ limit: 2, remaining: 2 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'x' })).json;
    expect((await api(fake, 'POST', `/chats/${chat.id as string}/messages`, { message: 'y' })).status).toBe(200);
    const r = await api(fake, 'POST', '/chats', { message: 'z' });
    expect([r.status, r.headers.get('retry-after'), r.json]).toEqual([429, null, envelope('too_many_requests_error')]);
    const limits = (await api(fake, 'GET', '/rate-limits')).json;
    expect(limits).toMatchObject({ limit: 2, remaining: 0, reset: expect.any(Number) });
    expect((await api(fake, 'GET', `/chats/${chat.id as string}`)).status).toBe(200); // reads are not limited
  });

  it.each([409, 500] as const)('the error fault forces one %i with its envelope type', async (status) => {
    fake = await startFakeV0();
    fake.faults.error = { status };
    const r = await api(fake, 'GET', '/chats');
    expect([r.status, r.json]).toEqual([status, envelope(status === 409 ? 'conflict_error' : 'internal_server_error')]);
    expect((await api(fake, 'GET', '/chats')).status).toBe(200);
  });
});
