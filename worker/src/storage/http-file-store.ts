import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { DISK_FULL_STATUS, DiskFullError, safeRelPath, type DirFile, type FileStore } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';

/*
 * A folder of the server (its OUTPUT_PATH or uploads) through its storage API, for a worker that does
 * not share the server's disk. Bodies are streamed, each upload carries its SHA-256 (the server keeps
 * the old file on a mismatch), and a write is idempotent (same path, same bytes: one file). While the
 * server cannot be reached (down, restarting) every call waits and tries again, with backoff: the job
 * stays running and nothing is lost. Only `close()` ends the waiting.
 */

export interface ServerAddress {
  url: string;
  token: string;
}

export interface HttpFileStoreOptions {
  root: 'output' | 'uploads';
  /** Where the server is and the token it wants; asked again before every retry (it may move). */
  address(): Promise<ServerAddress | null>;
  log: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
}

export class StorageRefused extends Error {
  override readonly name = 'StorageRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type FetchBody = NonNullable<Parameters<typeof fetch>[1]>['body'];

class StoreClosed extends Error {
  override readonly name = 'StoreClosed';
}

export class HttpFileStore implements FileStore {
  readonly kind = 'uploads to server';
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly o: HttpFileStoreOptions) {}

  /** Ends every wait for the server (the worker is stopping): pending calls throw. */
  close(): void {
    this.closed = true;
    for (const w of this.wakers) w();
  }

  async read(rel: string): Promise<Buffer | null> {
    const res = await this.call('GET', `/api/storage/${this.o.root}/file`, rel, { allow404: true });
    return res ? Buffer.from(await res.arrayBuffer()) : null;
  }

  async size(rel: string): Promise<number | null> {
    const res = await this.call('HEAD', `/api/storage/${this.o.root}/file`, rel, { allow404: true });
    return res ? Number(res.headers.get('content-length') ?? '0') : null;
  }

  async list(relDir: string): Promise<string[]> {
    const res = await this.call('GET', `/api/storage/${this.o.root}/list`, relDir, {});
    return ((await res!.json()) as { names: string[] }).names;
  }

  async write(rel: string, data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.call('PUT', '/api/storage/output/file', rel, {
      body: () => new Blob([new Uint8Array(bytes)]),
      headers: { 'content-type': 'application/octet-stream', 'x-content-sha256': sha256 },
    });
  }

  async writeFrom(rel: string, localFile: string): Promise<void> {
    const [info, sha256] = await Promise.all([stat(localFile), fileSha256(localFile)]);
    await this.call('PUT', '/api/storage/output/file', rel, {
      stream: () => createReadStream(localFile),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(info.size), 'x-content-sha256': sha256 },
    });
  }

  async remove(rel: string): Promise<void> {
    await this.call('DELETE', '/api/storage/output/file', rel, { allow404: true });
  }

  /**
   * Hands over the thumbnail of the output at `rel` (stored already); the server files it under its cache
   * key. Tried twice at most, briefly: a thumbnail is never worth holding a job for (the server can make it).
   */
  async putThumbnail(rel: string, webp: Uint8Array, recipe: string): Promise<void> {
    await this.call('PUT', '/api/storage/output/thumb', rel, {
      body: () => new Blob([new Uint8Array(webp)]),
      headers: { 'content-type': 'image/webp', 'x-thumbnail-recipe': recipe },
      attempts: 2,
      timeoutMs: 10_000, // tens of KB: a server that takes longer is better left to make it itself
    });
  }

  async replaceDir(relDir: string, files: readonly DirFile[]): Promise<{ refused: string[] }> {
    const payload = JSON.stringify({ files: files.map((f) => ({ name: f.name, data: Buffer.from(f.data).toString('base64') })) });
    const res = await this.call('PUT', '/api/storage/output/dir', relDir, { body: () => payload, headers: { 'content-type': 'application/json' } });
    return (await res!.json()) as { refused: string[] };
  }

  private async call(
    method: string,
    route: string,
    rel: string,
    opts: {
      allow404?: boolean;
      body?: () => FetchBody;
      stream?: () => NodeJS.ReadableStream;
      headers?: Record<string, string>;
      /** Give up (throw) after this many tries; default: keep trying until the server answers or close(). */
      attempts?: number;
      timeoutMs?: number;
    },
  ): Promise<Response | null> {
    const safe = safeRelPath(rel);
    if (!safe) throw new StorageRefused(400, `unsafe path: ${rel.slice(0, 200)}`);
    let delay = this.o.retryBaseMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new StoreClosed('the worker is stopping');
      const address = await this.o.address().catch(() => null);
      let problem: string;
      if (!address) {
        problem = 'the server has not published where its storage API is yet (is it running? set SERVER_URL)';
      } else {
        try {
          const url = `${address.url}${route}?path=${encodeURIComponent(safe)}`;
          const headers = { authorization: `Bearer ${address.token}`, ...opts.headers };
          const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.o.requestTimeoutMs ?? 10 * 60_000);
          const body = opts.body?.();
          const res = opts.stream
            ? await streamUpload(url, method, headers, opts.stream(), timeout)
            : await fetch(url, { method, headers, signal: timeout, ...(body !== undefined ? { body } : {}) });
          if (res.ok) return res;
          if (res.status === 404 && opts.allow404) {
            await res.arrayBuffer().catch(() => undefined);
            return null;
          }
          const text = await res.text().catch(() => '');
          // The server's disk is full: waiting would not make room, so the job hears it now (and fails `disk_full`).
          if (res.status === DISK_FULL_STATUS) throw new DiskFullError(`the server has no room to store ${safe}: ${text.slice(0, 300)}`);
          if (res.status < 500 && res.status !== 408 && res.status !== 429) throw new StorageRefused(res.status, `the server refused ${method} ${safe}: ${res.status} ${text.slice(0, 300)}`);
          problem = `${res.status} ${text.slice(0, 200)}`;
        } catch (err) {
          if (err instanceof StorageRefused || err instanceof DiskFullError) throw err;
          problem = errorMessage(err);
        }
      }
      if (opts.attempts !== undefined && attempt >= opts.attempts) throw new Error(`the storage API did not take ${method} ${safe}: ${problem}`);
      if (attempt === 1 || attempt % 10 === 0) this.o.log.warn({ path: safe, attempt, problem }, 'storage API unreachable; will try again');
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.o.retryMaxMs ?? 15_000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

/**
 * A streamed upload with node:http, whose pipe waits for the socket (backpressure): Node's fetch reads a
 * stream body far ahead of the socket, holding most of a large file in memory. Answers a Response.
 */
function streamUpload(url: string, method: string, headers: Record<string, string>, body: NodeJS.ReadableStream, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = (target.protocol === 'https:' ? https : http).request(target, { method, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        const plain = Object.entries(res.headers).filter((e): e is [string, string] => typeof e[1] === 'string');
        resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: plain }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    pipeline(body, req).catch(reject);
  });
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
