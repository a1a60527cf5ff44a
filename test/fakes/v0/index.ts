// Public API of the protocol-faithful fake v0 Platform API v1 (see README.md and /work/shared/protocols/bfl-and-v0.md §B).
import { serveLoopback } from '../bfl/http.js';
import { type StopCall, type V0Context, type V0Faults, v0Handler } from './routes.js';
import { Store, type ReceivedMessage, type V0Stats } from './store.js';

export type { ReceivedMessage as FakeV0ReceivedMessage } from './store.js';
export type { V0Faults as FakeV0Faults, ErrorStatus as FakeV0ErrorStatus, StopCall as FakeV0StopCall } from './routes.js';

export interface FakeV0Options {
  port?: number; // 0 = a free port (default)
  host?: string; // API and chat-page host, default 127.0.0.1
  /** Host name of the demo (preview) URLs, same port; default "localhost" (or 127.0.0.1 if host is localhost). */
  demoHostName?: string;
  apiKey?: string; // accepted Bearer key, default DEFAULT_V0_KEY
  freePlanKey?: string; // a key that authenticates but has no API access (403), default FREE_PLAN_V0_KEY
  pendingPolls?: number; // reads that still see a new version pending, default 2 (also faults.pendingPolls)
  generationMs?: number; // a generation finishes on its own after this long, polled or not; default 60 s
  syncMs?: number; // how long a sync (default responseMode) request blocks while "generating", default 50 ms
  maxBodyBytes?: number; // larger bodies answer 413, default 4.5 MB
  rateLimit?: { limit: number; windowMs: number }; // generations (create + send) per window, default 1000 per day
  now?: () => number; // clock, for tests
}

export interface FakeV0 {
  /** API base including /v1 (V0_API_URL, v0-sdk's baseUrl), e.g. http://127.0.0.1:PORT/v1. */
  url: string;
  /** Origin of the demo previews (another host name, like *.vusercontent.net), e.g. http://localhost:PORT. */
  demoHost: string;
  port: number;
  apiKey: string;
  freePlanKey: string;
  faults: V0Faults;
  stats: V0Stats;
  /** Every authenticated chats.stop request, oldest first, with the status it was answered. */
  stops: readonly StopCall[];
  /** Every generation request accepted (chats.create, chats.sendMessage), oldest first: its message and attachments. */
  received: readonly ReceivedMessage[];
  close(): Promise<void>;
}

export const DEFAULT_V0_KEY = 'v0_fake_0123456789abcdef';
export const FREE_PLAN_V0_KEY = 'v0_fake_free_plan_no_api_access';

export async function startFakeV0(options: FakeV0Options = {}): Promise<FakeV0> {
  const host = options.host ?? '127.0.0.1';
  const demoName = options.demoHostName ?? (host === 'localhost' ? '127.0.0.1' : 'localhost');
  const now = options.now ?? Date.now;
  const urlHost = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  let port = options.port ?? 0;
  const origin = (): string => `http://${urlHost(host)}:${port}`;
  const ctx: V0Context = {
    apiKey: options.apiKey ?? DEFAULT_V0_KEY,
    freePlanKey: options.freePlanKey ?? FREE_PLAN_V0_KEY,
    store: new Store({ generationMs: options.generationMs ?? 60_000, now }),
    faults: { pendingPolls: options.pendingPolls ?? 2 },
    urls: () => ({ api: `${origin()}/v1`, web: origin(), demo: `http://${urlHost(demoName)}:${port}` }),
    syncMs: options.syncMs ?? 50,
    maxBodyBytes: options.maxBodyBytes ?? 4.5 * 1024 * 1024,
    rateLimit: options.rateLimit ?? { limit: 1000, windowMs: 24 * 3600 * 1000 },
    generationTimes: [],
    stops: [],
    now,
  };
  const handler = v0Handler(ctx);
  const served = await serveLoopback(handler, port, host, demoName === 'localhost' && host === '127.0.0.1');
  port = served.port;

  return {
    url: ctx.urls().api,
    demoHost: ctx.urls().demo,
    port,
    apiKey: ctx.apiKey,
    freePlanKey: ctx.freePlanKey,
    get faults(): V0Faults {
      return ctx.faults;
    },
    set faults(f: V0Faults) {
      ctx.faults = f;
    },
    stats: ctx.store.stats,
    stops: ctx.stops,
    received: ctx.store.received,
    close: () => served.close(),
  };
}
