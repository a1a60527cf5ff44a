// Public API of the protocol-faithful fake BFL FLUX API (see README.md and /work/shared/protocols/bfl-and-v0.md §A).
import { serveLoopback } from './http.js';
import { type BflContext, type BflFaults, bflHandler } from './routes.js';
import { type TaskStats, TaskStore } from './tasks.js';

export type { BflFaults as FakeBflFaults } from './routes.js';
export { MODELS as BFL_MODELS } from './models.js';

export interface FakeBflOptions {
  port?: number; // 0 = a free port (default)
  host?: string; // submit host, default 127.0.0.1
  /** Host name used in every polling_url and sample URL (same port); default "localhost" (or 127.0.0.1 if host is localhost). */
  pollingHostName?: string;
  apiKey?: string; // accepted x-key, default DEFAULT_BFL_KEY
  pendingPolls?: number; // polls answered "Pending" before a task finishes, default 2 (also faults.pendingPolls)
  maxPendingMs?: number; // a task finishes on its own after this long even if never polled, default 60 s
  sampleTtlMs?: number; // lifetime of a result.sample URL, default 10 minutes (as BFL documents)
  credits?: number; // starting balance, default 10 000 (1 credit = $0.01)
  concurrency?: number; // active tasks per account, default 24
  modelConcurrency?: Record<string, number>; // per-model caps, default { 'flux-kontext-max': 6 }
  taskNotFoundHttpStatus?: 200 | 404; // HTTP status of a "Task not found" body, default 200 (as the OpenAPI)
  now?: () => number; // clock, for tests
}

export interface FakeBfl {
  /** Submit base (BFL_API_URL), e.g. http://127.0.0.1:PORT; `/v1/<model>` is appended by clients. */
  url: string;
  /** Same server under another host name, e.g. http://localhost:PORT: every polling_url points here. */
  pollingHost: string;
  port: number;
  apiKey: string;
  faults: BflFaults;
  stats: TaskStats;
  account: { credits: number };
  close(): Promise<void>;
}

export const DEFAULT_BFL_KEY = 'bfl_fake_0123456789abcdef';

export async function startFakeBfl(options: FakeBflOptions = {}): Promise<FakeBfl> {
  const host = options.host ?? '127.0.0.1';
  const pollName = options.pollingHostName ?? (host === 'localhost' ? '127.0.0.1' : 'localhost');
  const now = options.now ?? Date.now;
  const store = new TaskStore({ maxPendingMs: options.maxPendingMs ?? 60_000, sampleTtlMs: options.sampleTtlMs ?? 600_000, now });
  const urlHost = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  let port = options.port ?? 0;
  const ctx: BflContext = {
    apiKey: options.apiKey ?? DEFAULT_BFL_KEY,
    pollingHost: () => `http://${urlHost(pollName)}:${port}`,
    store,
    faults: { pendingPolls: options.pendingPolls ?? 2 },
    account: { credits: options.credits ?? 10_000 },
    concurrency: options.concurrency ?? 24,
    modelConcurrency: options.modelConcurrency ?? { 'flux-kontext-max': 6 },
    taskNotFoundHttpStatus: options.taskNotFoundHttpStatus ?? 200,
    now,
  };
  const handler = bflHandler(ctx);
  const served = await serveLoopback(handler, port, host, pollName === 'localhost' && host === '127.0.0.1');
  port = served.port;

  return {
    url: `http://${urlHost(host)}:${port}`,
    pollingHost: ctx.pollingHost(),
    port,
    apiKey: ctx.apiKey,
    get faults(): BflFaults {
      return ctx.faults;
    },
    set faults(f: BflFaults) {
      ctx.faults = f;
    },
    stats: store.stats,
    account: ctx.account,
    close: () => served.close(),
  };
}
