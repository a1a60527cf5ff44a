// chats.stop (POST /chats/{chatId}/messages/{messageId}/stop): stops the in-flight generation, which then
// never completes; 404 for an unknown chat or message, 409 for a message that is not being generated.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeV0, startFakeV0 } from './index.js';
import { api, type Json, latest, messages } from './testkit.js';

let fake: FakeV0 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const envelope = (type: string): unknown => ({ error: { message: expect.any(String), type } });

/** An async chat whose generation is still running; returns its id and the assistant placeholder's id. */
async function running(f: FakeV0): Promise<{ chatId: string; userId: string; answerId: string }> {
  const { json } = await api(f, 'POST', '/chats', { message: 'a page for a chess club', responseMode: 'async' });
  const [user, answer] = messages(json);
  expect(answer).toMatchObject({ role: 'assistant' });
  expect(answer).not.toHaveProperty('finishReason');
  return { chatId: json.id as string, userId: user!.id as string, answerId: answer!.id as string };
}

const stopPath = (chatId: string, messageId: string): string => `/chats/${chatId}/messages/${messageId}/stop`;

describe('fake v0: chats.stop', () => {
  it('200 {success:true} for an in-flight generation, which then ends "failed" / finishReason "other" and never completes', async () => {
    fake = await startFakeV0({ pendingPolls: 2 });
    const { chatId, answerId } = await running(fake);
    expect(fake.stats.inFlight).toBe(1);
    const r = await api(fake, 'POST', stopPath(chatId, answerId));
    expect([r.status, r.json]).toEqual([200, { success: true }]);
    expect(fake.stops).toEqual([{ chatId, messageId: answerId, status: 200, at: expect.any(Number) }]);
    expect(fake.stats).toMatchObject({ stopped: 1, inFlight: 0 });
    for (let i = 0; i < 4; i++) {
      const chat = (await api(fake, 'GET', `/chats/${chatId}`)).json;
      expect(latest(chat)).toMatchObject({ status: 'failed', files: [] });
      expect(latest(chat).demoUrl).toBeUndefined();
      expect(messages(chat).at(-1)).toMatchObject({ id: answerId, role: 'assistant', finishReason: 'other' });
    }
    expect((await api(fake, 'GET', `/chats/${chatId}/messages/${answerId}`)).json).toMatchObject({ finishReason: 'other' });
    // the chat is free again: a follow-up is accepted (no 409)
    expect((await api(fake, 'POST', `/chats/${chatId}/messages`, { message: 'try again', responseMode: 'async' })).status).toBe(200);
  });

  it('stops the generation of a follow-up message too', async () => {
    fake = await startFakeV0({ pendingPolls: 0 });
    const first = (await api(fake, 'POST', '/chats', { message: 'a bakery' })).json; // sync: completed
    const chatId = first.id as string;
    const reply = (await api(fake, 'POST', `/chats/${chatId}/messages`, { message: 'add a menu', responseMode: 'async' })).json;
    const answer = messages(reply).at(-1)!;
    expect(answer).toMatchObject({ role: 'assistant' });
    expect(answer).not.toHaveProperty('finishReason');
    expect((await api(fake, 'POST', stopPath(chatId, answer.id as string))).json).toEqual({ success: true });
    const chat = (await api(fake, 'GET', `/chats/${chatId}`)).json;
    expect(latest(chat)).toMatchObject({ status: 'failed' });
    expect(latest(chat).id).not.toBe(latest(first).id);
    expect(messages(chat).map((m) => m.finishReason)).toEqual([undefined, 'stop', undefined, 'other']);
  });

  it('404 not_found_error for an unknown chat or message; the generation goes on', async () => {
    fake = await startFakeV0({ pendingPolls: 1 });
    const { chatId, answerId } = await running(fake);
    for (const path of [stopPath('nope', answerId), stopPath(chatId, 'nope')]) {
      const r = await api(fake, 'POST', path);
      expect([path, r.status, r.json]).toEqual([path, 404, envelope('not_found_error')]);
    }
    expect(fake.stops.map((s) => s.status)).toEqual([404, 404]);
    expect(fake.stats.stopped).toBe(0);
    await api(fake, 'GET', `/chats/${chatId}`);
    expect(latest((await api(fake, 'GET', `/chats/${chatId}`)).json).status).toBe('completed');
  });

  it('401 without a valid key, 403 for a key without API access, like every other route; nothing is stopped', async () => {
    fake = await startFakeV0({ pendingPolls: 100 });
    const { chatId, answerId } = await running(fake);
    for (const auth of [null, 'Bearer v0_wrong']) {
      const r = await api(fake, 'POST', stopPath(chatId, answerId), undefined, auth);
      expect([r.status, r.json]).toEqual([401, envelope('unauthorized_error')]);
    }
    const r = await api(fake, 'POST', stopPath(chatId, answerId), undefined, `Bearer ${fake.freePlanKey}`);
    expect([r.status, r.json]).toEqual([403, envelope('forbidden_error')]);
    expect(fake.stops).toEqual([]); // only authenticated calls are recorded
    expect(fake.stats.inFlight).toBe(1);
  });

  it('409 conflict_error for a finished answer and for a user message', async () => {
    fake = await startFakeV0({ pendingPolls: 0 });
    const first = (await api(fake, 'POST', '/chats', { message: 'a florist' })).json; // sync: completed
    const [user, answer] = messages(first);
    for (const id of [answer!.id, user!.id] as string[]) {
      const r = await api(fake, 'POST', stopPath(first.id as string, id));
      expect([r.status, r.json]).toEqual([409, envelope('conflict_error')]);
    }
    // a stopped answer is finished too: a second stop is a 409
    const { chatId, answerId, userId } = await running(fake);
    expect((await api(fake, 'POST', stopPath(chatId, userId))).status).toBe(409);
    expect((await api(fake, 'POST', stopPath(chatId, answerId))).status).toBe(200);
    expect((await api(fake, 'POST', stopPath(chatId, answerId))).status).toBe(409);
    expect(latest((await api(fake, 'GET', `/chats/${first.id as string}`)).json).status).toBe('completed');
    expect(fake.stats.stopped).toBe(1);
  });

  it('faults: stopError answers one error and stops nothing; stopDelayMs holds the answer back', async () => {
    fake = await startFakeV0({ pendingPolls: 100 });
    const { chatId, answerId } = await running(fake);
    fake.faults.stopError = { status: 500 };
    const r = await api(fake, 'POST', stopPath(chatId, answerId));
    expect([r.status, r.json]).toEqual([500, envelope('internal_server_error')]);
    expect(fake.stats.inFlight).toBe(1);
    fake.faults.stopDelayMs = 150;
    const started = Date.now();
    expect((await api(fake, 'POST', stopPath(chatId, answerId))).json).toEqual({ success: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(fake.stops.map((s) => s.status)).toEqual([500, 200]);
  });

  it('the chat list and the version list show a stopped generation as failed', async () => {
    fake = await startFakeV0({ pendingPolls: 100 });
    const { chatId, answerId } = await running(fake);
    await api(fake, 'POST', stopPath(chatId, answerId));
    const summary = ((await api(fake, 'GET', '/chats')).json.data as Json[]).find((c) => c.id === chatId)!;
    expect(summary.latestVersion).toMatchObject({ status: 'failed' });
    const versions = (await api(fake, 'GET', `/chats/${chatId}/versions`)).json.data as Json[];
    expect(versions.map((v) => v.status)).toEqual(['failed']);
  });
});
