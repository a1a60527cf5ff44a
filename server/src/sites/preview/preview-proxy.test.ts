import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { api, latest } from '../../../../test/fakes/v0/testkit.js';
import { PreviewProxy } from './preview-proxy.js';

/*
 * The preview proxy against a real upstream: the v0 fake's demo site (HTML with /_next/static CSS and
 * JS) and a recording server (what the proxy forwards, redirects, a hung upstream).
 */

const ASSET = '0123456789abcdef';
const PARENT = 'http://127.0.0.1:3002';
let fake: FakeV0;
let demoUrl: string;
let versionId: string;
let recorder: Server;
let recOrigin: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
let proxy: PreviewProxy;
let base: string;
/** versionId → demo URL the lookup answers. */
const demos = new Map<string, string>();

beforeAll(async () => {
  fake = await startFakeV0({ syncMs: 0 });
  const chat = (await api(fake, 'POST', '/chats', { message: 'A bakery in Lisbon with fresh bread' })).json;
  demoUrl = latest(chat).demoUrl as string;
  versionId = latest(chat).id as string;
  recorder = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/hang')) return; // never answers
    if (req.url === '/away') return void res.writeHead(302, { location: 'https://evil.example/steal' }).end();
    if (req.url === '/here') return void res.writeHead(302, { location: '/there?x=1' }).end();
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'upstream=1', 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" });
    res.end('<html><head><title>r</title></head><body><img src="/a.png" srcset="/a.png 1x, //cdn.example/b.png 2x"><a href="//other.example/x">x</a></body></html>');
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  recOrigin = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  demos.set(versionId, demoUrl);
  demos.set('recorder', `${recOrigin}/`);
  demos.set('foreign', 'http://169.254.169.254/latest/');
  const config = parseConfig({ PREVIEW_PORT: '0', PREVIEW_DEMO_HOSTS: 'localhost,127.0.0.1' });
  proxy = new PreviewProxy({ config, timeoutMs: 400, lookup: async (_a, v) => demos.get(v) ?? null });
  await proxy.listen();
  base = `http://127.0.0.1:${proxy.port!}`;
});

afterAll(async () => {
  await proxy.close();
  await new Promise((r) => recorder.close(r));
  await fake.close();
});

const url = (v: string, path = '/') => `${base}${proxy.prefixFor(ASSET, v, PARENT)}${path}`;

describe('preview proxy', () => {
  it("serves the site's demo with its /_next assets through the prefix and injects the overlay once", async () => {
    const page = await fetch(url(versionId, new URL(demoUrl).pathname));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.match(/data-orchestrator-overlay/g)).toHaveLength(1);
    expect(html).toContain(`data-parent-origin="${PARENT}"`);
    const prefix = proxy.prefixFor(ASSET, versionId, PARENT);
    expect(html).toContain(`href="${prefix}/_next/static/css/app-fake.css"`);
    expect(html).toContain(`src="${prefix}/_next/static/chunks/main-fake.js"`);
    expect(html).toContain('<h1 class="text-4xl');
    expect(page.headers.get('content-security-policy')).toBeNull();
    const css = await fetch(`${base}${prefix}/_next/static/css/app-fake.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('.text-4xl{');
    const js = await fetch(`${base}${prefix}/_next/static/chunks/main-fake.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('hydrated');
    const head = await fetch(url(versionId, new URL(demoUrl).pathname), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const overlay = await fetch(`${base}/__orchestrator/overlay.js`);
    expect(await overlay.text()).toContain('orchestrator-design/1');
  });

  it('rewrites only root-absolute paths (not //host ones) and never forwards cookies or auth, nor returns upstream cookies', async () => {
    seen.length = 0;
    const res = await fetch(url('recorder'), { headers: { cookie: 'session=secret', authorization: 'Bearer key', 'x-api-key': 'k', accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    const prefix = proxy.prefixFor(ASSET, 'recorder', PARENT);
    expect(html).toContain(`src="${prefix}/a.png"`);
    expect(html).toContain(`srcset="${prefix}/a.png 1x, //cdn.example/b.png 2x"`);
    expect(html).toContain('href="//other.example/x"');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.cookie).toBeUndefined();
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
    expect(seen[0]!.headers.accept).toBe('text/html');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('refuses %s with 405 and sends nothing upstream', async (method) => {
    seen.length = 0;
    const res = await fetch(url('recorder'), { method, ...(method === 'POST' || method === 'PUT' ? { body: 'x' } : {}) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(seen).toHaveLength(0);
  });

  it('refuses other hosts: a //host path, an absolute-form request, a foreign Host header, a demo host not allowed, an off-host redirect', async () => {
    seen.length = 0;
    expect((await fetch(`${base}${proxy.prefixFor(ASSET, 'recorder', PARENT)}//evil.example/x`)).status).toBe(400);
    const absolute = await rawRequest(`GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(absolute).toMatch(/^HTTP\/1\.1 400/);
    const rebound = await rawRequest(`GET ${proxy.prefixFor(ASSET, 'recorder', PARENT)}/ HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n`);
    expect(rebound).toMatch(/^HTTP\/1\.1 421/);
    expect((await fetch(url('foreign'))).status).toBe(403);
    expect((await fetch(url('recorder', '/away'), { redirect: 'manual' })).status).toBe(502);
    const inside = await fetch(url('recorder', '/here'), { redirect: 'manual' });
    expect(inside.status).toBe(302);
    expect(inside.headers.get('location')).toBe(`${proxy.prefixFor(ASSET, 'recorder', PARENT)}/there?x=1`);
    expect(seen.map((s) => s.url)).toEqual(['/away', '/here']);
  });

  it('refuses a tampered signature, an unknown version and a path outside any preview', async () => {
    const good = proxy.prefixFor(ASSET, versionId, PARENT);
    expect((await fetch(`${base}${good.slice(0, -2)}AA/`)).status).toBe(404);
    expect((await fetch(url('nope'))).status).toBe(404);
    expect((await fetch(`${base}/etc/passwd`)).status).toBe(404);
  });

  it('sends an absolute path a script built back into the prefix of the page that asked (by Referer)', async () => {
    const prefix = proxy.prefixFor(ASSET, versionId, PARENT);
    const res = await fetch(`${base}/_next/static/chunks/lazy.js?v=1`, { redirect: 'manual', headers: { referer: `${base}${prefix}/demo/x/` } });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${prefix}/_next/static/chunks/lazy.js?v=1`);
  });

  it('times out a slow upstream with 504', async () => {
    const t0 = Date.now();
    const res = await fetch(url('recorder', '/hang'));
    expect(res.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(proxy.port!, '127.0.0.1', () => s.end(text));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}
