import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { EventLog, type AppEvent } from '@orchestrator/shared';

export type EventListener = (events: AppEvent[]) => void;

/**
 * One tail of the events stream per server instance, fanned out to every connected client. The
 * tail holds its own connection (XREAD BLOCK) and survives Redis restarts by retrying.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    readonly log: EventLog,
    private readonly blocking: Redis,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** Starts tailing from the current end of the stream; resolves once that end is known. */
  start(): Promise<void> {
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    this.running = this.run(started);
    return ready;
  }

  private async run(started: () => void): Promise<void> {
    const signal = this.abort.signal;
    let from: string | null = null;
    while (!signal.aborted && from === null) {
      try {
        from = await this.log.lastId();
      } catch (err) {
        this.logger.warn({ err: { message: (err as Error).message } }, 'event hub: cannot read the stream yet');
        await sleep(500, signal);
      }
    }
    started();
    if (from === null) return;
    await this.log.tail(this.blocking, from, (events) => this.dispatch(events), signal, () => this.listeners.size === 0);
  }

  private dispatch(events: AppEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (err) {
        this.logger.error({ err }, 'event listener failed');
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clientCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.listeners.clear();
    // XREAD BLOCK holds the connection for up to a second; dropping it ends the tail at once.
    this.blocking.disconnect();
    await this.running?.catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
