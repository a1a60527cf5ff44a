import { hostname, networkInterfaces } from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { Config } from '@orchestrator/shared';
import { HttpError } from '../errors.js';

/*
 * Two checks on every request, in local and team mode alike:
 * - Host: only names this server is meant to be reached by (loopback, HOST, PUBLIC_URL's host,
 *   ALLOWED_HOSTS; with HOST=0.0.0.0 also this machine's name and addresses). A page on another site
 *   that makes its own name resolve to 127.0.0.1 (DNS rebinding) gets 421.
 * - Origin: a browser says which page sent a request. A request that can act (anything but GET/HEAD/
 *   OPTIONS) and any request to the event channel (WebSocket, SSE: they stream every prompt and id)
 *   is refused (403) when it comes from another site's page: an Origin that is neither this server's
 *   own nor in ALLOWED_ORIGINS, or, without an Origin, Sec-Fetch-Site saying cross-site. Clients that
 *   are not browsers (curl, scripts, workers) send neither and are not affected.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** GETs that stream events: as sensitive as a write. */
const EVENT_CHANNELS = ['/api/ws', '/api/jobs/stream'];

/** `Host` header → lowercase host name without port or brackets. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function machineNames(): string[] {
  const names = [hostname().toLowerCase()];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.push(a.address.toLowerCase());
  return names;
}

export interface RequestGuard {
  check(request: FastifyRequest): void;
}

export function requestGuard(config: Config): RequestGuard {
  const anyHost = config.allowedHosts.includes('*');
  const hosts = new Set<string>([...LOOPBACK, ...config.allowedHosts.map((h) => hostName(h))]);
  if (WILDCARD_HOSTS.has(config.host)) for (const n of machineNames()) hosts.add(n);
  else hosts.add(hostName(config.host));
  if (config.publicUrl) hosts.add(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  const origins = new Set(config.allowedOrigins);

  const hostAllowed = (name: string) => anyHost || hosts.has(name) || name.endsWith('.localhost');

  return {
    check(request) {
      const host = request.headers.host;
      if (host !== undefined && !hostAllowed(hostName(host))) {
        throw new HttpError('host_not_allowed', `This server does not answer for "${hostName(host).slice(0, 100)}": add it to ALLOWED_HOSTS`);
      }
      const path = request.url.split('?')[0]!;
      if (SAFE_METHODS.has(request.method) && !EVENT_CHANNELS.includes(path)) return;
      const origin = request.headers.origin;
      if (origin !== undefined) {
        const own = host !== undefined && (origin.toLowerCase() === `http://${host.toLowerCase()}` || origin.toLowerCase() === `https://${host.toLowerCase()}`);
        if (own || origins.has(origin.replace(/\/+$/, '').toLowerCase())) return;
        throw new HttpError('origin_forbidden', `Pages from ${origin.slice(0, 100)} may not use this API: add the origin to ALLOWED_ORIGINS if you trust it`);
      }
      const site = request.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') {
        throw new HttpError('origin_forbidden', 'A page of another site may not use this API');
      }
    },
  };
}
