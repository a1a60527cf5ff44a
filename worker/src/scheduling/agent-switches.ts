import type { Logger } from 'pino';
import type { ScheduleStore } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';

/**
 * The switched-off agents (providers and backends) as this process knows them: read again when the
 * server announces a change on the wake channel, and every second in case a message was missed.
 */
export class AgentSwitches {
  private disabled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly schedule: ScheduleStore,
    private readonly log: Logger,
    private readonly onChange: () => void,
    private readonly refreshMs = 1000,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  enabled(name: string): boolean {
    return !this.disabled.has(name);
  }

  async refresh(): Promise<void> {
    try {
      const next = await this.schedule.disabledAgents();
      const changed = next.size !== this.disabled.size || [...next].some((n) => !this.disabled.has(n));
      this.disabled = next;
      if (changed) {
        this.log.info({ off: [...next] }, 'agents switched');
        this.onChange();
      }
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'could not read the agent switches');
    }
  }
}
