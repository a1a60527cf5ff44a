import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError } from '@orchestrator/shared';
import { ComfyHttpClient, ComfyHttpError } from './http-client.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/history/p1') return void res.setHeader('content-type', 'application/json').end('{"p1":{"outputs":{}}}');
    if (url.pathname === '/prompt' && req.method === 'POST') {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"type":"prompt_outputs_failed_validation"},"node_errors":{}}');
    }
    if (url.pathname === '/view') return void res.setHeader('content-type', 'image/png').end(Buffer.from(url.searchParams.get('filename') ?? ''));
    if (url.pathname === '/queue' || url.pathname === '/history/slow') return; // never answers
    if (url.pathname.startsWith('/history/')) return void res.setHeader('content-type', 'application/json').end('{}');
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 50;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function failure(p: Promise<unknown>): Promise<ComfyHttpError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ComfyHttpError);
  return err as ComfyHttpError;
}

describe('ComfyHttpClient', () => {
  it('reads JSON answers and keeps reading after the server closed an idle kept-alive connection', async () => {
    const client = new ComfyHttpClient(base);
    try {
      expect(await client.history('p1')).toEqual({ outputs: {} });
      await new Promise((r) => setTimeout(r, 120)); // the server drops the idle socket meanwhile
      expect(await client.history('p1')).toEqual({ outputs: {} });
      expect(await client.history('unknown')).toBeNull();
    } finally {
      client.close();
    }
  });

  it('turns a 400 into http_status with the parsed error body', async () => {
    const client = new ComfyHttpClient(base);
    const err = await failure(client.submit({ prompt: {}, client_id: 'c', prompt_id: 'p' }));
    expect(err).toMatchObject({ code: 'http_status', status: 400, body: { error: { type: 'prompt_outputs_failed_validation' } } });
    expect(err.unreachable).toBe(false);
    client.close();
  });

  it('downloads an output into memory', async () => {
    const client = new ComfyHttpClient(base);
    const { bytes, contentType } = await client.viewBytes({ filename: 'abc.png', subfolder: '', type: 'output' });
    expect(bytes.toString()).toBe('abc.png');
    expect(contentType).toBe('image/png');
    client.close();
  });

  it('tells a timeout, a caller abort and a refused connection apart', async () => {
    const client = new ComfyHttpClient(base, { requestMs: 100 });
    expect((await failure(client.queue())).code).toBe('timeout');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    expect((await failure(client.history('slow', { signal: abort.signal }))).code).toBe('aborted');
    client.close();

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const address = closed.address();
    await new Promise((r) => closed.close(r));
    const refused = new ComfyHttpClient(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    const err = await failure(refused.history('p1'));
    expect(err.code).toBe('unreachable');
    expect(err.message).toContain('ECONNREFUSED');
    refused.close();
  });
});

describe('ComfyHttpClient on the shared outbound core', () => {
  let odd: Server;
  let oddBase = '';
  beforeAll(async () => {
    odd = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/prompt' && req.method === 'POST') {
        // The answer a fork or a proxy might give: 200 without a usable prompt_id.
        return void res.setHeader('content-type', 'application/json').end('{"prompt_id":5,"number":1}');
      }
      if (url.pathname === '/history/html') return void res.setHeader('content-type', 'text/html').end('<html>proxy login</html>');
      if (url.pathname === '/history/broken') {
        // Headers and half a body, then the connection drops.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"broken":');
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      if (url.pathname === '/queue') return; // never answers
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', () => r()));
    oddBase = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    odd.closeAllConnections();
    await new Promise((r) => odd.close(r));
  });

  it('checks the submit answer against its schema and names the problem', async () => {
    const client = new ComfyHttpClient(oddBase);
    const err = await failure(client.submit({ prompt: {}, client_id: 'c', prompt_id: 'p' }));
    expect(err.code).toBe('bad_response');
    expect(err.message).toContain('/prompt_id');
    expect((await failure(client.history('html'))).code).toBe('bad_response');
    client.close();
  });

  it('classifies failures before an answer as every outbound client does, and keeps that as the cause', async () => {
    const client = new ComfyHttpClient(oddBase, { requestMs: 100 });
    const timedOut = await failure(client.queue());
    expect(timedOut.code).toBe('timeout');
    expect(timedOut.cause).toBeInstanceOf(OutboundError);
    expect(timedOut.cause).toMatchObject({ kind: 'timeout' });
    const broken = await failure(client.history('broken'));
    expect(broken.code).toBe('unreachable'); // a connection that broke: the backend is not answering either way
    expect(broken.unreachable).toBe(true);
    expect(broken.cause).toMatchObject({ kind: 'network' });
    client.close();

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = new ComfyHttpClient(`http://127.0.0.1:${port}`);
    const err = await failure(refused.systemStats());
    expect(err.cause).toMatchObject({ kind: 'unreachable', detail: 'ECONNREFUSED' });
    refused.close();
  });
});
