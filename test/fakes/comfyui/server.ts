// HTTP plumbing: aiohttp-like responses, the /api mirror, the loopback origin-check middleware,
// the request body limit, the refuse fault, and the WebSocket upgrade path.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { App } from './app.js';
import { pyJson } from './py.js';
import { BodyTooLarge, type Ctx, INTERNAL_ROUTES, type Resp, ROUTES, type Route } from './routes.js';

const SERVER_HEADER = 'Python/3.12 aiohttp/3.11.18 (fake-comfyui)';
const TEXT = 'text/plain; charset=utf-8';
const ERR_500 = '500 Internal Server Error\n\nServer got itself in trouble';

interface Parsed {
  netloc: string;
  hostname: string | null;
  port: number | null;
}

/** urllib.parse.urlparse/urlsplit subset: netloc, hostname (lowercased), port. */
function urlParts(u: string): Parsed {
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(u);
  const netloc = m ? m[1]! : '';
  const hostport = netloc.slice(netloc.lastIndexOf('@') + 1);
  let hostname: string;
  let portStr = '';
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    hostname = hostport.slice(1, end < 0 ? undefined : end);
    if (end >= 0 && hostport[end + 1] === ':') portStr = hostport.slice(end + 2);
  } else {
    const i = hostport.indexOf(':');
    hostname = i < 0 ? hostport : hostport.slice(0, i);
    if (i >= 0) portStr = hostport.slice(i + 1);
  }
  return { netloc, hostname: hostname ? hostname.toLowerCase() : null, port: /^\d+$/.test(portStr) ? Number(portStr) : null };
}

/** Loopback test of the middleware (names other than localhost are not resolved by the fake). */
function isLoopback(host: string | null): boolean {
  if (!host) return false;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return host === 'localhost' || host.endsWith('.localhost');
}

/** create_origin_only_middleware: true → 403. */
export function originForbidden(host: string | undefined, origin: string | undefined): boolean {
  if (host === undefined || origin === undefined) return false;
  let hostDomain: string | null = host.toLowerCase();
  const o = urlParts(origin);
  let originDomain: string | null = o.netloc.toLowerCase();
  const h = urlParts('//' + hostDomain);
  const loopback = isLoopback(h.hostname);
  if (o.port === null) hostDomain = h.hostname;
  if (h.port === null) originDomain = o.hostname;
  return loopback && !!hostDomain && !!originDomain && hostDomain !== originDomain;
}

function send(res: ServerResponse, status: number, body: Buffer | string, type: string, extra: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(buf.length), Server: SERVER_HEADER, ...extra });
  res.end(buf);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge(limit, declared));
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limit) reject(new BodyTooLarge(limit, total));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeResp(res: ServerResponse, r: Resp): void {
  switch (r.kind) {
    case 'json':
      return send(res, r.status, pyJson(r.data), 'application/json; charset=utf-8');
    case 'empty':
      return send(res, r.status, '', 'application/octet-stream');
    case 'text':
      return send(res, r.status, r.text, r.type ? `${r.type}; charset=utf-8` : TEXT);
    case 'view': {
      const v = r.view;
      if (!v.file) return send(res, v.status, '', v.headers['Content-Type'] ?? 'application/octet-stream', v.headers);
      const len = v.file.end - v.file.start + 1;
      res.writeHead(v.status, { ...v.headers, 'Content-Length': String(Math.max(0, len)), Server: SERVER_HEADER });
      if (len <= 0) return void res.end();
      createReadStream(v.file.path, { start: v.file.start, end: v.file.end }).on('error', () => res.destroy()).pipe(res);
    }
  }
}

function match(path: string, mirrored: boolean): { routes: Array<[Route, string[]]> } {
  const table = mirrored ? ROUTES : [...ROUTES, ...INTERNAL_ROUTES];
  const routes: Array<[Route, string[]]> = [];
  for (const r of table) {
    const m = r.path.exec(path);
    if (m) routes.push([r, m.slice(1).map((s) => decodeURIComponent(s))]);
  }
  return { routes };
}

export function requestHandler(app: App): RequestListener {
  return (req, res) => {
    void handle(app, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, ERR_500, TEXT);
      else res.destroy();
    });
  };
}

/** The reverse proxy's basic-auth check, when the fake stands behind one. */
function unauthorized(app: App, req: IncomingMessage): boolean {
  if (!app.opts.basicAuth) return false;
  return req.headers.authorization !== `Basic ${Buffer.from(app.opts.basicAuth).toString('base64')}`;
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (app.faults.refuse) return send(res, 503, '503: Service Unavailable', TEXT, { Connection: 'close' });
  if (unauthorized(app, req)) return send(res, 401, '401 Authorization Required', 'text/html', { 'WWW-Authenticate': 'Basic realm="ComfyUI"' });
  if (originForbidden(req.headers.host, req.headers.origin)) return send(res, 403, '', 'application/octet-stream');
  if (req.method === 'OPTIONS') return send(res, 200, '', 'application/octet-stream');
  const url = new URL(req.url ?? '/', 'http://localhost');
  let p = url.pathname;
  let mirrored = false;
  if (p.startsWith('/api/')) {
    p = p.slice(4);
    mirrored = true;
  }
  if (p === '/ws') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '405: Method Not Allowed', TEXT, { Allow: 'GET,HEAD' });
    return send(res, 400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".', TEXT);
  }
  const { routes } = mirrored && p.startsWith('/internal/') ? { routes: [] } : match(p, mirrored);
  if (routes.length === 0) return send(res, 404, '404: Not Found', TEXT);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const hit = routes.find(([r]) => r.method === method);
  if (!hit) {
    const allow = [...new Set(routes.flatMap(([r]) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))].join(',');
    return send(res, 405, '405: Method Not Allowed', TEXT, { Allow: allow });
  }
  const ctx: Ctx = {
    app, url, params: hit[1], headers: req.headers, body: () => readBody(req, app.opts.maxUploadSize),
  };
  try {
    writeResp(res, await hit[0].handler(ctx));
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      req.resume();
      return send(res, 413, e.message, TEXT, { Connection: 'close' });
    }
    send(res, 500, ERR_500, TEXT);
  }
}

export function upgradeHandler(app: App): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const reject = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    socket.on('error', () => undefined);
    if (app.faults.refuse) return reject('503 Service Unavailable');
    if (unauthorized(app, req)) return reject('401 Unauthorized');
    if (originForbidden(req.headers.host, req.headers.origin)) return reject('403 Forbidden');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return reject('404 Not Found');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return reject('400 Bad Request');
    app.hub.handleUpgrade(req, socket, head, url.searchParams.get('clientId') ?? '');
  };
}
