// The browser-facing pages: the v0.app chat page (webUrl, refuses framing), the static demo renderer
// (demoUrl, framable; every sub-path answers the page HTML, as the static vusercontent.net renderer does),
// the demo's static files at absolute paths (`/_next/static/...`, `/placeholder.svg`), each version's
// screenshot (screenshotUrl) and deployed sites (a deployment's webUrl).
import type { ServerResponse } from 'node:http';
import { encodePng } from '../comfyui/png.js';
import { CHAT_PAGE_HEADERS, DEMO_CSS, DEMO_JS, chatPageHtml, demoCss, demoHtml, demoJs, placeholderSvg, siteContent } from './site.js';
import type { Store, Version } from './store.js';

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}
const HTML = 'text/html; charset=utf-8';

/** A small picture of the page: grey image block, a dark heading bar as long as the heading, a button. */
export function screenshotPng(v: Version): Buffer {
  const c = siteContent(v.prompts, v.pictures);
  const w = 320;
  const h = 200;
  const bar = Math.min(280, 40 + c.heading.length * 8);
  return encodePng(w, h, (y, row) => {
    for (let x = 0; x < w; x++) {
      let rgb: [number, number, number] = [255, 255, 255];
      if (y >= 20 && y < 80 && x >= 90 && x < 230) rgb = [226, 232, 240];
      else if (y >= 95 && y < 115 && x >= (w - bar) / 2 && x < (w + bar) / 2) rgb = [15, 23, 42];
      else if (y >= 125 && y < 133 && x >= 60 && x < 260) rgb = [148, 163, 184];
      else if (y >= 150 && y < 172 && x >= 170 && x < 240) rgb = [15, 23, 42];
      else if (y >= 157 && y < 163 && x >= 90 && x < 150) rgb = [37, 99, 235];
      row.set(rgb, x * 3);
    }
  });
}

function findVersion(store: Store, id: string): Version | undefined {
  return store.list().flatMap((c) => c.versions).find((x) => x.id === id);
}

/** Answers the browser-facing GETs; false for any other path (the API). `demoDelayMs` holds back demo pages (a slow demo host). */
export function servePage(store: Store, path: string, res: ServerResponse, demoDelayMs = 0): boolean {
  const chatPage = /^\/chat\/([^/]+)$/.exec(path);
  if (chatPage) {
    const chat = store.chats.get(chatPage[1]!);
    send(res, chat ? 200 : 404, HTML, chat ? chatPageHtml(chat.id, chat.name) : 'Not found', CHAT_PAGE_HEADERS);
    return true;
  }
  if (path === DEMO_CSS) return send(res, 200, 'text/css; charset=utf-8', demoCss(), { 'cache-control': 'public, max-age=31536000, immutable' }), true;
  if (path === DEMO_JS) return send(res, 200, 'application/javascript; charset=utf-8', demoJs(), { 'cache-control': 'public, max-age=31536000, immutable' }), true;
  if (path === '/placeholder.svg') return send(res, 200, 'image/svg+xml', placeholderSvg()), true;
  const attachment = /^\/attachments\/([A-Za-z0-9]+\.[a-z]+)$/.exec(path);
  if (attachment) {
    const file = store.attachmentFiles.get(attachment[1]!);
    if (file) send(res, 200, file.mime, file.bytes, { 'cache-control': 'public, max-age=31536000, immutable' });
    else send(res, 404, 'text/plain', 'Not found');
    return true;
  }
  const shot = /^\/screenshot\/([^/]+)\.png$/.exec(path);
  if (shot) {
    const v = findVersion(store, shot[1]!);
    if (v?.status === 'completed') send(res, 200, 'image/png', screenshotPng(v));
    else send(res, 404, 'text/plain', 'Not found');
    return true;
  }
  const deployed = /^\/deployed\/([^/]+)(\/.*)?$/.exec(path);
  if (deployed) {
    const d = store.deployments.get(deployed[1]!);
    const v = d ? findVersion(store, d.versionId) : undefined;
    if (v) send(res, 200, HTML, demoHtml(v.prompts, v.pictures));
    else send(res, 404, HTML, 'Not found');
    return true;
  }
  const demo = /^\/demo\/([^/]+)(\/.*)?$/.exec(path);
  if (!demo) return false;
  const v = findVersion(store, demo[1]!);
  const answer = () => {
    if (v?.status === 'completed') send(res, 200, HTML, demoHtml(v.prompts, v.pictures), { 'content-security-policy': 'frame-ancestors *' });
    else send(res, 404, HTML, 'Not found');
  };
  if (demoDelayMs > 0) setTimeout(() => !res.destroyed && answer(), demoDelayMs).unref();
  else answer();
  return true;
}
