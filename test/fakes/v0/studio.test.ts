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

  it('takes attachments as a URL or a data URI (422 otherwise), records them, and shows a "before" → attachment N picture in the next version', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'A bakery in Lisbon' })).json;
    const path = `/chats/${chat.id as string}/messages`;
    for (const url of ['not a url', 'ftp://example.com/a.png', 'data:image/png;base64,@@@', 'data:image/png;base64,']) {
      const refused = await api(fake, 'POST', path, { message: 'x', attachments: [{ url }] });
      expect(refused.status, url).toBe(422);
      expect((refused.json.error as Json).message).toMatch(/attachments\[0\]\.url/);
    }
    expect((await api(fake, 'POST', path, { message: 'x', attachments: [{}] })).status).toBe(422);
    expect(fake.received).toHaveLength(1);

    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077533de00000000c4944415478da63f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex');
    const dataUri = `data:image/png;base64,${png.toString('base64')}`;
    const edit = 'One picture is attached to this message, in order: attachment 1 (hero.png).\n1. Attribute src of the <img> at `body > main:nth-of-type(1) > img:nth-of-type(1)`: "/placeholder.svg?height=160&width=320" → attachment 1 (hero.png)';
    const next = latest((await api(fake, 'POST', path, { message: edit, attachments: [{ url: dataUri }, { url: 'https://example.com/b.png' }] })).json);
    expect(fake.received.at(-1)).toMatchObject({ chatId: chat.id, message: edit, attachments: [{ url: dataUri }, { url: 'https://example.com/b.png' }] });
    const html = await (await fetch(next.demoUrl as string)).text();
    const src = /<img src="([^"]+)"/.exec(html)?.[1];
    expect(src).toMatch(/^\/attachments\/[A-Za-z0-9]+\.png$/);
    const served = await fetch(`${new URL(next.demoUrl as string).origin}${src!}`);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect((next.files as Json[]).map((f) => f.content as string).join('\n')).toContain(`<img src="${src!}"`);
  });

  it('holds demo pages back by faults.demoDelayMs (a slow demo host)', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const v = latest((await api(fake, 'POST', '/chats', { message: 'A slow bakery' })).json);
    fake.faults.demoDelayMs = 400;
    const t0 = Date.now();
    expect((await fetch(v.demoUrl as string)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
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
