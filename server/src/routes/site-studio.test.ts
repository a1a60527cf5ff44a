import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { JobStore, siteAssetId, type Config, type V0SiteManifest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../test/fakes/v0/index.js';
import { buildServer } from '../app.js';
import { designEditMessage } from '../sites/design-edits.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * The site studio's routes: the preview URL (and the second listener behind it), design edits as one
 * follow-up whose message lists every change, and deploy jobs.
 */

let fake: FakeV0;
let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;

const CHAT = 'studioChat01';
const VERSION = 'studioVer01';
const PENDING = 'studioVer02';
const assetId = siteAssetId(CHAT);
const PAGE = [
  'export default function Page() {',
  '  return (',
  '    <main className="min-h-screen">',
  '      <h1 className="text-4xl font-bold">Lisbon Bakery</h1>',
  '      <a href="/about">Learn more</a>',
  '    </main>',
  '  )',
  '}',
  '',
].join('\n');
const H1 = 'body > main:nth-of-type(1) > h1:nth-of-type(1)';

beforeAll(async () => {
  fake = await startFakeV0();
  redis = newRedis();
  ({ config, outputPath } = await testConfig('site-studio', {
    V0_API_URL: fake.url,
    V0_API_KEY: fake.apiKey,
    PREVIEW_PORT: '0',
    PREVIEW_DEMO_HOSTS: 'localhost,127.0.0.1',
  }));
  const dir = path.join(outputPath, 'sites', CHAT);
  await mkdir(path.join(dir, VERSION, 'app'), { recursive: true });
  await writeFile(path.join(dir, VERSION, 'app/page.tsx'), PAGE);
  const manifest: V0SiteManifest = {
    version: 1,
    chatId: CHAT,
    title: 'Lisbon Bakery',
    webUrl: `${fake.demoHost}/chat/${CHAT}`,
    prompt: 'a bakery',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    meta: { provider: 'v0', prompt: 'a bakery' },
    versions: [
      { id: VERSION, status: 'completed', createdAt: '2026-01-01T00:00:00.000Z', demoUrl: `${fake.demoHost}/plain/`, files: ['app/page.tsx'], filesSaved: true },
      { id: PENDING, status: 'pending', createdAt: '2026-01-02T00:00:00.000Z', files: [], filesSaved: false },
    ],
  };
  await writeFile(path.join(dir, 'site.json'), JSON.stringify(manifest));
  app = await buildServer(config, { logger: false, backendCacheMs: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
  await fake.close();
});

const storedRequest = async (id: string) => (await new JobStore(redis, config.keyPrefix).get(id))?.request;
const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });

describe('site studio: preview URL', () => {
  it("answers a URL on the preview listener (another origin than the API) that serves the version's demo", async () => {
    const res = await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview`, headers: { host: '127.0.0.1:3002' } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ url: string; origin: string; versionId: string }>();
    expect(body.versionId).toBe(VERSION);
    const apiPort = (app.server.address() as { port: number }).port;
    const origin = new URL(body.url);
    expect(origin.hostname).toBe('127.0.0.1');
    expect(Number(origin.port)).not.toBe(apiPort);
    expect(body.url).toMatch(/\/plain\/$/);
    // The demo host here is the fake's (a "plain" path: no such version, so the fake answers 404), which proves the round trip.
    const page = await fetch(body.url);
    expect(page.status).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview?version=${VERSION}` })).statusCode).toBe(200);
  });

  it('refuses a version without a preview (404), an unknown one (404) and a bad id (400)', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview?version=${PENDING}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview?version=nope` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview?version=../x` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/api/sites/${assetId}/preview?other=1` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/sites/0123456789abcdef/preview' })).statusCode).toBe(404);
  });
});

describe('site studio: design edits', () => {
  it('queues one follow-up whose message lists each change with selector, before → after, file and line', async () => {
    const edits = [
      { selector: H1, kind: 'text', before: 'Lisbon Bakery', after: 'Porto Bakery' },
      { selector: H1, kind: 'class', before: 'text-4xl font-bold', after: 'text-5xl font-bold' },
      { selector: 'body > main:nth-of-type(1) > a:nth-of-type(1)', kind: 'attr', name: 'href', before: '/about', after: '/contact' },
      { selector: '#cta', kind: 'text', before: 'Nowhere to be found', after: 'Order now' },
    ] as const;
    const res = await post(`/api/sites/${assetId}/design-edits`, { versionId: VERSION, edits });
    expect(res.statusCode).toBe(202);
    const request = await storedRequest(res.json<{ id: string }>().id);
    expect(request).toMatchObject({ provider: 'v0', kind: 'site', followUp: { assetId, chatId: CHAT } });
    expect(request?.prompt).toBe(
      [
        `Apply these 4 design edits made in the visual editor on version ${VERSION}.`,
        'Change exactly these elements and nothing else; keep the layout, content and code otherwise as they are.',
        'Selectors are CSS paths in the rendered page; values are JSON strings.',
        '',
        `1. Text of the <h1> at \`${H1}\`: "Lisbon Bakery" → "Porto Bakery" — in app/page.tsx, line 4`,
        `2. Classes (className) of the <h1> at \`${H1}\`: "text-4xl font-bold" → "text-5xl font-bold" (added text-5xl; removed text-4xl) — in app/page.tsx, line 4`,
        '3. Attribute href of the <a> at `body > main:nth-of-type(1) > a:nth-of-type(1)`: "/about" → "/contact" — in app/page.tsx, line 5',
        '4. Text of the element at `#cta`: "Nowhere to be found" → "Order now" — not found verbatim in the files; find the element by its selector',
      ].join('\n'),
    );
  });

  it.each([
    ['an empty list', { versionId: VERSION, edits: [] }],
    ['a selector that is not a stable path', { versionId: VERSION, edits: [{ selector: 'h1[onclick]', kind: 'text', before: 'a', after: 'b' }] }],
    ['a selector with a combinator', { versionId: VERSION, edits: [{ selector: 'body h1', kind: 'text', before: 'a', after: 'b' }] }],
    ['an attr edit without a name', { versionId: VERSION, edits: [{ selector: H1, kind: 'attr', before: 'a', after: 'b' }] }],
    ['an attribute not editable', { versionId: VERSION, edits: [{ selector: H1, kind: 'attr', name: 'onclick', before: 'a', after: 'b' }] }],
    ['a text edit with a name', { versionId: VERSION, edits: [{ selector: H1, kind: 'text', name: 'src', before: 'a', after: 'b' }] }],
    ['an edit that changes nothing', { versionId: VERSION, edits: [{ selector: H1, kind: 'text', before: 'a', after: 'a' }] }],
    ['an unknown kind', { versionId: VERSION, edits: [{ selector: H1, kind: 'style', before: 'a', after: 'b' }] }],
    ['a bad version id', { versionId: '../x', edits: [{ selector: H1, kind: 'text', before: 'a', after: 'b' }] }],
    ['NUL in a value', { versionId: VERSION, edits: [{ selector: H1, kind: 'text', before: 'a', after: 'b\u0000' }] }],
  ])('refuses %s with 400', async (_what, body) => {
    const res = await post(`/api/sites/${assetId}/design-edits`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('answers 413 when the edits would make a message longer than v0 takes', async () => {
    const long = 'x'.repeat(4000);
    const edits = Array.from({ length: 6 }, (_, i) => ({ selector: H1, kind: 'attr', name: (['src', 'alt', 'href'] as const)[i % 3], before: `${long}${i}`, after: `${long}!${i}` }));
    const res = await post(`/api/sites/${assetId}/design-edits`, { versionId: VERSION, edits });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ message: string }>().message).toMatch(/apply fewer or shorter edits/);
  });

  it('answers 404 for an unknown version or site and 409 for a version still generating', async () => {
    const edit = { selector: H1, kind: 'text', before: 'a', after: 'b' };
    expect((await post(`/api/sites/${assetId}/design-edits`, { versionId: 'unknownVer', edits: [edit] })).statusCode).toBe(404);
    expect((await post('/api/sites/0123456789abcdef/design-edits', { versionId: VERSION, edits: [edit] })).statusCode).toBe(404);
    expect((await post(`/api/sites/${assetId}/design-edits`, { versionId: PENDING, edits: [edit] })).statusCode).toBe(409);
  });

  it('writes a single edit in the singular, and finds a class list by its text', () => {
    const text = designEditMessage('v1', [{ selector: 'body', kind: 'class', before: 'a b', after: 'a' }], [{ name: 'x.tsx', content: 'one\n<body className="a b">' }]);
    expect(text.split('\n')[0]).toBe('Apply this design edit made in the visual editor on version v1.');
    expect(text).toContain('1. Classes (className) of the <body> at `body`: "a b" → "a" (removed b) — in x.tsx, line 2');
  });
});

describe('site studio: deploy', () => {
  it('queues a deploy job for a completed version; refuses a pending one (409), an unknown one (404), a bad body (400)', async () => {
    const res = await post(`/api/sites/${assetId}/deploy`, { versionId: VERSION });
    expect(res.statusCode).toBe(202);
    expect(await storedRequest(res.json<{ id: string }>().id)).toMatchObject({ provider: 'v0', kind: 'site', deploy: { chatId: CHAT, versionId: VERSION } });
    expect((await post(`/api/sites/${assetId}/deploy`, { versionId: PENDING })).statusCode).toBe(409);
    expect((await post(`/api/sites/${assetId}/deploy`, { versionId: 'unknownVer' })).statusCode).toBe(404);
    expect((await post(`/api/sites/${assetId}/deploy`, {})).statusCode).toBe(400);
    expect((await post(`/api/sites/${assetId}/deploy`, { versionId: VERSION, extra: 1 })).statusCode).toBe(400);
  });
});
