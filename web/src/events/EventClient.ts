import { AppEventSchema, checked, type AppEvent } from '@orchestrator/shared';

const eventFrame = checked(AppEventSchema);

export interface EventClientHandlers {
  /** A validated event, in stream order. */
  onEvent: (event: AppEvent) => void;
  /** The server cannot replay what was missed: refetch everything. */
  onResync: () => void;
  /** The socket opened; `resumed` says whether it continued from a known event id. */
  onOpen: (resumed: boolean) => void;
  /** The socket closed; the next attempt is at `retryAt`. */
  onClose: (retryAt: number) => void;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * The WebSocket at /api/ws. Remembers the last event id and reconnects with backoff and
 * `?since=<id>`, so the server replays whatever happened while the socket was down.
 */
export class EventClient {
  private socket: WebSocket | null = null;
  private lastId: string | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;

  constructor(
    private readonly handlers: EventClientHandlers,
    private readonly path = '/api/ws',
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.reconnectNow);
    document.addEventListener('visibilitychange', this.onVisible);
    // Deferred a tick, so a start/stop/start (React StrictMode) opens one socket, not two.
    this.retryTimer = setTimeout(() => this.connect(), 0);
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.reconnectNow);
    document.removeEventListener('visibilitychange', this.onVisible);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'client stopped');
  }

  private url(): string {
    const url = new URL(this.path, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.lastId) url.searchParams.set('since', this.lastId);
    return url.toString();
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = null;
    const resumed = this.lastId !== null;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.handlers.onOpen(resumed);
    };
    socket.onmessage = (msg) => {
      if (this.socket === socket) this.receive(msg.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleRetry();
    };
    // An error is always followed by close; nothing to do here.
    socket.onerror = () => {};
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'resync') {
      this.handlers.onResync();
      return;
    }
    if (!eventFrame.check(frame)) return;
    this.lastId = frame.id;
    this.handlers.onEvent(frame as AppEvent);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt++;
    // Jitter spreads the reconnects of many tabs after a server restart.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    const retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.handlers.onClose(retryAt);
  }

  /** Skip the remaining backoff (network came back, or the tab became visible). */
  readonly reconnectNow = (): void => {
    if (this.stopped || this.socket || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.connect();
  };

  private readonly onVisible = (): void => {
    if (document.visibilityState === 'visible') this.reconnectNow();
  };
}
