import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * What a page on another site can do to a studio on 127.0.0.1 (measured by a hostile test before):
 * read the event stream, start jobs with a no-cors POST, upload, reach it under a rebound DNS name.
 * None of it works any more; the page itself and non-browser clients are unaffected.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let base: string;
const EVIL = 'https://evil.example';

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('guard', { ALLOWED_ORIGINS: 'http://localhost:5173', RATE_LIMIT_SUBMITS: '5' }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, reconcile: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

function openSocket(headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${base}/api/ws?since=0-0`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => resolve(0));
  });
}

const job = JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'x' });

describe('the Origin check', () => {
  it('refuses a WebSocket from another site, accepts one from the page itself or an allowed origin', async () => {
    expect(await openSocket({ origin: EVIL })).toBe(403);
    expect(await openSocket({ origin: 'null' })).toBe(403);
    expect(await openSocket({ origin: `http://${base}` })).toBe('open');
    expect(await openSocket({ origin: 'http://localhost:5173' })).toBe('open');
    expect(await openSocket({})).toBe('open'); // not a browser
  });

  it('refuses the SSE stream to another site', async () => {
    const res = await fetch(`http://${base}/api/jobs/stream`, { headers: { origin: EVIL } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_forbidden' });
  });

  it('refuses state-changing requests from another site, whatever their body (a no-cors POST, a form upload)', async () => {
    const id = crypto.randomUUID();
    const cases = [
      { method: 'POST', url: '/api/jobs', payload: job, headers: { 'content-type': 'application/json', origin: EVIL } },
      { method: 'POST', url: `/api/jobs/${id}/retry`, headers: { origin: EVIL } },
      { method: 'POST', url: `/api/assets/${id}/regenerate`, headers: { origin: EVIL } },
      { method: 'DELETE', url: `/api/jobs/${id}`, headers: { origin: EVIL } },
      { method: 'POST', url: '/api/uploads', payload: 'x', headers: { 'content-type': 'multipart/form-data; boundary=x', origin: EVIL } },
      { method: 'POST', url: '/api/agents/comfyui/off', headers: { 'sec-fetch-site': 'cross-site' } },
    ] as const;
    for (const c of cases) {
      const res = await app.inject({ ...c, headers: { host: base, ...c.headers } });
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: 'origin_forbidden' });
    }
  });

  it('lets the page itself, an allowed origin, and clients that are not browsers act', async () => {
    for (const headers of [{ origin: `http://${base}` }, { origin: 'http://localhost:5173' }, {}, { 'sec-fetch-site': 'same-origin' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/jobs/validate', payload: job, headers: { host: base, 'content-type': 'application/json', ...headers } });
      expect(res.statusCode, JSON.stringify(headers)).not.toBe(403);
    }
    // Reading is not acting: another site may not read the answer anyway (no CORS headers).
    expect((await app.inject({ url: '/api/health', headers: { host: base, origin: EVIL } })).statusCode).toBe(200);
  });
});

describe('the Host allow-list', () => {
  it('answers 421 for a host name it is not meant to be reached by (DNS rebinding)', async () => {
    const res = await app.inject({ url: '/api/health', headers: { host: 'attacker.example:3302' } });
    expect(res.statusCode).toBe(421);
    expect(res.json()).toMatchObject({ error: 'host_not_allowed' });
    for (const host of ['localhost:3002', '127.0.0.1', '[::1]:3002', 'studio.localhost']) {
      expect((await app.inject({ url: '/api/health', headers: { host } })).statusCode, host).toBe(200);
    }
  });
});

describe('the page and the request limits', () => {
  it('serves the page with a CSP that forbids framing by other sites, and a referrer policy', async () => {
    const res = await app.inject({ url: '/', headers: { host: base } });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses JSON nested deeper than 64 levels with 400 too_deep, without a stack overflow', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const url of ['/api/jobs', '/api/workflows/import', '/api/workflows']) {
      const res = await app.inject({ method: 'POST', url, payload: deep, headers: { host: base, 'content-type': 'application/json' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: 'too_deep' });
    }
  });

  it('limits submissions per client and minute (429 with Retry-After), and nothing else', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      // A client of its own (earlier tests of this file submitted from 127.0.0.1).
      const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { provider: 'v0', kind: 'site', prompt: 'p' }, headers: { host: base }, remoteAddress: '10.0.0.9' });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json()).toMatchObject({ error: 'rate_limited' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    for (let i = 0; i < 10; i++) expect((await app.inject({ url: '/api/health', headers: { host: base }, remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
  });
});
