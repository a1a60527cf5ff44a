import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { api } from '../../../../test/fakes/v0/testkit.js';
import { capturingLogger } from '../../testing/flux.js';
import { V0Client, type V0Chat } from './client.js';
import { V0Generation, generationState, stopGeneration, type StopDeps } from './stop.js';

/* Stopping a cancelled job's generation on v0: what counts as in flight, and a stop that is best effort. */

let fake: FakeV0;
let log: ReturnType<typeof capturingLogger>;
const signal = new AbortController().signal;

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 1000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.faults = { pendingPolls: 1000 };
  log = capturingLogger();
});

const client = (baseUrl = fake.url): V0Client => new V0Client({ baseUrl, apiKey: fake.apiKey, retryBaseMs: 20 });
const deps = (over: Partial<StopDeps> = {}): StopDeps => ({ client: client(), log: log.logger, timeoutMs: 2000, ...over });
const stopsOf = (chatId: string) => fake.stops.filter((s) => s.chatId === chatId);
const logged = (text: string): boolean => log.lines.some((l) => l.includes(text));

/** A new chat whose generation runs (the fake never finishes it on its own here). */
async function runningChat(): Promise<{ chat: V0Chat; gen: V0Generation }> {
  const chat = await client().createChat({ message: 'a site for a rowing club' }, signal);
  const gen = new V0Generation();
  gen.track(chat.id, { messagesBefore: 0 });
  gen.observe(chat);
  return { chat, gen };
}

const chatAt = (over: Partial<V0Chat>): V0Chat => ({ id: 'c1', webUrl: 'x', createdAt: '', messages: [], ...over });
const msg = (id: string, role: 'user' | 'assistant', finishReason?: string) => ({ id, role, content: '', createdAt: '', ...(finishReason ? { finishReason } : {}) });

describe('generationState', () => {
  it('running with the assistant placeholder; finished once a new version leaves pending or our answer has a finishReason', () => {
    const running = chatAt({ latestVersion: { id: 'v1', status: 'pending', createdAt: '' }, messages: [msg('u1', 'user'), msg('a1', 'assistant')] });
    expect(generationState(running, { messagesBefore: 0 })).toEqual({ finished: false, messageId: 'a1' });
    expect(generationState({ ...running, messages: [msg('u1', 'user')] }, { messagesBefore: 0 })).toEqual({ finished: false });
    expect(generationState({ ...running, latestVersion: { id: 'v1', status: 'completed', createdAt: '' } }, { messagesBefore: 0 })).toEqual({ finished: true });
    expect(generationState({ ...running, latestVersion: { id: 'v1', status: 'failed', createdAt: '' } }, { messagesBefore: 0 })).toEqual({ finished: true });
  });

  it('a follow-up looks only past its own start: the old completed version and old answers do not count', () => {
    const old = [msg('u1', 'user'), msg('a1', 'assistant', 'stop')];
    const o = { messagesBefore: 2, previousVersionId: 'v1' };
    const before = chatAt({ latestVersion: { id: 'v1', status: 'completed', createdAt: '' }, messages: [...old, msg('a2', 'assistant')] });
    expect(generationState(before, o)).toEqual({ finished: false, messageId: 'a2' });
    expect(generationState({ ...before, messages: [...old, msg('a2', 'assistant', 'error')] }, o)).toEqual({ finished: true });
    expect(generationState({ ...before, latestVersion: { id: 'v2', status: 'pending', createdAt: '' } }, o)).toEqual({ finished: false, messageId: 'a2' });
  });
});

describe('stopGeneration', () => {
  it('stops the message v0 last showed in flight, without reading the chat again', async () => {
    const { chat, gen } = await runningChat();
    const polls = fake.stats.polls;
    await stopGeneration(gen, deps());
    expect(stopsOf(chat.id)).toEqual([{ chatId: chat.id, messageId: chat.messages[1]!.id, status: 200, at: expect.any(Number) }]);
    expect(fake.stats.polls).toBe(polls);
    expect(logged('v0 generation stopped')).toBe(true);
  });

  it('reads the chat once to find the in-flight message when no answer named it yet', async () => {
    const { chat, gen } = await runningChat();
    gen.messageId = undefined;
    await stopGeneration(gen, deps());
    expect(stopsOf(chat.id).map((s) => [s.messageId, s.status])).toEqual([[chat.messages[1]!.id, 200]]);
  });

  it('finds the chat by the job id when the create got no answer', async () => {
    const { chat } = await runningChat();
    const gen = new V0Generation();
    gen.requested = true;
    await stopGeneration(gen, deps({ findChat: async () => chat.id }));
    expect(stopsOf(chat.id).map((s) => s.status)).toEqual([200]);
    const nothing = new V0Generation();
    nothing.requested = true;
    await stopGeneration(nothing, deps({ findChat: async () => null }));
    expect(logged('nothing to stop')).toBe(true);
  });

  it('does not call stop when the generation had already finished, or was never asked for', async () => {
    fake.faults.pendingPolls = 0;
    const { chat, gen } = await runningChat();
    gen.messageId = undefined;
    await stopGeneration(gen, deps()); // the one read sees it completed
    const known = await runningChat();
    known.gen.finished = true;
    await stopGeneration(known.gen, deps());
    await stopGeneration(new V0Generation(), deps());
    expect(stopsOf(chat.id)).toEqual([]);
    expect(stopsOf(known.chat.id)).toEqual([]);
    expect(logged('had already finished')).toBe(true);
  });

  it('a 409 (it finished between the last poll and the cancel) is not an error', async () => {
    const { chat, gen } = await runningChat();
    await api(fake, 'POST', `/chats/${chat.id}/messages/${gen.messageId!}/stop`);
    await stopGeneration(gen, deps());
    expect(stopsOf(chat.id).map((s) => s.status)).toEqual([200, 409]);
    expect(logged('no longer being generated')).toBe(true);
  });

  it('never throws: a v0 error, an unreachable v0 and a v0 that does not answer are logged', async () => {
    const { chat, gen } = await runningChat();
    fake.faults.stopError = { status: 500 };
    await stopGeneration(gen, deps());
    expect(stopsOf(chat.id).map((s) => s.status)).toEqual([500]);
    expect(logged('could not stop the v0 generation')).toBe(true);

    let started = Date.now();
    await stopGeneration(gen, deps({ client: client('http://127.0.0.1:1/v1') }));
    expect(Date.now() - started).toBeLessThan(1000);

    fake.faults.stopDelayMs = 3000;
    started = Date.now();
    await stopGeneration(gen, deps({ timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(logged('no answer within 150 ms')).toBe(true);
    expect(log.lines.join('\n')).not.toContain(fake.apiKey);
  });
});
