// The browser-facing pages: demoUrl serves framable HTML on another host name; webUrl refuses framing.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeV0, startFakeV0 } from './index.js';
import { api, type Json, latest } from './testkit.js';

let fake: FakeV0 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake v0: pages', () => {
  it('demoUrl serves the generated page as framable HTML (no X-Frame-Options), for every sub-path', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'Bakery <script>alert(1)</script>' })).json;
    const demo = latest(chat).demoUrl as string;
    for (const url of [demo, `${demo}about`, `${demo}api/anything`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('content-security-policy')).toBe('frame-ancestors *');
      const html = await res.text();
      expect(html).toContain('&lt;script&gt;');
      expect(html).not.toContain('<script>');
      expect(html).toContain('SIMULATED');
    }
  });

  it('a pending version has no demo page yet; an unknown one is 404', async () => {
    fake = await startFakeV0({ pendingPolls: 5 });
    const chat = (await api(fake, 'POST', '/chats', { message: 'x', responseMode: 'async' })).json;
    expect((await fetch(`${fake.demoHost}/demo/${latest(chat).id as string}/`)).status).toBe(404);
    expect((await fetch(`${fake.demoHost}/demo/unknown/`)).status).toBe(404);
  });

  it('webUrl is an HTML chat page that sends X-Frame-Options: DENY and a frame-ancestors allow-list', async () => {
    fake = await startFakeV0({ syncMs: 0 });
    const chat: Json = (await api(fake, 'POST', '/chats', { message: 'x' })).json;
    const res = await fetch(chat.webUrl as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(/^frame-ancestors /);
    expect(res.headers.get('content-security-policy')).not.toContain('*;');
    expect((await fetch(`${new URL(chat.webUrl as string).origin}/chat/unknown`)).status).toBe(404);
  });
});
