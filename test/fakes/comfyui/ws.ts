// WebSocket side of server.py: the sid → socket registry (including its replace-on-reconnect
// quirk, issue #16010), owner/broadcast routing, binary frames, the feature_flags handshake.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { isPlainObject, pyJson } from './py.js';

export const BinaryEvent = { PREVIEW_IMAGE: 1, TEXT: 3, PREVIEW_IMAGE_WITH_METADATA: 4 } as const;

export interface WsHooks {
  queueRemaining(): number;
  /** Node to resend as `executing{node}` when `sid` owns the running prompt (else null). */
  reconnectNode(sid: string): string | null;
  serverFeatures(): Record<string, unknown>;
}

export class WsHub {
  private wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, maxPayload: 4 * 1024 * 1024 });
  /** self.sockets: keyed by sid; a reconnect with the same clientId replaces (but does not close) the old socket. */
  private readonly sockets = new Map<string, WebSocket>();
  private readonly flags = new Map<string, Record<string, unknown>>();
  private readonly all = new Set<WebSocket>();
  /** Completion of the latest send per socket (sends are ordered, so this covers all earlier ones). */
  private readonly lastSend = new WeakMap<WebSocket, Promise<void>>();

  constructor(private hooks: WsHooks) {}

  get openCount(): number {
    return this.all.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, clientId: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, clientId));
  }

  private onConnection(ws: WebSocket, clientId: string): void {
    this.all.add(ws);
    let sid = clientId;
    if (sid) this.sockets.delete(sid);
    else sid = randomUUID().replace(/-/g, '');
    this.sockets.set(sid, ws);
    this.flags.set(sid, {});
    ws.on('close', () => {
      this.all.delete(ws);
      // Faithful to the original: cleanup is keyed by sid, so closing an old socket also
      // unregisters a newer socket that reused the same clientId.
      this.sockets.delete(sid);
      this.flags.delete(sid);
    });
    ws.on('error', () => undefined);
    this.send('status', { status: { exec_info: { queue_remaining: this.hooks.queueRemaining() } }, sid }, sid);
    const node = this.hooks.reconnectNode(sid);
    if (node !== null) this.send('executing', { node }, sid);
    let first = true;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return; // logged as invalid JSON; does not count as the first message
      }
      if (!isPlainObject(msg)) return; // data.get() raises in the original → first message flag kept
      if (first && msg.type === 'feature_flags') {
        this.flags.set(sid, isPlainObject(msg.data) ? msg.data : {});
        this.send('feature_flags', this.hooks.serverFeatures(), sid);
      }
      first = false;
    });
  }

  private targets(sid: unknown): WebSocket[] {
    if (sid === null || sid === undefined) return [...this.sockets.values()];
    const ws = typeof sid === 'string' ? this.sockets.get(sid) : undefined;
    return ws ? [ws] : [];
  }

  /** send_sync(event, data, sid): sid null → broadcast to every registered socket. */
  send(event: string, data: Record<string, unknown>, sid: unknown): void {
    const text = pyJson({ type: event, data });
    for (const ws of this.targets(sid)) this.write(ws, text);
  }

  private write(ws: WebSocket, data: string | Buffer): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    this.lastSend.set(ws, new Promise<void>((resolve) => ws.send(data, () => resolve())));
  }

  sendBinary(event: number, payload: Buffer, sid: unknown): void {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(event, 0);
    const frame = Buffer.concat([head, payload]);
    for (const ws of this.targets(sid)) this.write(ws, frame);
  }

  /** Legacy preview: type 1, format 1 = JPEG / 2 = PNG. */
  sendPreview(png: Buffer, sid: unknown): void {
    const fmt = Buffer.alloc(4);
    fmt.writeUInt32BE(2, 0);
    this.sendBinary(BinaryEvent.PREVIEW_IMAGE, Buffer.concat([fmt, png]), sid);
  }

  /** Type 4: uint32 length + JSON metadata + image bytes. */
  sendPreviewWithMetadata(png: Buffer, metadata: Record<string, unknown>, sid: unknown): void {
    const json = Buffer.from(pyJson({ ...metadata, image_type: 'image/png' }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length, 0);
    this.sendBinary(BinaryEvent.PREVIEW_IMAGE_WITH_METADATA, Buffer.concat([len, json, png]), sid);
  }

  supportsPreviewMetadata(sid: unknown): boolean {
    return typeof sid === 'string' && this.flags.get(sid)?.supports_preview_metadata === true;
  }

  /** Whether anyone would receive a message addressed to `sid`. */
  hasTarget(sid: unknown): boolean {
    return this.targets(sid).length > 0;
  }

  /** Drop every connection without a closing handshake (box going down). */
  terminateAll(): void {
    for (const ws of this.all) ws.terminate();
  }

  /**
   * WS drop fault: unregister every socket now (nothing more is sent to them), let the frames
   * already sent reach the wire, then cut the TCP connections without a closing handshake.
   */
  dropAll(): void {
    for (const [sid, ws] of [...this.sockets]) if (this.all.has(ws)) this.sockets.delete(sid);
    for (const ws of [...this.all]) void (this.lastSend.get(ws) ?? Promise.resolve()).then(() => ws.terminate());
  }

  close(): void {
    this.terminateAll();
    this.wss.close();
  }
}
