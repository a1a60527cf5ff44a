import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { JobStore, redisKeys, siteAssetId, type Config, type V0SiteManifest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../test/fakes/v0/index.js';
import { api } from '../../../test/fakes/v0/testkit.js';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let fake: FakeV0;
let app: FastifyInstance;
let bare: FastifyInstance; // no V0_API_KEY
let config: Config;
let bareConfig: Config;
let outputPath: string;
let redis: Redis;
let queue: Queue;
const seen: LightMyRequestResponse[] = [];

const CHAT = 'chatSaved01';
const VERSION = 'ver0001';
const assetId = siteAssetId(CHAT);

async function build(cfg: Config): Promise<FastifyInstance> {
  return buildServer(cfg, { logger: process.env.DEBUG_SITES ? { level: 'error' } : false, backendCacheMs: 0 });
}

async function call(server: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: object): Promise<LightMyRequestResponse> {
  const res = await server.inject({ method, url, ...(payload ? { payload } : {}) });
  seen.push(res);
  return res;
}

async function writeSite(): Promise<void> {
  const dir = path.join(outputPath, 'sites', CHAT);
  await mkdir(path.join(dir, VERSION, 'app'), { recursive: true });
  await writeFile(path.join(dir, VERSION, 'app/page.tsx'), 'export default function Page() {}\n');
  await writeFile(path.join(dir, VERSION, 'index.html'), '<script>alert(1)</script>');
  await symlink('/etc/hostname', path.join(dir, VERSION, 'link.txt'));
  await writeFile(path.join(outputPath, 'secret.txt'), 'outside the site');
  const manifest: V0SiteManifest = {
    version: 1,
    chatId: CHAT,
    title: 'Saved site',
    webUrl: 'https://v0.app/chat/chatSaved01',
    prompt: 'a saved site',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    meta: { provider: 'v0', prompt: 'a saved site' },
    versions: [
      { id: VERSION, status: 'completed', createdAt: '2026-01-01T00:00:00.000Z', demoUrl: 'https://demo.example/v1/', files: ['app/page.tsx', 'index.html', 'link.txt'], filesSaved: true },
    ],
  };
  await writeFile(path.join(dir, 'site.json'), JSON.stringify(manifest));
}

beforeAll(async () => {
  fake = await startFakeV0();
  redis = newRedis();
  ({ config, outputPath } = await testConfig('sites', { V0_API_URL: fake.url, V0_API_KEY: fake.apiKey }));
  ({ config: bareConfig } = await testConfig('sites-bare', { V0_API_URL: fake.url, OUTPUT_PATH: outputPath }));
  app = await build(config);
  bare = await build(bareConfig);
  queue = new Queue('v0', { connection: redis, prefix: redisKeys(config.keyPrefix).bullPrefix });
  await writeSite();
});

afterAll(async () => {
  // The key must never appear in anything the API answered.
  for (const res of seen) {
    expect(res.body).not.toContain(fake.apiKey);
    expect(JSON.stringify(res.headers)).not.toContain(fake.apiKey);
  }
  await app.close();
  await bare.close();
  await queue.close();
  await cleanup(redis, bareConfig);
  await cleanup(redis, config, outputPath);
  redis.disconnect();
  await fake.close();
});

const storedRequest = async (id: string) => (await new JobStore(redis, config.keyPrefix).get(id))?.request;

describe('sites: v0 chats and jobs', () => {
  it('pages the v0 chat list without totals: nextOffset while pages are full', async () => {
    for (const m of ['first', 'second', 'third']) await api(fake, 'POST', '/chats', { message: m });
    const one = await call(app, 'GET', '/api/sites/chats?limit=2');
    expect(one.statusCode).toBe(200);
    const p1 = one.json<{ items: { id: string; imported: boolean; assetId: string }[]; nextOffset?: number }>();
    expect(p1.items).toHaveLength(2);
    expect(p1.nextOffset).toBe(2);
    expect(p1.items[0]).toMatchObject({ imported: false, assetId: siteAssetId(p1.items[0]!.id) });
    const p2 = (await call(app, 'GET', '/api/sites/chats?limit=2&offset=2')).json<{ items: unknown[]; nextOffset?: number }>();
    expect(p2.items).toHaveLength(1);
    expect(p2.nextOffset).toBeUndefined();
  });

  it.each(['limit=0', 'limit=61', 'limit=abc', 'offset=-1', 'foo=1'])('refuses ?%s with 400', async (q) => {
    expect((await call(app, 'GET', `/api/sites/chats?${q}`)).statusCode).toBe(400);
  });

  it('relays v0 errors clearly (bad key → 502 provider_auth, 429 → 429) without the key', async () => {
    fake.faults.error = { status: 401 };
    const bad = await call(app, 'GET', '/api/sites/chats');
    expect(bad.statusCode).toBe(502);
    expect(bad.json()).toMatchObject({ error: 'provider_auth', message: expect.stringMatching(/V0_API_KEY/) });
    fake.faults.status429 = { retryAfterSec: 7 };
    const limited = await call(app, 'GET', '/api/sites/chats');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', details: { retryAfter: '7' } });
  });

  it('imports a chat as a v0 job (202)', async () => {
    const res = await call(app, 'POST', '/api/sites/import', { chatId: 'abcDEF123' });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    expect(res.headers.location).toBe(`/api/jobs/${id}`);
    expect(await storedRequest(id)).toMatchObject({ provider: 'v0', kind: 'site', import: { chatId: 'abcDEF123' } });
    expect((await queue.getJob(id))?.data.id).toBe(id);
    expect((await call(app, 'POST', '/api/sites/import', { chatId: '../etc' })).statusCode).toBe(400);
  });

  it('sends a change to a site: a follow-up job on the same chat', async () => {
    const res = await call(app, 'POST', `/api/sites/${assetId}/messages`, { message: 'make it blue', model: 'v0-max' });
    expect(res.statusCode).toBe(202);
    expect(await storedRequest(res.json<{ id: string }>().id)).toMatchObject({ prompt: 'make it blue', model: 'v0-max', followUp: { assetId, chatId: CHAT } });
    expect((await call(app, 'POST', '/api/sites/0123456789abcdef/messages', { message: 'x' })).statusCode).toBe(404);
    expect((await call(app, 'POST', `/api/sites/${assetId}/messages`, { message: '' })).statusCode).toBe(400);
    expect((await call(app, 'POST', `/api/sites/${assetId}/messages`, { message: 'x', model: 'gpt' })).statusCode).toBe(400);
  });

  it('answers 400 provider_not_configured naming V0_API_KEY when the key is missing', async () => {
    for (const [method, url, body] of [
      ['GET', '/api/sites/chats', undefined],
      ['POST', '/api/sites/import', { chatId: 'abc' }],
      ['POST', `/api/sites/${assetId}/messages`, { message: 'x' }],
      ['POST', '/api/v0', { prompt: 'x' }],
      ['POST', '/api/v0/apply', { chatId: 'abc', message: 'x' }],
    ] as const) {
      const res = await call(bare, method, url, body);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: 'provider_not_configured', message: expect.stringContaining('V0_API_KEY') });
    }
  });
});

describe('sites: manifest and files', () => {
  it('returns the manifest and a version file list', async () => {
    const res = await call(app, 'GET', `/api/sites/${assetId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ assetId, chatId: CHAT, webUrl: 'https://v0.app/chat/chatSaved01', versions: [{ id: VERSION, demoUrl: 'https://demo.example/v1/' }] });
    const files = await call(app, 'GET', `/api/sites/${assetId}/versions/${VERSION}/files`);
    expect(files.json()).toMatchObject({ chatId: CHAT, version: { id: VERSION, files: ['app/page.tsx', 'index.html', 'link.txt'] } });
    expect((await call(app, 'GET', `/api/sites/${assetId}/versions/nope/files`)).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/sites/0123456789abcdef')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/sites/not-an-id')).statusCode).toBe(400);
  });

  it('serves a saved file as plain text, never as a page', async () => {
    const page = await call(app, 'GET', `/api/sites/${assetId}/versions/${VERSION}/files/app/page.tsx`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe('export default function Page() {}\n');
    const html = await call(app, 'GET', `/api/sites/${assetId}/versions/${VERSION}/files/index.html`);
    expect(html.body).toBe('<script>alert(1)</script>');
    expect(html.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.headers['content-security-policy']).toContain('sandbox');
  });

  it.each([
    ['%2e%2e/%2e%2e/%2e%2e/secret.txt', [400, 404]],
    ['..%2f..%2f..%2fsecret.txt', [400, 404]],
    ['%2fetc%2fpasswd', [400, 404]],
    ['app%5c..%5c..%5csite.json', [400, 404]],
    ['app/%00x', [400, 404]],
    ['unlisted.txt', [404]],
    ['link.txt', [403]],
  ])('refuses the file path %s', async (name, codes) => {
    const res = await call(app, 'GET', `/api/sites/${assetId}/versions/${VERSION}/files/${name}`);
    expect(codes).toContain(res.statusCode);
    expect(res.body).not.toContain('outside the site');
  });
});

describe('sites: legacy /api/v0 aliases', () => {
  it('POST /api/v0 creates a site job (prompt or the old message field)', async () => {
    const a = await call(app, 'POST', '/api/v0', { prompt: 'a cafe site', system: 'be brief' });
    expect(a.statusCode).toBe(202);
    expect(await storedRequest(a.json<{ id: string }>().id)).toMatchObject({ provider: 'v0', prompt: 'a cafe site', systemPrompt: 'be brief' });
    expect((await call(app, 'POST', '/api/v0', { message: 'old style' })).statusCode).toBe(202);
    expect((await call(app, 'POST', '/api/v0', {})).statusCode).toBe(400);
  });

  it('POST /api/v0/apply sends a follow-up by chat id', async () => {
    const res = await call(app, 'POST', '/api/v0/apply', { chatId: CHAT, message: 'bigger title' });
    expect(res.statusCode).toBe(202);
    expect(await storedRequest(res.json<{ id: string }>().id)).toMatchObject({ prompt: 'bigger title', followUp: { chatId: CHAT } });
    expect((await call(app, 'POST', '/api/v0/apply', { message: 'no target' })).statusCode).toBe(400);
  });

  it('GET /api/v0/artifact returns the saved files of a version', async () => {
    const res = await call(app, 'GET', `/api/v0/artifact?chatId=${CHAT}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ versionId: string; files: { name: string; content: string }[] }>();
    expect(body.versionId).toBe(VERSION);
    expect(body.files.map((f) => f.name)).toEqual(['app/page.tsx', 'index.html']); // the symlink is left out
    expect((await call(app, 'GET', '/api/v0/artifact?chatId=unknownChat')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/v0/artifact?chatId=../x')).statusCode).toBe(400);
  });
});
