import type { Provider, ScheduleStore } from '@orchestrator/shared';

export interface LaneInfo {
  queue: string;
  model?: string;
}

/**
 * The lanes (queues) a provider has, cached: a new lane is announced on the wake channel with its
 * first job, and the cache is read again then (and every few seconds).
 */
export class LaneDirectory {
  private readonly lanes = new Map<Provider, Map<string, LaneInfo>>();
  private readonly readAt = new Map<Provider, number>();

  constructor(
    private readonly schedule: ScheduleStore,
    private readonly maxAgeMs = 5000,
  ) {}

  knows(provider: Provider, lane: string): boolean {
    return this.lanes.get(provider)?.has(lane) ?? false;
  }

  async refresh(provider: Provider): Promise<void> {
    this.lanes.set(provider, await this.schedule.lanes(provider));
    this.readAt.set(provider, Date.now());
  }

  /** The provider's lanes, read again when the cache is older than maxAgeMs. */
  async get(provider: Provider): Promise<Map<string, LaneInfo>> {
    if (Date.now() - (this.readAt.get(provider) ?? 0) > this.maxAgeMs) await this.refresh(provider);
    return this.lanes.get(provider) ?? new Map();
  }
}
