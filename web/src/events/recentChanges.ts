import type { Asset, Job } from '@orchestrator/shared';

const MAX_ENTRIES = 500;
const MAX_AGE_MS = 5 * 60_000;

/**
 * The last few hundred job and asset changes delivered by the event channel. A list fetch that was
 * in flight when an event arrived returns a snapshot older than that event; folding these into the
 * fetched first page keeps a finished job from showing as running.
 */
class ChangeBuffer<T> {
  private readonly entries = new Map<string, { item: T | null; at: number }>();

  record(id: string, item: T | null): void {
    this.entries.delete(id);
    this.entries.set(id, { item, at: Date.now() });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** The last change seen for `id` within MAX_AGE_MS: the item, null when removed, undefined if none. */
  latest(id: string): T | null | undefined {
    const entry = this.entries.get(id);
    return entry && entry.at >= Date.now() - MAX_AGE_MS ? entry.item : undefined;
  }

  /** Changes newer than MAX_AGE_MS, oldest first. */
  list(): { id: string; item: T | null }[] {
    const cutoff = Date.now() - MAX_AGE_MS;
    const out: { id: string; item: T | null }[] = [];
    for (const [id, { item, at }] of this.entries) if (at >= cutoff) out.push({ id, item });
    return out;
  }
}

export const recentJobs = new ChangeBuffer<Job>();
export const recentAssets = new ChangeBuffer<Asset>();
