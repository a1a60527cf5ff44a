import http from 'node:http';
import WebSocket from 'ws';

/** Collects what an event client receives and lets a test wait for a number of messages. */
export class Received<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length >= w.n) w.resolve();
      return this.items.length < w.n;
    });
  }

  /** Resolves once `n` items arrived in total; rejects after `ms`. */
  waitFor(n: number, ms = 5000): Promise<T[]> {
    if (this.items.length >= n) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${this.items.length}/${n} items: ${JSON.stringify(this.items).slice(0, 500)}`)), ms);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.items);
        },
      });
    });
  }
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

export function parseSseBlock(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const m = /^(id|event|data|retry): ?(.*)$/.exec(line);
    if (m) frame[m[1] as 'id' | 'event' | 'data' | 'retry'] = m[2];
  }
  return frame;
}

export async function openSse(url: string, headers: Record<string, string> = {}) {
  const frames = new Received<SseFrame>();
  let buffer = '';
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, resolve);
    req.on('error', reject);
  });
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let idx;
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      frames.push(parseSseBlock(buffer.slice(0, idx)));
      buffer = buffer.slice(idx + 2);
    }
  });
  res.on('error', () => undefined);
  return { res, frames, close: () => res.destroy() };
}

export async function openWs(url: string) {
  const messages = new Received<Record<string, unknown>>();
  const ws = new WebSocket(url);
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, messages, closed, close: () => ws.close() };
}
