import WebSocket from 'ws';
import type { Logger } from 'pino';
import { backendEndpoint } from '@orchestrator/shared';

/*
 * One long-lived ComfyUI WebSocket per backend (protocol §2). ComfyUI routes a prompt's events by the
 * `client_id` it was submitted with, so this socket's clientId is the one the provider submits with.
 * Frames are dispatched to the watcher of their prompt_id; frames without one (binary type-1 previews,
 * the reconnect-time `executing{node}`) go to the prompt that is running. After a drop the socket
 * reconnects with backoff, closing the old socket first (pitfall §2 H), and tells the watchers so they
 * can reconcile through /history and /queue (events during the gap are lost).
 */

export interface ComfyMessage {
  type: string;
  data: Record<string, unknown>;
}

export interface PromptWatcher {
  message(msg: ComfyMessage): void;
  preview(mimeType: string, bytes: Buffer): void;
  /** The socket (re)connected or dropped; after a reconnect, events of the gap are lost. */
  connection(connected: boolean): void;
  /** A queue-change broadcast (`status`): a cheap moment to check /history. */
  queueChanged(queueRemaining: number | undefined): void;
}

export interface SocketOptions {
  pingIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type BinaryFrame = { mimeType: string; bytes: Buffer; promptId?: string };

/** Parses binary frames of type 1 (legacy preview) and 4 (preview with metadata); others → null. */
export function parseBinaryFrame(buf: Buffer): BinaryFrame | null {
  if (buf.length < 8) return null;
  const type = buf.readUInt32BE(0);
  if (type === 1) {
    const format = buf.readUInt32BE(4);
    return { mimeType: format === 2 ? 'image/png' : 'image/jpeg', bytes: buf.subarray(8) };
  }
  if (type === 4) {
    const len = buf.readUInt32BE(4);
    if (8 + len > buf.length) return null;
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
    const mimeType = typeof meta.image_type === 'string' ? meta.image_type : 'image/png';
    return {
      mimeType,
      bytes: buf.subarray(8 + len),
      ...(typeof meta.prompt_id === 'string' ? { promptId: meta.prompt_id } : {}),
    };
  }
  return null;
}

export class ComfySocket {
  readonly clientId: string;
  private readonly wsUrl: string;
  private ws: WebSocket | null = null;
  private open = false;
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private readonly watchers = new Map<string, PromptWatcher>();
  /** The prompt the server last told us is executing (for frames without prompt_id). */
  private running: string | null = null;
  private readonly openWaiters = new Set<() => void>();
  private readonly opts: Required<SocketOptions>;
  private readonly authorization: string | undefined;

  constructor(
    baseUrl: string,
    clientId: string,
    private readonly log: Logger,
    opts: SocketOptions = {},
  ) {
    this.clientId = clientId;
    const endpoint = backendEndpoint(baseUrl);
    this.authorization = endpoint.authorization;
    const u = new URL(endpoint.url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/ws`;
    u.search = `?clientId=${encodeURIComponent(clientId)}`;
    this.wsUrl = u.toString();
    this.opts = { pingIntervalMs: 10000, minBackoffMs: 250, maxBackoffMs: 5000, ...opts };
    this.backoffMs = this.opts.minBackoffMs;
  }

  get connected(): boolean {
    return this.open;
  }

  start(): void {
    if (!this.ws && !this.closed) this.connect();
  }

  /** Resolves true once connected, false after `timeoutMs` (the caller then falls back to polling). */
  waitConnected(timeoutMs: number): Promise<boolean> {
    this.start();
    if (this.open) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.openWaiters.delete(done);
        resolve(this.open);
      };
      const timer = setTimeout(done, timeoutMs);
      this.openWaiters.add(done);
    });
  }

  /** Routes this prompt's frames to `watcher` until the returned function is called. */
  watch(promptId: string, watcher: PromptWatcher): () => void {
    this.watchers.set(promptId, watcher);
    return () => {
      if (this.watchers.get(promptId) === watcher) this.watchers.delete(promptId);
      if (this.running === promptId) this.running = null;
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopPing();
    for (const w of this.openWaiters) w();
    const ws = this.ws;
    if (!ws) return;
    await this.closeSocket(ws);
  }

  private connect(): void {
    // No permessage-deflate (ComfyUI's aiohttp would accept it): the frames are small JSON and
    // already-compressed previews, and inflating each one on the zlib thread pool delays every event.
    const ws = new WebSocket(this.wsUrl, { handshakeTimeout: 5000, perMessageDeflate: false, ...(this.authorization ? { headers: { authorization: this.authorization } } : {}) });
    this.ws = ws;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.open = true;
      this.backoffMs = this.opts.minBackoffMs;
      this.log.debug({ url: this.wsUrl }, 'comfyui socket connected');
      // Opt into type-4 previews (they carry prompt_id); older servers ignore the message.
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      this.startPing(ws);
      for (const w of [...this.openWaiters]) w();
      for (const watcher of this.watchers.values()) watcher.connection(true);
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      if (isBinary) this.onBinary(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      else this.onText(data.toString());
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('error', (err) => {
      this.log.debug({ err: err.message }, 'comfyui socket error');
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      const wasOpen = this.open;
      this.open = false;
      this.ws = null;
      this.stopPing();
      if (this.closed) return;
      if (wasOpen) {
        this.log.info('comfyui socket dropped; reconnecting');
        for (const watcher of this.watchers.values()) watcher.connection(false);
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && !this.ws) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** Closes a socket and waits until it is really gone, so a new one with our clientId is never shadowed. */
  private closeSocket(ws: WebSocket): Promise<void> {
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close();
    });
  }

  private startPing(ws: WebSocket): void {
    this.stopPing();
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        // No pong for a whole interval: the connection is dead even if TCP has not noticed.
        this.log.info('comfyui socket ping timeout; reconnecting');
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping();
      } catch {}
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private target(promptId: string | undefined): PromptWatcher | undefined {
    if (promptId !== undefined) return this.watchers.get(promptId);
    if (this.running !== null) return this.watchers.get(this.running);
    // Concurrency is one prompt per backend per process, so a lone watcher is the running prompt.
    if (this.watchers.size === 1) return this.watchers.values().next().value;
    return undefined;
  }

  private onText(text: string): void {
    let msg: ComfyMessage;
    try {
      const parsed = JSON.parse(text) as { type?: unknown; data?: unknown };
      if (typeof parsed.type !== 'string') return;
      const data = typeof parsed.data === 'object' && parsed.data !== null ? (parsed.data as Record<string, unknown>) : {};
      msg = { type: parsed.type, data };
    } catch {
      return;
    }
    const promptId = typeof msg.data.prompt_id === 'string' ? msg.data.prompt_id : undefined;
    if (msg.type === 'status') {
      const status = msg.data.status as { exec_info?: { queue_remaining?: unknown } } | undefined;
      const remaining = status?.exec_info?.queue_remaining;
      for (const watcher of this.watchers.values()) watcher.queueChanged(typeof remaining === 'number' ? remaining : undefined);
      return;
    }
    if (promptId !== undefined) {
      if (msg.type === 'execution_start' || msg.type === 'progress' || (msg.type === 'executing' && msg.data.node !== null)) {
        this.running = promptId;
      } else if (msg.type === 'executing' && msg.data.node === null && this.running === promptId) {
        this.running = null;
      }
    }
    this.target(promptId)?.message(msg);
  }

  private onBinary(buf: Buffer): void {
    const frame = parseBinaryFrame(buf);
    if (!frame) return;
    this.target(frame.promptId)?.preview(frame.mimeType, frame.bytes);
  }
}
