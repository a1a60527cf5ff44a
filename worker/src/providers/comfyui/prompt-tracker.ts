import type { Logger } from 'pino';
import { BackendUnavailable, errorMessage } from '../../errors.js';
import { ComfyHttpError, type ComfyHttpClient, type HistoryEntry } from './http-client.js';
import type { ComfyMessage, ComfySocket } from './socket.js';

/*
 * Follows one prompt on one backend until it ends. The WebSocket gives live progress; /history and
 * /queue are the truth, asked whenever the socket cannot be trusted: while it is down or after it
 * reconnects, when the prompt was submitted by another client (a crashed worker's), on queue-change
 * broadcasts, and every few seconds as a safety net. Completion = `executing{node:null}` then
 * /history (which can briefly still be `{}`, protocol §2.4).
 */

export type PromptOutcome =
  | { kind: 'success'; entry: HistoryEntry }
  | { kind: 'error'; data: Record<string, unknown> }
  | { kind: 'interrupted'; data: Record<string, unknown> }
  | { kind: 'lost' };

export interface TrackerHooks {
  /** The prompt left the backend's pending queue. */
  started(): void;
  node(nodeId: string): void;
  /** Nodes whose outputs ComfyUI serves from its cache (they will not run). */
  cached?(nodeIds: string[]): void;
  progress(value: number, max: number, nodeId: string | undefined): void;
  preview(mimeType: string, bytes: Buffer): void;
}

export interface TrackerOptions {
  client: ComfyHttpClient;
  socket: ComfySocket;
  promptId: string;
  /** Submitted with this socket's clientId, so its events reach us. */
  owned: boolean;
  hooks: TrackerHooks;
  log: Logger;
  pollMs?: number;
  safetyPollMs?: number;
  /** How long the backend may stay unreachable before the job is handed back for a later retry. */
  unreachableGraceMs?: number;
  /** How long to retry `/history` after the end signal while it still answers `{}`. */
  historyWaitMs?: number;
}

/** The outcome recorded in a finished history entry. */
export function outcomeFromHistory(entry: HistoryEntry): PromptOutcome {
  const messages = entry.status?.messages ?? [];
  const find = (type: string) => messages.find((m) => Array.isArray(m) && m[0] === type)?.[1];
  if (entry.status?.status_str === 'error' || entry.status?.completed === false) {
    const error = find('execution_error');
    if (error) return { kind: 'error', data: error };
    const interrupted = find('execution_interrupted');
    if (interrupted) return { kind: 'interrupted', data: interrupted };
    return { kind: 'error', data: { exception_message: 'ComfyUI reported the prompt as failed' } };
  }
  return { kind: 'success', entry };
}

export class PromptTracker {
  readonly done: Promise<PromptOutcome>;
  private resolve!: (o: PromptOutcome) => void;
  private reject!: (e: Error) => void;
  private finished = false;
  private unwatch: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private checkAgain = false;
  private lastCheckAt = 0;
  private unreachableSince: number | null = null;
  private started = false;
  private readonly o: Required<TrackerOptions>;

  constructor(opts: TrackerOptions) {
    this.o = { pollMs: 1000, safetyPollMs: 5000, unreachableGraceMs: 6000, historyWaitMs: 3000, ...opts };
    this.done = new Promise<PromptOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined); // callers race it; never an unhandled rejection
  }

  /** Starts listening to the socket (before submitting, so no frame is missed). */
  attach(): void {
    this.unwatch = this.o.socket.watch(this.o.promptId, {
      message: (msg) => this.onMessage(msg),
      preview: (mime, bytes) => this.o.hooks.preview(mime, bytes),
      connection: (connected) => {
        if (connected) this.checkNow();
      },
      queueChanged: () => {
        if (!this.o.owned) this.checkNow();
      },
    });
  }

  /** Starts the polling fallback (after the prompt is on the backend). */
  start(options: { checkNow?: boolean } = {}): void {
    if (!this.unwatch) this.attach();
    this.lastCheckAt = Date.now();
    this.timer = setInterval(() => this.tick(), this.o.pollMs);
    this.timer.unref();
    if (options.checkNow) this.checkNow();
  }

  stop(): void {
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
  }

  checkNow(): void {
    if (this.finished) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = this.check().finally(() => {
      this.checking = null;
      if (this.checkAgain && !this.finished) {
        this.checkAgain = false;
        this.checkNow();
      }
    });
  }

  private finish(outcome: PromptOutcome): void {
    if (this.finished) return;
    this.stop();
    this.resolve(outcome);
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.stop();
    this.reject(err);
  }

  private tick(): void {
    const trusted = this.o.owned && this.o.socket.connected;
    if (!trusted || Date.now() - this.lastCheckAt >= this.o.safetyPollMs) this.checkNow();
  }

  private markStarted(): void {
    if (this.started) return;
    this.started = true;
    this.o.hooks.started();
  }

  private onMessage(msg: ComfyMessage): void {
    if (this.finished) return;
    const d = msg.data;
    switch (msg.type) {
      case 'execution_start':
        this.markStarted();
        break;
      case 'executing':
        if (d.node === null || d.node === undefined) {
          if (d.prompt_id === this.o.promptId) void this.awaitHistory();
        } else {
          this.markStarted();
          this.o.hooks.node(String(d.node));
        }
        break;
      case 'progress':
        if (typeof d.value === 'number' && typeof d.max === 'number') {
          this.markStarted();
          this.o.hooks.progress(d.value, d.max, typeof d.node === 'string' ? d.node : undefined);
        }
        break;
      case 'execution_cached':
        if (Array.isArray(d.nodes)) this.o.hooks.cached?.(d.nodes.map(String));
        break;
      case 'execution_error':
        this.finish({ kind: 'error', data: d });
        break;
      case 'execution_interrupted':
        this.finish({ kind: 'interrupted', data: d });
        break;
      default:
        break; // executed, progress_state, execution_success, unknown types
    }
  }

  /** After `executing{node:null}`: history is written by then, but retry briefly if it still says `{}`. */
  private async awaitHistory(): Promise<void> {
    const until = Date.now() + this.o.historyWaitMs;
    while (!this.finished && Date.now() < until) {
      try {
        const entry = await this.o.client.history(this.o.promptId);
        if (entry) {
          this.finish(outcomeFromHistory(entry));
          return;
        }
      } catch (err) {
        this.o.log.debug({ err: errorMessage(err) }, 'history after completion failed; retrying');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    this.checkNow(); // fall back to the full reconcile (queue + history)
  }

  private async check(): Promise<void> {
    this.lastCheckAt = Date.now();
    const { client, promptId } = this.o;
    try {
      let entry = await client.history(promptId);
      if (!entry && !this.finished) {
        const q = await client.queue();
        if (q.running.some((i) => i.promptId === promptId)) {
          this.markStarted();
        } else if (!q.pending.some((i) => i.promptId === promptId)) {
          // Not queued: it either finished between the two calls or the backend lost it.
          entry = await client.history(promptId);
          if (!entry) {
            this.unreachableSince = null;
            this.finish({ kind: 'lost' });
            return;
          }
        }
      }
      this.unreachableSince = null;
      if (entry) this.finish(outcomeFromHistory(entry));
    } catch (err) {
      if (this.finished) return;
      const now = Date.now();
      this.unreachableSince ??= now;
      const reason = err instanceof ComfyHttpError ? err.message : errorMessage(err);
      this.o.log.debug({ err: reason }, 'reconcile with backend failed');
      if (now - this.unreachableSince >= this.o.unreachableGraceMs) {
        this.fail(new BackendUnavailable(`Backend unreachable while running the job: ${reason}`));
      }
    }
  }
}
