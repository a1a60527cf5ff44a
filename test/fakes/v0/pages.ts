// The browser-facing pages: the v0.app chat page (webUrl, refuses framing) and the static demo renderer
// (demoUrl, framable; every sub-path answers the page HTML, as the static vusercontent.net renderer does).
import type { ServerResponse } from 'node:http';
import { CHAT_PAGE_HEADERS, chatPageHtml, demoHtml } from './site.js';
import type { Store } from './store.js';

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)), ...headers });
  res.end(html);
}

/** Answers GET /chat/:id (the v0.app chat page) and /demo/:versionId/* (the preview); false for any other path. */
export function servePage(store: Store, path: string, res: ServerResponse): boolean {
  const chatPage = /^\/chat\/([^/]+)$/.exec(path);
  if (chatPage) {
    const chat = store.chats.get(chatPage[1]!);
    sendHtml(res, chat ? 200 : 404, chat ? chatPageHtml(chat.id, chat.name) : 'Not found', CHAT_PAGE_HEADERS);
    return true;
  }
  const demo = /^\/demo\/([^/]+)(\/.*)?$/.exec(path);
  if (!demo) return false;
  const v = store.list().flatMap((c) => c.versions).find((x) => x.id === demo[1]);
  if (v?.status === 'completed') sendHtml(res, 200, demoHtml(v.prompts), { 'content-security-policy': 'frame-ancestors *' });
  else sendHtml(res, 404, 'Not found');
  return true;
}
