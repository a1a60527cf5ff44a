import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { JobFailure } from '../../errors.js';
import { V0ApiError, V0Client, parseRetryAfter } from './client.js';
import { toJobError } from './errors.js';

let fake: FakeV0;
let limited: FakeV0; // every generation is over the rate limit: 429 without Retry-After
const signal = new AbortController().signal;

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 0 });
  limited = await startFakeV0({ rateLimit: { limit: 0, windowMs: 60_000 } });
});
afterAll(async () => {
  await fake.close();
  await limited.close();
});
beforeEach(() => {
  fake.faults = { pendingPolls: 0 };
});

const client = (f: FakeV0 = fake, over: Partial<ConstructorParameters<typeof V0Client>[0]> = {}): V0Client =>
  new V0Client({ baseUrl: f.url, apiKey: f.apiKey, retryBaseMs: 20, ...over });

async function jobError(p: Promise<unknown>): Promise<JobFailure> {
  const err = toJobError(await p.then(() => null, (e: unknown) => e), signal, 'testing');
  expect(err).toBeInstanceOf(JobFailure);
  expect(err.message).not.toContain(fake.apiKey);
  return err as JobFailure;
}

describe('v0 client: errors become clear job failures', () => {
  const table: [401 | 403 | 404 | 409 | 413 | 422 | 500, string, RegExp][] = [
    [401, 'provider_auth', /rejected the API key: check V0_API_KEY/],
    [403, 'provider_forbidden', /Premium or Team plan/],
    [404, 'not_found', /no such chat/],
    [409, 'conflict', /still generating/],
    [413, 'too_large', /too large/],
    [422, 'validation_failed', /refused the request as invalid/],
    [500, 'backend_error', /internal error \(HTTP 500\)/],
  ];
  it.each(table)('HTTP %i → %s with a message for people', async (status, code, message) => {
    fake.faults.error = { status, message: `simulated ${status}` };
    const err = await jobError(client(fake, { maxRetries: 0 }).getChat('anything', signal));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`v0 says: simulated ${status}`);
    expect(err.details).toMatchObject({ status });
  });

  it('a wrong key is 401 provider_auth; a key without API access is 403 provider_forbidden', async () => {
    expect((await jobError(new V0Client({ baseUrl: fake.url, apiKey: 'v0_wrong' }).findChats({ limit: 1, offset: 0 }, signal))).code).toBe('provider_auth');
    expect((await jobError(new V0Client({ baseUrl: fake.url, apiKey: fake.freePlanKey }).findChats({ limit: 1, offset: 0 }, signal))).code).toBe('provider_forbidden');
  });

  it('a read rides out a passing 500 (a write would not be repeated)', async () => {
    const chat = await client().createChat({ message: 'a page' }, signal);
    fake.faults.error = { status: 500 };
    expect((await client().getChat(chat.id, signal)).id).toBe(chat.id);
    fake.faults.error = { status: 500 };
    const sent = fake.stats.messagesSent;
    expect((await jobError(client().sendMessage(chat.id, { message: 'more' }, signal))).code).toBe('backend_error');
    expect(fake.stats.messagesSent).toBe(sent);
  });

  it('an unreachable API is a provider_error naming the problem', async () => {
    const err = await jobError(new V0Client({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', maxRetries: 0 }).getChat('x', signal));
    expect(err.code).toBe('provider_error');
    expect(err.message).toMatch(/v0 could not be reached/);
  });
});

describe('v0 client: 429', () => {
  it('waits for Retry-After, then retries and succeeds', async () => {
    fake.faults.status429 = { retryAfterSec: 1 };
    const started = Date.now();
    const chats = await client(fake, { retryBaseMs: 10 }).findChats({ limit: 1, offset: 0 }, signal);
    expect(Array.isArray(chats)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('without Retry-After backs off and retries (a create is safe to repeat: v0 rejected it)', async () => {
    fake.faults.status429 = {};
    const created = fake.stats.chatsCreated;
    const chat = await client().createChat({ message: 'a page after a 429' }, signal);
    expect(chat.id).toBeTruthy();
    expect(fake.stats.chatsCreated).toBe(created + 1);
  });

  it('gives up after a bounded number of retries with rate_limited', async () => {
    const before = limited.stats.requests;
    const err = await jobError(client(limited, { maxRetries: 2, retryBaseMs: 5 }).createChat({ message: 'x' }, signal));
    expect(err.code).toBe('rate_limited');
    expect(limited.stats.requests - before).toBe(3);
  });

  it('does not wait out a Retry-After longer than its limit', async () => {
    fake.faults.status429 = { retryAfterSec: 3600 };
    const started = Date.now();
    const err = await jobError(client(fake, { maxRetryAfterMs: 1000 }).getChat('x', signal));
    expect(err.code).toBe('rate_limited');
    expect(err.message).toMatch(/asked to wait 3600 s/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('v0 client: lists', () => {
  it('pages the chat list by offset without any total (a short page is the end)', async () => {
    const f = await startFakeV0();
    try {
      const c = client(f);
      for (let i = 0; i < 5; i++) await c.createChat({ message: `chat ${i}` }, signal);
      const pages = [];
      for (let offset = 0; ; offset += 2) {
        const page = await c.findChats({ limit: 2, offset }, signal);
        pages.push(page.map((x) => x.name));
        if (page.length < 2) break;
      }
      expect(pages).toEqual([['Chat 4', 'Chat 3'], ['Chat 2', 'Chat 1'], ['Chat 0']]);
    } finally {
      await f.close();
    }
  });

  it('pages versions by cursor, newest first', async () => {
    const c = client();
    const chat = await c.createChat({ message: 'a versioned site' }, signal);
    await c.getChat(chat.id, signal); // pendingPolls 0: completed
    await c.sendMessage(chat.id, { message: 'second' }, signal);
    await c.getChat(chat.id, signal);
    const first = await c.findVersions(chat.id, { limit: 1 }, signal);
    expect(first.nextCursor).toBeTruthy();
    const second = await c.findVersions(chat.id, { limit: 1, cursor: first.nextCursor! }, signal);
    expect(second.nextCursor).toBeUndefined();
    expect(first.data[0]!.id).not.toBe(second.data[0]!.id);
  });

  it('a V0ApiError never carries the key', async () => {
    fake.faults.error = { status: 401 };
    const err = (await client().getChat('x', signal).catch((e: unknown) => e)) as V0ApiError;
    expect(err).toBeInstanceOf(V0ApiError);
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(fake.apiKey);
  });
});
