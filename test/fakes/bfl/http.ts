// Small node:http helpers shared by the BFL fake's routes: JSON replies, bounded body reading, listening.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';

export class BodyTooLarge extends Error {}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(buf.length),
    'x-request-id': randomUUID(),
    ...headers,
  });
  res.end(buf);
}

export function sendBytes(res: ServerResponse, status: number, body: Buffer, type: string, headOnly = false): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length) });
  res.end(headOnly ? undefined : body);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limit) reject(new BodyTooLarge());
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/**
 * Serves `handler` on `host` and `port` (0: a free one). With `alsoIpv6`, on ::1 too when the machine
 * has IPv6 loopback: "localhost" may resolve to ::1 first.
 */
export async function serveLoopback(handler: RequestListener, port: number, host: string, alsoIpv6: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const servers: Server[] = [];
  const open = async (h: string, p: number): Promise<number> => {
    const s = createServer(handler);
    s.on('clientError', (_e, socket) => socket.destroy());
    const bound = await listen(s, p, h);
    servers.push(s);
    return bound;
  };
  const bound = await open(host, port);
  if (alsoIpv6) await open('::1', bound).catch(() => undefined);
  return { port: bound, close: async () => void (await Promise.all(servers.splice(0).map(closeServer))) };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Host name (lower-case, no port, no IPv6 brackets) from a Host header. */
export function hostName(hostHeader: string | undefined): string {
  const h = (hostHeader ?? '').toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const i = h.lastIndexOf(':');
  return i < 0 ? h : h.slice(0, i);
}
