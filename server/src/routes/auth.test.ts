import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { ConfigError, parseConfig, type Config, type Job, type Me, type TokenCreated, type TokenView } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { assertSafeBinding } from '../auth/binding.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/* Team mode end to end over HTTP: login and sessions, roles, ownership, API tokens, users; local mode untouched. */

let team: FastifyInstance;
let local: FastifyInstance;
let config: Config;
let localConfig: Config;
const outputs: string[] = [];
let redis: Redis;
const ADMIN = { username: 'ada', password: 'correct horse battery' };
const job = { provider: 'v0', kind: 'site', prompt: 'a site' } as const;

function cookieOf(res: LightMyRequestResponse): string {
  const set = String(res.headers['set-cookie'] ?? '');
  return set.split(';')[0]!;
}

async function login(username: string, password: string): Promise<string> {
  const res = await team.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return cookieOf(res);
}

beforeAll(async () => {
  let out: string;
  ({ config, outputPath: out } = await testConfig('auth', { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, V0_API_KEY: 'k', RATE_LIMIT_SUBMITS: '0' }));
  outputs.push(out);
  ({ config: localConfig, outputPath: out } = await testConfig('auth-local'));
  outputs.push(out);
  redis = newRedis();
  team = await buildServer(config, { logger: false, reconcile: false, events: { recheckMs: 100 } });
  local = await buildServer(localConfig, { logger: false, reconcile: false });
});

afterAll(async () => {
  await team.close();
  await local.close();
  await cleanup(redis, config, outputs[0]);
  await cleanup(redis, localConfig, outputs[1]);
  redis.disconnect();
});

describe('local mode (the default on loopback)', () => {
  it('has no login: everyone is the local admin, and logging in says so', async () => {
    const me = await local.inject({ url: '/api/auth/me' });
    expect(me.json<Me>()).toMatchObject({ mode: 'local', via: 'local', user: { role: 'admin' } });
    expect((await local.inject({ url: '/api/jobs' })).statusCode).toBe(200);
    expect((await local.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN })).json()).toMatchObject({ error: 'no_login' });
  });

  it('refuses to start on a non-loopback HOST without team mode (or AUTH=off-i-know)', () => {
    expect(() => assertSafeBinding(parseConfig({ HOST: '0.0.0.0' }))).toThrow(ConfigError);
    expect(() => assertSafeBinding(parseConfig({ HOST: '192.168.1.20' }))).toThrow(/AUTH=on/);
    expect(() => assertSafeBinding(parseConfig({ HOST: '0.0.0.0', AUTH: 'on' }))).not.toThrow();
    expect(() => assertSafeBinding(parseConfig({ HOST: '0.0.0.0', AUTH: 'off-i-know' }))).not.toThrow();
    expect(() => assertSafeBinding(parseConfig({ HOST: '127.0.0.1' }))).not.toThrow();
  });
});

describe('team mode', () => {
  it('wants a login for the API (401), but not for the page, health, or docs', async () => {
    expect((await team.inject({ url: '/api/jobs' })).statusCode).toBe(401);
    expect((await team.inject({ url: '/api/jobs' })).json()).toMatchObject({ error: 'unauthorized' });
    expect((await team.inject({ method: 'POST', url: '/api/jobs', payload: job })).statusCode).toBe(401);
    expect((await team.inject({ url: '/api/auth/me' })).statusCode).toBe(401);
    for (const url of ['/', '/api/health', '/api/openapi.json']) expect((await team.inject({ url })).statusCode, url).toBe(200);
  });

  it('logs in with a session cookie (HttpOnly, SameSite=Lax) and out again', async () => {
    const res = await team.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    expect(res.statusCode).toBe(200);
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^orch_session=[A-Za-z0-9_-]{40,};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).not.toContain('Secure');
    const cookie = cookieOf(res);
    expect((await team.inject({ url: '/api/auth/me', headers: { cookie } })).json<Me>()).toMatchObject({ mode: 'team', via: 'session', user: { name: 'ada', role: 'admin' } });
    const out = await team.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await team.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    const https = await team.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN, headers: { 'x-forwarded-proto': 'https' } });
    expect(String(https.headers['set-cookie'])).toContain('Secure');
  });

  it('refuses wrong passwords alike for unknown names, and throttles repeated failures', async () => {
    const wrong = await team.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: 'nope' }, remoteAddress: '10.1.1.1' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_credentials' });
    const unknown = await team.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zed', password: 'nope' }, remoteAddress: '10.1.1.1' });
    expect(unknown.json()).toMatchObject({ error: 'invalid_credentials' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await team.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: 'nope' }, remoteAddress: '10.1.1.1' })).statusCode);
    expect(statuses.slice(-2)).toEqual([429, 429]);
    // Even the right password waits now, from that address; another address is not affected.
    expect((await team.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN, remoteAddress: '10.1.1.1' })).statusCode).toBe(429);
    expect((await team.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN, remoteAddress: '10.1.1.2' })).statusCode).toBe(200);
  });

  it('gives each role what it may do: viewer reads, member submits and changes only its own jobs, admin everything', async () => {
    const admin = await login(ADMIN.username, ADMIN.password);
    for (const [name, role] of [['mia', 'member'], ['vic', 'viewer'], ['max', 'member']] as const) {
      const res = await team.inject({ method: 'POST', url: '/api/users', payload: { name, password: `${name}-password`, role }, headers: { cookie: admin } });
      expect(res.statusCode, res.body).toBe(201);
    }
    const mia = await login('mia', 'mia-password');
    const vic = await login('vic', 'vic-password');
    const max = await login('max', 'max-password');
    expect((await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: { cookie: vic } })).statusCode).toBe(403);
    expect((await team.inject({ url: '/api/jobs', headers: { cookie: vic } })).statusCode).toBe(200);
    const submitted = await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: { cookie: mia } });
    expect(submitted.statusCode, submitted.body).toBe(202);
    const id = submitted.json<{ id: string }>().id;
    expect((await team.inject({ url: `/api/jobs/${id}`, headers: { cookie: vic } })).json<Job>().owner).toBe('mia');
    const other = await team.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: { cookie: max } });
    expect(other.statusCode).toBe(403);
    expect((await team.inject({ method: 'PATCH', url: `/api/jobs/${id}`, payload: { priority: 'high' }, headers: { cookie: max } })).statusCode).toBe(403);
    expect((await team.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: { cookie: mia } })).statusCode).toBe(200);
    const second = (await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: { cookie: mia } })).json<{ id: string }>().id;
    expect((await team.inject({ method: 'DELETE', url: `/api/jobs/${second}`, headers: { cookie: admin } })).statusCode).toBe(200);
    // Agents and users are the admin's.
    expect((await team.inject({ method: 'POST', url: '/api/agents/comfyui/off', headers: { cookie: mia } })).statusCode).toBe(403);
    expect((await team.inject({ url: '/api/users', headers: { cookie: mia } })).statusCode).toBe(403);
    expect((await team.inject({ url: '/api/users', headers: { cookie: admin } })).json<{ items: unknown[] }>().items).toHaveLength(4);
  });

  it('makes API tokens that are shown once, stored hashed, limited by their scope, and revocable', async () => {
    const mia = await login('mia', 'mia-password');
    const created = await team.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'script', scope: 'submit' }, headers: { cookie: mia } });
    expect(created.statusCode, created.body).toBe(201);
    const { token, id } = created.json<TokenCreated>();
    expect(token).toMatch(/^orch_/);
    const listed = (await team.inject({ url: '/api/tokens', headers: { cookie: mia } })).json<{ items: TokenView[] }>().items;
    expect(listed.map((t) => [t.id, t.name, t.scope])).toEqual([[id, 'script', 'submit']]);
    expect(JSON.stringify(listed)).not.toContain(token);
    const keys = await redis.keys(`${config.keyPrefix}:auth:*`);
    const stored = await Promise.all(keys.map(async (k) => ((await redis.type(k)) === 'hash' ? JSON.stringify(await redis.hgetall(k)) : String(await redis.get(k)))));
    expect(stored.join('\n')).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: bearer })).statusCode).toBe(202);
    const read = (await team.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'ro', scope: 'read' }, headers: { cookie: mia } })).json<TokenCreated>();
    expect((await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: { authorization: `Bearer ${read.token}` } })).statusCode).toBe(403);
    expect((await team.inject({ url: '/api/jobs', headers: { authorization: `Bearer ${read.token}` } })).statusCode).toBe(200);
    expect((await team.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'x', scope: 'admin' }, headers: { cookie: mia } })).statusCode).toBe(403);
    expect((await team.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { cookie: mia } })).statusCode).toBe(200);
    expect((await team.inject({ method: 'POST', url: '/api/jobs', payload: job, headers: bearer })).statusCode).toBe(401);
    expect((await team.inject({ url: '/api/jobs', headers: { authorization: 'Bearer orch_nonsense' } })).statusCode).toBe(401);
  });

  it('authenticates the WebSocket like REST: no session → 401, a session cookie or a token → open', async () => {
    await team.listen({ host: '127.0.0.1', port: 0 });
    const { port } = team.server.address() as { port: number };
    const open = (headers: Record<string, string>) =>
      new Promise<'open' | number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers });
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (req, res) => {
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
      });
    expect(await open({})).toBe(401);
    expect(await open({ cookie: await login('vic', 'vic-password') })).toBe('open');
  });

  it('closes an open event stream once its session ends or its token is revoked', async () => {
    const { port } = team.server.address() as { port: number };
    const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const opened = (headers: Record<string, string>) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const cookie = await login('vic', 'vic-password');
    const bySession = await opened({ cookie });
    const sessionClosed = closed(bySession);
    const other = await opened({ cookie: await login('vic', 'vic-password') });
    expect((await team.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })).statusCode).toBe(200);
    expect(await sessionClosed).toBe(4401);
    expect(other.readyState).toBe(WebSocket.OPEN); // another session of the same user keeps its stream
    other.close();

    const admin = await login(ADMIN.username, ADMIN.password);
    const made = await team.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'stream', scope: 'read' }, headers: { cookie: admin } });
    const { id, token } = made.json<TokenCreated>();
    const byToken = await opened({ authorization: `Bearer ${token}` });
    const tokenClosed = closed(byToken);
    expect((await team.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { cookie: admin } })).statusCode).toBe(200);
    expect(await tokenClosed).toBe(4401);
  });

  it('behind a trusted proxy (TRUST_PROXY) throttles the client, not the proxy; untrusted X-Forwarded-For is ignored', async () => {
    const { config: proxied, outputPath } = await testConfig('auth-proxy', { AUTH: 'on', ADMIN_USER: 'pam', ADMIN_PASSWORD: 'pam password!', TRUST_PROXY: '127.0.0.1' });
    const app = await buildServer(proxied, { logger: false, reconcile: false });
    try {
      const attempt = (password: string, forwarded: string, remoteAddress = '127.0.0.1') =>
        app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'pam', password }, remoteAddress, headers: { 'x-forwarded-for': forwarded } });
      for (let i = 0; i < 5; i++) await attempt('wrong password', '203.0.113.7');
      expect((await attempt('pam password!', '203.0.113.7')).statusCode).toBe(429);
      expect((await attempt('pam password!', '198.51.100.9')).statusCode).toBe(200);
      // Not from the trusted proxy: the header is the client's word and does not count.
      for (let i = 0; i < 5; i++) await attempt('wrong password', `192.0.2.${i}`, '10.9.9.9');
      expect((await attempt('pam password!', '192.0.2.200', '10.9.9.9')).statusCode).toBe(429);
    } finally {
      await app.close();
      await cleanup(redis, proxied, outputPath);
    }
  });

  it('keeps at least one admin', async () => {
    const admin = await login(ADMIN.username, ADMIN.password);
    const res = await team.inject({ method: 'DELETE', url: '/api/users/ada', headers: { cookie: admin } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'last_admin' });
    expect((await team.inject({ method: 'PATCH', url: '/api/users/ada', payload: { role: 'member' }, headers: { cookie: admin } })).statusCode).toBe(409);
    expect((await team.inject({ method: 'PATCH', url: '/api/users/mia', payload: { role: 'admin' }, headers: { cookie: admin } })).statusCode).toBe(200);
    expect((await team.inject({ method: 'DELETE', url: '/api/users/max', headers: { cookie: admin } })).statusCode).toBe(200);
  });
});
