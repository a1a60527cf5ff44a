import type { AppEvent } from '@orchestrator/shared';
import type { EventHub } from './event-hub.js';
import { compareStreamIds } from './stream-id.js';

/** One connected client, whatever the transport (WebSocket frames or SSE lines). */
export interface EventSink {
  send(event: AppEvent): void;
  /** Tells the client that events it asked for were trimmed: refetch state over REST. */
  resync(): void;
  /** Bytes written to the client and not yet flushed. */
  backlog(): number;
  /** Ends the connection (slow client, or the server failed to read the stream). */
  close(reason: string): void;
}

export interface SubscriptionLimits {
  /** A live client with more unflushed bytes than this is dropped. */
  maxBacklogBytes: number;
  /** Live events held while catch-up runs; a catch-up slower than this is abandoned. */
  maxBufferedEvents: number;
  catchUpBatch: number;
}

export const DEFAULT_LIMITS: SubscriptionLimits = {
  maxBacklogBytes: 4 * 1024 * 1024,
  maxBufferedEvents: 10_000,
  catchUpBatch: 500,
};

/**
 * Sends every event after `since` still in the stream, then live ones, in order, without gaps or
 * duplicates: live events are buffered while the catch-up reads (XRANGE), and anything at or before
 * the last id sent is skipped. Without `since` the client gets what happens from now on.
 */
export class Subscription {
  private cursor = '0-0';
  private live = false;
  private closed = false;
  private readonly buffered: AppEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly hub: EventHub,
    private readonly sink: EventSink,
    private readonly limits: SubscriptionLimits = DEFAULT_LIMITS,
  ) {
    // Subscribe before reading anything, so no event can fall between the catch-up and live.
    this.unsubscribe = hub.subscribe((events) => this.onLive(events));
  }

  async start(since: string | undefined): Promise<void> {
    try {
      if (since === undefined) {
        this.cursor = await this.hub.log.lastId();
      } else {
        const [first, last] = await Promise.all([this.hub.log.firstId(), this.hub.log.lastId()]);
        // Older than the oldest kept event: some were trimmed. Newer than the newest: an id from
        // another stream (Redis was wiped), so nothing the client holds can be trusted either.
        const trimmed = first === null || compareStreamIds(since, first) < 0;
        const foreign = compareStreamIds(since, last) > 0;
        if (since !== '0-0' && (trimmed || foreign)) this.sink.resync();
        this.cursor = foreign ? last : since;
        await this.catchUp();
      }
      if (this.closed) return;
      this.live = true;
      const held = this.buffered.splice(0);
      this.deliver(held);
    } catch {
      this.fail('could not read the event stream');
    }
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const batch = await this.hub.log.readAfter(this.cursor, this.limits.catchUpBatch);
      if (batch.length === 0) return;
      this.deliver(batch);
      if (!(await this.drained())) return this.fail('client too slow to catch up');
    }
  }

  /** Waits (bounded) until the client has taken most of what was written. */
  private async drained(timeoutMs = 10_000): Promise<boolean> {
    const limit = this.limits.maxBacklogBytes / 2;
    const until = Date.now() + timeoutMs;
    while (!this.closed && this.sink.backlog() > limit) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return !this.closed;
  }

  private onLive(events: AppEvent[]): void {
    if (this.closed) return;
    if (!this.live) {
      this.buffered.push(...events);
      if (this.buffered.length > this.limits.maxBufferedEvents) this.fail('too many events during catch-up');
      return;
    }
    this.deliver(events);
    if (this.sink.backlog() > this.limits.maxBacklogBytes) this.fail('client too slow');
  }

  private deliver(events: AppEvent[]): void {
    for (const e of events) {
      if (this.closed) return;
      if (compareStreamIds(e.id, this.cursor) <= 0) continue;
      this.sink.send(e);
      this.cursor = e.id;
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.stop();
    this.sink.close(reason);
  }

  /** Called when the client goes away. */
  stop(): void {
    this.closed = true;
    this.buffered.length = 0;
    this.unsubscribe();
  }
}
