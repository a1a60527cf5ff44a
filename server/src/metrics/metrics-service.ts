import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDERS, isJobEvent, redisKeys, type AppEvent, type Job, type RedisKeys } from '@orchestrator/shared';
import type { EventHub } from '../events/event-hub.js';
import type { JobQueues } from '../jobs/queues.js';
import type { QueueService } from '../scheduling/queue-service.js';

/*
 * GET /metrics in Prometheus text (prom-client). Gauges are read at scrape time (queue depth, backends,
 * stream length, gallery size); counters and histograms come from the event stream this server tails
 * (every finished job carries its times), from the first scrape on: a server nobody scrapes decodes no
 * events for it.
 */

const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
const WAIT_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

const seconds = (from: string | undefined, to: string | undefined): number | null => {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
};

export class MetricsService {
  readonly registry = new Registry();
  private readonly keys: RedisKeys;
  private listening = false;
  private readonly finished: Counter<'provider' | 'state'>;
  private readonly submitted: Counter<'provider'>;
  private readonly duration: Histogram<'provider' | 'backend'>;
  private readonly wait: Histogram<'provider'>;
  private readonly busySeconds: Counter<'backend'>;

  constructor(
    private readonly d: { redis: Redis; keyPrefix: string; hub: EventHub; queues: JobQueues; queue: QueueService },
  ) {
    this.keys = redisKeys(d.keyPrefix);
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'orchestrator_server_' });
    this.finished = new Counter({ name: 'orchestrator_jobs_finished_total', help: 'Jobs that ended, by provider and final state', labelNames: ['provider', 'state'], registers });
    this.submitted = new Counter({ name: 'orchestrator_jobs_submitted_total', help: 'Jobs queued, by provider', labelNames: ['provider'], registers });
    this.duration = new Histogram({ name: 'orchestrator_job_duration_seconds', help: 'From start to end of completed jobs', labelNames: ['provider', 'backend'], buckets: DURATION_BUCKETS, registers });
    this.wait = new Histogram({ name: 'orchestrator_job_queue_wait_seconds', help: 'From submission to start', labelNames: ['provider'], buckets: WAIT_BUCKETS, registers });
    this.busySeconds = new Counter({ name: 'orchestrator_backend_busy_seconds_total', help: 'Seconds backends spent on jobs (rate() is the busy ratio)', labelNames: ['backend'], registers });
    this.scrapeGauges(registers);
  }

  /** Prometheus text; the first call starts counting events. */
  async text(): Promise<string> {
    if (!this.listening) {
      this.listening = true;
      this.d.hub.subscribe((events) => this.observe(events));
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private observe(events: AppEvent[]): void {
    for (const e of events) {
      if (!isJobEvent(e)) continue;
      const job = e.data as Job;
      if (e.type === 'job.queued') this.submitted.inc({ provider: job.provider });
      if (e.type === 'job.started' && job.startedAt) {
        const w = seconds(job.createdAt, job.startedAt);
        if (w !== null) this.wait.observe({ provider: job.provider }, w);
      }
      if (e.type !== 'job.completed' && e.type !== 'job.failed' && e.type !== 'job.cancelled') continue;
      this.finished.inc({ provider: job.provider, state: job.status });
      const ran = seconds(job.startedAt, job.finishedAt);
      if (ran === null) continue;
      if (job.status === 'completed') this.duration.observe({ provider: job.provider, backend: job.backend ?? 'unknown' }, ran);
      if (job.backend) this.busySeconds.inc({ backend: job.backend }, ran);
    }
  }

  /** Gauges read from Redis at each scrape. */
  private scrapeGauges(registers: Registry[]): void {
    const { redis, queues, queue } = this.d;
    const keys = this.keys;
    new Gauge({
      name: 'orchestrator_jobs',
      help: 'Jobs waiting (queued) and held by a worker (running), by provider',
      labelNames: ['provider', 'state'],
      registers,
      async collect() {
        const counts = await queues.allCounts();
        for (const p of PROVIDERS) {
          this.set({ provider: p, state: 'queued' }, counts[p]?.waiting ?? 0);
          this.set({ provider: p, state: 'running' }, counts[p]?.active ?? 0);
        }
      },
    });
    const backend = (name: string, help: string, value: (b: Awaited<ReturnType<QueueService['snapshot']>>['backends'][number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['backend'],
        registers,
        async collect() {
          this.reset();
          for (const b of (await queue.snapshot()).backends) this.set({ backend: b.id }, value(b));
        },
      });
    backend('orchestrator_backend_online', 'Whether the backend answers (1) or not (0)', (b) => (b.status.online ? 1 : 0));
    backend('orchestrator_backend_busy', 'Whether the backend is running a job now', (b) => ((b.runtime?.inflight.length ?? 0) > 0 ? 1 : 0));
    backend('orchestrator_backend_inflight', 'Prompts the backend holds (running, pipelined, stopping)', (b) => b.runtime?.inflight.length ?? 0);
    new Gauge({
      name: 'orchestrator_events_stream_length',
      help: 'Entries in the capped event stream',
      registers,
      async collect() {
        this.set(await redis.xlen(keys.events));
      },
    });
    new Gauge({
      name: 'orchestrator_gallery_assets',
      help: 'Assets in the gallery index',
      registers,
      async collect() {
        this.set(await redis.zcard(keys.assetsByTime));
      },
    });
    new Gauge({
      name: 'orchestrator_workers_live',
      help: 'Worker processes with a recent heartbeat',
      registers,
      async collect() {
        this.set((await queue.snapshot()).workers.length);
      },
    });
  }
}
