import type { Logger } from 'pino';
import { ComfyHttpClient, type ClientTimeouts } from './http-client.js';
import { ComfySocket, type SocketOptions } from './socket.js';

export interface BackendRef {
  id: string;
  url: string;
}

/**
 * The HTTP client and the one WebSocket this process keeps per backend. Sockets open lazily on the
 * first job; their clientId names this worker process, so each live process owns its own events.
 */
export class ComfyConnections {
  private readonly clients = new Map<string, ComfyHttpClient>();
  private readonly sockets = new Map<string, ComfySocket>();
  private readonly byId = new Map<string, BackendRef>();

  constructor(
    backends: readonly BackendRef[],
    private readonly clientIdPrefix: string,
    private readonly log: Logger,
    private readonly opts: { timeouts?: Partial<ClientTimeouts>; socket?: SocketOptions } = {},
  ) {
    for (const b of backends) this.byId.set(b.id, b);
  }

  backend(id: string): BackendRef | undefined {
    return this.byId.get(id);
  }

  client(backend: BackendRef): ComfyHttpClient {
    let c = this.clients.get(backend.id);
    if (!c) {
      c = new ComfyHttpClient(backend.url, this.opts.timeouts);
      this.clients.set(backend.id, c);
    }
    return c;
  }

  socket(backend: BackendRef): ComfySocket {
    let s = this.sockets.get(backend.id);
    if (!s) {
      const clientId = `${this.clientIdPrefix}-${backend.id}`.replace(/[^A-Za-z0-9_.-]/g, '_');
      s = new ComfySocket(backend.url, clientId, this.log.child({ backend: backend.id }), this.opts.socket);
      this.sockets.set(backend.id, s);
      s.start();
    }
    return s;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sockets.values()].map((s) => s.close()));
    this.sockets.clear();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
