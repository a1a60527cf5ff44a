// The demo as a real little site (static files at absolute paths, screenshots), design-edit follow-ups,
// and deployments.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeV0, startFakeV0 } from './index.js';
import { api, type Json, latest } from './testkit.js';

let fake: FakeV0 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake v0: the site studio surface', () => {
  it('serves a demo with a heading, paragraph, image, link and button, its /_next CSS and JS, and a screenshot', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const v = latest((await api(fake, 'POST', '/chats', { message: 'A bakery in Lisbon' })).json);
    const html = await (await fetch(v.demoUrl as string)).text();
    for (const part of ['<h1 class="text-4xl', '<p class=', '<img src="/placeholder.svg', '<a href="/about"', '<button id="cta"', 'href="/_next/static/css/', 'src="/_next/static/chunks/']) {
      expect(html).toContain(part);
    }
    const origin = new URL(v.demoUrl as string).origin;
    expect((await fetch(`${origin}/_next/static/css/app-fake.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${origin}/_next/static/chunks/main-fake.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${origin}/placeholder.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const shot = await fetch(v.screenshotUrl as string);
    expect(shot.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await shot.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  });

  it('applies quoted "before" → "after" pairs of a follow-up to the next version; other follow-ups are listed', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'A bakery in Lisbon' })).json;
    const edit = '1. Text of the <h1> at `body > main:nth-of-type(1) > h1:nth-of-type(1)`: "A bakery in Lisbon" → "Porto \\"Pão\\""\n2. Classes: "text-4xl font-bold tracking-tight text-slate-900" → "text-5xl font-bold"';
    const next = latest((await api(fake, 'POST', `/chats/${chat.id as string}/messages`, { message: edit })).json);
    const html = await (await fetch(next.demoUrl as string)).text();
    expect(html).toContain('<h1 class="text-5xl font-bold">Porto &quot;Pão&quot;</h1>');
    const files = (next.files as Json[]).map((f) => f.content as string).join('\n');
    expect(files).toContain('<h1 className="text-5xl font-bold">Porto "Pão"</h1>');
  });

  it('deploys a completed version (DeploymentDetail), finds and gets it, and fails on demand', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'A tea house' })).json;
    const versionId = latest(chat).id as string;
    const created = await api(fake, 'POST', '/deployments', { chatId: chat.id, versionId });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ object: 'deployment', chatId: chat.id, versionId, webUrl: expect.stringContaining('/deployed/'), inspectorUrl: expect.any(String), projectId: expect.any(String) });
    expect(await (await fetch(created.json.webUrl as string)).text()).toContain('A tea house');
    expect((await api(fake, 'GET', `/deployments?chatId=${chat.id as string}`)).json.data).toHaveLength(1);
    expect((await api(fake, 'GET', `/deployments/${created.json.id as string}`)).json.id).toBe(created.json.id);
    expect((await api(fake, 'POST', '/deployments', { chatId: chat.id })).status).toBe(422);
    expect((await api(fake, 'POST', '/deployments', { chatId: chat.id, versionId: 'nope' })).status).toBe(404);
    fake.faults.deployError = { status: 403, message: 'No Vercel integration.' };
    const refused = await api(fake, 'POST', '/deployments', { chatId: chat.id, versionId });
    expect(refused).toMatchObject({ status: 403, json: { error: { message: 'No Vercel integration.', type: 'forbidden_error' } } });
  });
});
