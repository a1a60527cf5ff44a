import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, callSignal, checkJson, classifyFailure, fetchWithTimeout, parseJsonText, parseRetryAfter, readBody } from './outbound-http.js';
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

  it('classifies a node:http failure as it does a fetch one (the ComfyUI client’s transport)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const viaNode = (url: string, timeoutMs: number, caller?: AbortSignal) => {
      const call = { ...callSignal(timeoutMs, caller), timeoutMs, caller };
      return new Promise<unknown>((resolve) => {
        const req = request(url, { signal: call.signal }, (res) => res.resume().on('end', () => resolve('answered')));
        req.on('error', (err) => resolve(classifyFailure(err, call)));
        req.end();
      });
    };
    expect(await viaNode(`http://127.0.0.1:${port}/`, 1000)).toMatchObject({ kind: 'unreachable', detail: 'ECONNREFUSED' });
    expect(await viaNode(`${base}/slow`, 100)).toMatchObject({ kind: 'timeout' });
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 20);
    expect(await viaNode(`${base}/slow`, 1000, caller.signal)).toBeNull(); // the caller's own abort: theirs to handle
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { ...callSignal(1000), timeoutMs: 1000 })).toMatchObject({ kind: 'network', detail: 'ECONNRESET' });
  });

  it('reads JSON text, empty or not JSON as undefined', () => {
    expect(parseJsonText('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonText('null')).toBeNull();
    expect(parseJsonText('  ')).toBeUndefined();
    expect(parseJsonText('<html>')).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
