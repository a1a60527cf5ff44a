import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Parses a cancel message: a bare job id, or JSON `{"id": …}` / `{"jobId": …}`. */
function cancelledJobId(message: string): string | null {
  const text = message.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { id?: unknown; jobId?: unknown };
      const id = parsed.jobId ?? parsed.id;
      return typeof id === 'string' && id.length > 0 ? id : null;
    } catch {
      return null;
    }
  }
  return text.length > 0 ? text : null;
}

/** Another channel to listen to on the same connection (the scheduler's wake-ups). */
export interface ExtraChannel {
  channel: string;
  onMessage(message: string): void;
}

/**
 * Listens on the cancel channel with a dedicated subscriber connection and hands job ids to
 * `onCancel` (which aborts the job if this process holds it); `extra` shares the connection.
 */
export class CancelListener {
  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly onCancel: (jobId: string) => void,
    private readonly log: Logger,
    private readonly extra?: ExtraChannel,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.extra?.channel) return this.extra.onMessage(message);
      if (channel !== this.channel) return;
      const id = cancelledJobId(message);
      if (id) this.onCancel(id);
      else this.log.warn({ message }, 'unreadable cancel message');
    });
    // Subscribing before the connection is ready races ioredis' own ready check (INFO, CLIENT SETINFO),
    // which Redis then refuses on a connection in subscriber mode.
    if (this.subscriber.status !== 'ready') await once(this.subscriber, 'ready');
    await this.subscriber.subscribe(this.channel, ...(this.extra ? [this.extra.channel] : []));
  }

  async stop(): Promise<void> {
    try {
      await this.subscriber.unsubscribe();
    } catch {}
  }
}
