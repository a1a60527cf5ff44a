import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, checkJson, fetchWithTimeout, parseRetryAfter, readBody } from './outbound-http.js';
import { checked } from './validate.js';

describe('the outbound HTTP core', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/json' ? '{"id":"a","n":1}' : 'not json');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reads text and JSON, and checks JSON against a schema', async () => {
    const body = await readBody(await fetchWithTimeout(`${base}/json`, {}, { timeoutMs: 1000 }));
    expect(body.json).toEqual({ id: 'a', n: 1 });
    const schema = checked(Type.Object({ id: Type.String() }));
    expect(checkJson(schema, body.json)).toEqual({ ok: true, value: { id: 'a', n: 1 } });
    expect(checkJson(schema, { id: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('/id') });
    expect((await readBody(await fetchWithTimeout(`${base}/text`, {}, { timeoutMs: 1000 }))).json).toBeUndefined();
  });

  it('tells a timeout from a refused connection, and passes the caller’s abort through', async () => {
    await expect(fetchWithTimeout(`${base}/slow`, {}, { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'timeout', message: 'no answer within 0 s' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetchWithTimeout(`http://127.0.0.1:${port}/`, {}, { timeoutMs: 1000 })).rejects.toMatchObject({ kind: 'unreachable', detail: 'ECONNREFUSED' });
    const caller = new AbortController();
    const call = fetchWithTimeout(`${base}/slow`, {}, { timeoutMs: 1000, signal: caller.signal });
    caller.abort();
    const err: unknown = await call.catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(OutboundError);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
