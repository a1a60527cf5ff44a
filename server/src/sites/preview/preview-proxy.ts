import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { isV0Id, type Config } from '@orchestrator/shared';
import { OVERLAY_PATH, OVERLAY_SCRIPT } from './overlay-script.js';
import { injectOverlay, rewriteCss, rewriteHtml } from './rewrite.js';

/*
 * The site preview, served by us on a second listener (PREVIEW_PORT): an origin separate from the API,
 * so a site's scripts can reach neither the API's responses nor its cookies. The API hands out signed
 * paths `/s/<assetId>.<versionId>.<parent origin>.<signature>/...`; each one is proxied to that
 * version's recorded demo host, and nowhere else:
 *
 * - GET and HEAD only (405 otherwise); the request target must be a path (absolute-form → 400); the Host
 *   header must name this server (421); the demo host must be allowed by PREVIEW_DEMO_HOSTS, and the
 *   URL built from the path must stay on it (a `//other.host` path → 400).
 * - Nothing of the browser's request is forwarded but Accept, Accept-Language and cache validators:
 *   no cookies, no Authorization. Upstream Set-Cookie, CSP and X-Frame-Options are dropped.
 * - Redirects on the demo host are rewritten into the prefix; to another host they are refused (502).
 * - Slow upstreams time out (504) after PREVIEW_UPSTREAM_TIMEOUT_MS.
 * - HTML gets its absolute paths (`/_next/...`) prefixed and one overlay <script> injected; CSS gets
 *   its `url(/...)` prefixed. A request for an absolute path that escaped rewriting (built by a
 *   script) is sent back into its prefix by its Referer.
 */

export type DemoLookup = (assetId: string, versionId: string) => Promise<string | null>;

export interface PreviewProxyOptions {
  config: Pick<Config, 'host' | 'previewPort' | 'previewUrl' | 'previewDemoHosts' | 'allowedHosts' | 'publicUrl' | 'previewUpstreamTimeoutMs'>;
  lookup: DemoLookup;
  log?: FastifyBaseLogger;
  /** Overrides PREVIEW_UPSTREAM_TIMEOUT_MS (tests). */
  timeoutMs?: number;
  /** Largest HTML or CSS body rewritten in memory. */
  maxRewriteBytes?: number;
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-language', 'if-none-match', 'if-modified-since', 'range'];
const KEPT_RESPONSE_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified', 'expires', 'content-language', 'content-range', 'accept-ranges'];
const TOKEN = /^\/s\/([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})(\/.*)?$/;

interface Target {
  assetId: string;
  versionId: string;
  parentOrigin: string;
  /** `/s/<token>`: what absolute paths get in front of them. */
  prefix: string;
  rest: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string): string => Buffer.from(s, 'base64url').toString('utf8');

function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export class PreviewProxy {
  private readonly secret = randomBytes(32);
  private server: Server | null = null;
  private boundPort: number | null = null;
  /** The listener could not be opened (port taken): previews are off until a restart. */
  failed = false;
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;
  private readonly cache = new Map<string, { demo: string | null; at: number }>();
  private readonly timeoutMs: number;
  private readonly maxRewrite: number;

  constructor(private readonly o: PreviewProxyOptions) {
    const c = o.config;
    this.anyHost = c.allowedHosts.includes('*') || c.host === '0.0.0.0' || c.host === '::';
    this.hosts = new Set([...LOOPBACK, hostName(c.host), ...c.allowedHosts.map(hostName)]);
    for (const u of [c.previewUrl, c.publicUrl]) if (u) this.hosts.add(new URL(u).hostname.replace(/^\[|\]$/g, '').toLowerCase());
    this.timeoutMs = o.timeoutMs ?? c.previewUpstreamTimeoutMs;
    this.maxRewrite = o.maxRewriteBytes ?? 10 * 1024 * 1024;
  }

  /** Binds PREVIEW_PORT on HOST. A port already taken is logged, not fatal: the API works without previews. */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.o.config.previewPort, this.o.config.host, () => resolve());
      });
    } catch (err) {
      this.o.log?.error({ err, port: this.o.config.previewPort }, 'the site preview listener could not start (PREVIEW_PORT); site previews are off');
      this.failed = true;
      return;
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get port(): number | null {
    return this.boundPort;
  }

  private sign(assetId: string, versionId: string, parentOrigin: string): string {
    return createHmac('sha256', this.secret).update(`${assetId}\n${versionId}\n${parentOrigin}`).digest().subarray(0, 16).toString('base64url');
  }

  /** `/s/<token>`, the prefix every preview path of this version (for this parent page) starts with. */
  prefixFor(assetId: string, versionId: string, parentOrigin: string): string {
    return `/s/${assetId}.${versionId}.${b64(parentOrigin)}.${this.sign(assetId, versionId, parentOrigin)}`;
  }

  /** The preview origin as the browser reaches it: PREVIEW_URL, else the page's host name with the bound port. */
  originFor(requestHostname: string, secure: boolean): string {
    if (this.o.config.previewUrl) return this.o.config.previewUrl;
    const port = this.boundPort ?? this.o.config.previewPort;
    const host = requestHostname.includes(':') && !requestHostname.startsWith('[') ? `[${requestHostname}]` : requestHostname;
    return `${secure ? 'https' : 'http'}://${host}:${port}`;
  }

  /** The URL an iframe (or a new tab) loads for a version whose demo is `demoUrl`. */
  urlFor(o: { assetId: string; versionId: string; demoUrl: string; parentOrigin: string; requestHostname: string; secure: boolean }): string {
    const demo = new URL(o.demoUrl);
    return `${this.originFor(o.requestHostname, o.secure)}${this.prefixFor(o.assetId, o.versionId, o.parentOrigin)}${demo.pathname}${demo.search}`;
  }

  /** Whether a demo URL is one the proxy may fetch: http(s), on a PREVIEW_DEMO_HOSTS name. */
  demoAllowed(demoUrl: string): boolean {
    let u: URL;
    try {
      u = new URL(demoUrl);
    } catch {
      return false;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    if (u.username || u.password) return false;
    const host = u.hostname.toLowerCase();
    return this.o.config.previewDemoHosts.some((h) => (h.startsWith('.') ? host.endsWith(h) && host.length > h.length : host === h));
  }

  private parse(path: string): Target | null {
    const m = TOKEN.exec(path);
    if (!m) return null;
    const [, assetId, versionId, origin64, sig, rest] = m;
    if (!/^[0-9a-f]{16}$/.test(assetId!) || !isV0Id(versionId!)) return null;
    let parentOrigin: string;
    try {
      parentOrigin = unb64(origin64!);
    } catch {
      return null;
    }
    const want = Buffer.from(this.sign(assetId!, versionId!, parentOrigin));
    const got = Buffer.from(sig!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return { assetId: assetId!, versionId: versionId!, parentOrigin, prefix: `/s/${assetId}.${versionId}.${origin64}.${sig}`, rest: rest ?? '/' };
  }

  private async demoOf(assetId: string, versionId: string): Promise<string | null> {
    const key = `${assetId}/${versionId}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < 5000) return hit.demo;
    const demo = await this.o.lookup(assetId, versionId).catch(() => null);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { demo, at: Date.now() });
    return demo;
  }

  /** The node request handler (exported through the instance for tests). */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await this.serve(req, res);
    } catch (err) {
      this.o.log?.warn({ err }, 'preview proxy failed');
      if (!res.headersSent) plain(res, 502, 'The preview could not be loaded.');
      else res.destroy();
    }
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'The preview only answers GET and HEAD.', { allow: 'GET, HEAD' });
    const raw = req.url ?? '/';
    if (!raw.startsWith('/') || raw.startsWith('//')) return plain(res, 400, 'Only paths on this preview are served: no other hosts.');
    const host = req.headers.host;
    if (host !== undefined && !this.anyHost && !this.hosts.has(hostName(host)) && !hostName(host).endsWith('.localhost')) {
      return plain(res, 421, `This preview server does not answer for "${hostName(host).slice(0, 100)}": add it to ALLOWED_HOSTS`);
    }
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q);
    if (path === OVERLAY_PATH) {
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      return void res.end(method === 'HEAD' ? undefined : OVERLAY_SCRIPT);
    }
    const target = this.parse(path);
    if (!target) return this.fromReferer(req, res, path, search);
    const demo = await this.demoOf(target.assetId, target.versionId);
    if (!demo) return plain(res, 404, 'This site version has no preview.');
    if (!this.demoAllowed(demo)) return plain(res, 403, "The site's recorded demo host is not one the preview may fetch from (PREVIEW_DEMO_HOSTS).");
    const base = new URL(demo);
    let upstream: URL;
    try {
      upstream = new URL(target.rest + search, base.origin);
    } catch {
      return plain(res, 400, 'That is not a path on the site.');
    }
    if (upstream.origin !== base.origin) return plain(res, 400, "Only the site's own demo host is proxied.");
    await this.forward(req, res, method, upstream, base, target);
  }

  /** An absolute path built by a script (not rewritten): back into the prefix of the page that asked. */
  private fromReferer(req: IncomingMessage, res: ServerResponse, path: string, search: string): void {
    const referer = req.headers.referer;
    if (referer) {
      let ref: URL | null;
      try {
        ref = new URL(referer);
      } catch {
        ref = null;
      }
      const from = ref && ref.host === req.headers.host ? this.parse(ref.pathname) : null;
      if (from) {
        res.writeHead(307, { location: `${from.prefix}${path}${search}`, 'cache-control': 'no-store' });
        return void res.end();
      }
    }
    plain(res, 404, 'Not a preview path (previews are opened from the site studio).');
  }

  private async forward(req: IncomingMessage, res: ServerResponse, method: string, upstream: URL, base: URL, t: Target): Promise<void> {
    const headers: Record<string, string> = { 'user-agent': 'Orchestrator-preview' };
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    req.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let up: Response;
    try {
      up = await fetch(upstream, { method, headers, redirect: 'manual', signal: abort.signal });
    } catch {
      clearTimeout(timer);
      if (!abort.signal.aborted) return plain(res, 502, 'The site could not be reached.');
      const waited = this.timeoutMs >= 1000 ? `${Math.round(this.timeoutMs / 100) / 10} s` : `${this.timeoutMs} ms`;
      return plain(res, 504, `The site did not answer within ${waited} (PREVIEW_UPSTREAM_TIMEOUT_MS); reload to try again.`);
    }
    try {
      if (up.status >= 300 && up.status < 400 && up.headers.get('location')) {
        await up.body?.cancel().catch(() => undefined);
        let loc: URL;
        try {
          loc = new URL(up.headers.get('location')!, upstream);
        } catch {
          return plain(res, 502, 'The site sent a redirect that could not be read.');
        }
        if (loc.origin !== base.origin) return plain(res, 502, 'The site redirected to another host; the preview only shows its own demo host.');
        res.writeHead(up.status, { location: `${t.prefix}${loc.pathname}${loc.search}`, 'cache-control': 'no-store' });
        return void res.end();
      }
      const out: Record<string, string> = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };
      for (const h of KEPT_RESPONSE_HEADERS) {
        const v = up.headers.get(h);
        if (v !== null) out[h] = v;
      }
      const type = (up.headers.get('content-type') ?? '').toLowerCase();
      const isHtml = type.startsWith('text/html');
      const isCss = type.startsWith('text/css');
      if ((isHtml || isCss) && method === 'GET' && up.body) {
        const declared = Number(up.headers.get('content-length') ?? '0');
        if (declared > this.maxRewrite) return plain(res, 502, 'The page is too large to preview.');
        const text = await readLimited(up, this.maxRewrite);
        if (text === null) return plain(res, 502, 'The page is too large to preview.');
        const body = isHtml ? injectOverlay(rewriteHtml(text, t.prefix), { src: OVERLAY_PATH, parentOrigin: t.parentOrigin, prefix: t.prefix }) : rewriteCss(text, t.prefix);
        if (isHtml) out['cache-control'] = 'no-store';
        out['content-length'] = String(Buffer.byteLength(body));
        res.writeHead(up.status, out);
        return void res.end(body);
      }
      res.writeHead(up.status, out);
      if (method === 'HEAD' || !up.body) {
        await up.body?.cancel().catch(() => undefined);
        return void res.end();
      }
      await new Promise<void>((resolve) => {
        const stream = Readable.fromWeb(up.body as import('node:stream/web').ReadableStream<Uint8Array>);
        stream.on('error', () => {
          res.destroy();
          resolve();
        });
        res.on('close', resolve);
        stream.pipe(res);
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readLimited(res: Response, max: number): Promise<string | null> {
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function plain(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: status === 405 ? 'method_not_allowed' : status === 421 ? 'host_not_allowed' : status >= 500 ? 'preview_upstream' : 'preview_refused', message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}
