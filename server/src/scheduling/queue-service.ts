import { PROVIDERS, isFinal, type Job, type JobStore, type QueuePlace, type QueueView } from '@orchestrator/shared';
import type { JobQueues } from '../jobs/queues.js';
import type { ScheduleReader, ScheduleSnapshot } from './schedule-snapshot.js';
import { waitReason } from './wait-reason.js';

/**
 * The waiting jobs in the order they will start, and for any queued job its place and why it waits.
 * The snapshot behind the reasons is read at most every `cacheMs` (the page polls the queue view).
 */
export class QueueService {
  private cached: { at: number; snapshot: Promise<ScheduleSnapshot> } | null = null;

  constructor(
    private readonly reader: ScheduleReader,
    private readonly queues: JobQueues,
    private readonly jobs: JobStore,
    private readonly cacheMs = 500,
  ) {}

  /** The next read builds the snapshot anew (after a switch: the answer must show it). */
  invalidate(): void {
    this.cached = null;
  }

  snapshot(): Promise<ScheduleSnapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.cacheMs) {
      const snapshot = this.reader.snapshot(now);
      snapshot.catch(() => (this.cached = null));
      this.cached = { at: now, snapshot };
    }
    return this.cached.snapshot;
  }

  /** Up to `limit` waiting jobs of every provider, merged in start order (level, then submission). */
  async view(limit: number): Promise<QueueView> {
    const schedule = this.reader.schedule;
    const [snapshot, perProvider, counts] = await Promise.all([
      this.snapshot(),
      Promise.all(PROVIDERS.map(async (p) => ({ provider: p, waiting: await schedule.waiting(p, 0, limit - 1) }))),
      this.queues.allCounts(),
    ]);
    const merged = perProvider
      .flatMap(({ provider, waiting }) => waiting.map((w, position) => ({ ...w, provider, position })))
      .sort((a, b) => a.rank - b.rank)
      .slice(0, limit);
    const [jobs, metas] = await Promise.all([this.jobs.getMany(merged.map((m) => m.id)), schedule.metas(merged.map((m) => m.id))]);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const items = merged.flatMap((m, i) => {
      const job = byId.get(m.id);
      if (!job || isFinal(job.status)) return [];
      return [{ job, place: waitReason(m.provider, metas[i]?.model, m.position, snapshot) }];
    });
    return {
      items,
      total: Object.values(counts).reduce((sum, c) => sum + c.waiting, 0),
      byProvider: Object.fromEntries(Object.entries(counts).map(([p, c]) => [p, { waiting: c.waiting, running: c.active }])),
    };
  }

  /** The place of a queued job (undefined for any other, or one not waiting for a ticket). */
  async placeOf(job: Job): Promise<QueuePlace | undefined> {
    return (await this.placesOf([job]))[0];
  }

  async placesOf(jobs: readonly Job[]): Promise<(QueuePlace | undefined)[]> {
    const queued = jobs.map((j, i) => ({ j, i })).filter(({ j }) => j.status === 'queued');
    const out: (QueuePlace | undefined)[] = jobs.map(() => undefined);
    if (queued.length === 0) return out;
    const schedule = this.reader.schedule;
    const [snapshot, positions, metas] = await Promise.all([
      this.snapshot(),
      Promise.all(queued.map(({ j }) => schedule.position(j.provider, j.id))),
      schedule.metas(queued.map(({ j }) => j.id)),
    ]);
    queued.forEach(({ j, i }, k) => {
      const position = positions[k];
      if (position !== null && position !== undefined) out[i] = waitReason(j.provider, metas[k]?.model, position, snapshot);
    });
    return out;
  }

  /** The jobs with `queue` filled in for the queued ones. */
  async annotate(jobs: readonly Job[]): Promise<Job[]> {
    const places = await this.placesOf(jobs).catch(() => jobs.map(() => undefined));
    return jobs.map((j, i) => (places[i] ? { ...j, queue: places[i] } : j));
  }
}
