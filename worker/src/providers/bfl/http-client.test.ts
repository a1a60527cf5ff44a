import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBfl, type FakeBfl } from '../../../../test/fakes/bfl/index.js';
import { BflError, BflHttpClient, errorDetail, parseRetryAfter, trustedHost } from './http-client.js';

let bfl: FakeBfl;
let client: BflHttpClient;

beforeAll(async () => {
  bfl = await startFakeBfl({ pendingPolls: 1 });
  client = new BflHttpClient(bfl.url, bfl.apiKey);
});

afterAll(async () => {
  await bfl.close();
});

async function failure(p: Promise<unknown>): Promise<BflError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BflError);
  return err as BflError;
}

describe('BflHttpClient', () => {
  it('submits with x-key and polls the polling_url it was given, on its own host', async () => {
    const { id, pollingUrl } = await client.submit('flux-dev', { prompt: 'x', width: 256, height: 256 });
    expect(new URL(pollingUrl).host).not.toBe(new URL(bfl.url).host);
    expect((await client.poll(pollingUrl)).status).toBe('Pending');
    const ready = await client.poll(pollingUrl);
    expect(ready.status).toBe('Ready');
    expect(typeof ready.result?.sample).toBe('string');
    const rebuilt = `${bfl.url}/v1/get_result?id=${id}`; // what a client must never do
    expect((await client.poll(rebuilt)).status).toBe('Task not found');
  });

  it.each([
    [402, { status402: true }, 'credits', /out of credits/],
    [429, { status429: {} }, 'rate_limited', /concurrency limit/],
    [500, { submit5xx: true }, 'server', /server error \(500\)/],
    [503, { submit5xx: 503 }, 'server', /server error \(503\)/],
  ] as const)('maps a %i on submit to %s', async (status, fault, kind, message) => {
    Object.assign(bfl.faults, fault);
    const err = await failure(client.submit('flux-pro-1.1', { prompt: 'x' }));
    expect([err.status, err.kind]).toEqual([status, kind]);
    expect(err.message).toMatch(message);
  });

  it('reads Retry-After in seconds or as an HTTP date', async () => {
    bfl.faults.status429 = { retryAfterSec: 7 };
    expect((await failure(client.submit('flux-pro-1.1', { prompt: 'x' }))).retryAfterMs).toBe(7000);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('maps a missing key (401) and a wrong key (403) to auth, without the key in the message', async () => {
    const none = await failure(new BflHttpClient(bfl.url, '').submit('flux-dev', { prompt: 'x' }));
    const wrong = await failure(new BflHttpClient(bfl.url, 'bfl_wrong_0000').submit('flux-dev', { prompt: 'x' }));
    expect([none.status, none.kind, wrong.status, wrong.kind]).toEqual([401, 'auth', 403, 'auth']);
    expect(wrong.message).toBe('the FLUX API key is invalid (BFL answered 403); check BFL_API_KEY');
    expect(wrong.message).not.toContain('bfl_wrong_0000');
  });

  it('explains a 422 from its detail list', async () => {
    const err = await failure(client.submit('flux-dev', { prompt: 'x', width: 1000 }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/width: Input should be a multiple of 32/);
    expect(errorDetail({ detail: 'plain' })).toBe('plain');
    expect(errorDetail({ message: 'm' })).toBe('m');
  });

  it('tells "could not connect" (nothing sent) from "no answer in time"', async () => {
    const down = await failure(new BflHttpClient('http://127.0.0.1:59999', 'k').submit('flux-dev', { prompt: 'x' }));
    expect(down.kind).toBe('unreachable');
    // a server that takes the request and never answers: the submit may have been received
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = silent.address() as AddressInfo;
      const slow = new BflHttpClient(`http://127.0.0.1:${port}`, 'k', { submitMs: 100, pollMs: 100, downloadMs: 100 });
      expect(['timeout', 'network']).toContain((await failure(slow.submit('flux-dev', { prompt: 'x' }))).kind);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('sends the key only to BFL hosts: https under bfl.ai, the configured host, loopback for a local fake', () => {
    const prod = new URL('https://api.bfl.ai/');
    expect(trustedHost(new URL('https://api.eu4.bfl.ai/v1/get_result?id=1'), prod)).toBe(true);
    expect(trustedHost(new URL('http://api.eu4.bfl.ai/v1/get_result?id=1'), prod)).toBe(false);
    expect(trustedHost(new URL('https://bfl.ai.evil.example/v1'), prod)).toBe(false);
    expect(trustedHost(new URL('https://evil.example/v1'), prod)).toBe(false);
    expect(trustedHost(new URL('http://localhost:8787/v1'), new URL('http://127.0.0.1:8787/'))).toBe(true);
    expect(trustedHost(new URL('http://10.0.0.5/v1'), new URL('http://127.0.0.1:8787/'))).toBe(false);
  });

  it('refuses to poll a polling_url on an untrusted host', async () => {
    const err = await failure(client.poll('http://evil.example/v1/get_result?id=1'));
    expect(err.kind).toBe('untrusted_host');
  });

  it('reads the credit balance', async () => {
    expect(await client.credits()).toBe(bfl.account.credits);
  });
});
