import type { Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AssetStore, Config, EventLog, JobStore, RedisKeys } from '@orchestrator/shared';
import { BackendConsumer } from '../backends/consumer.js';
import { createJobProcessor } from '../jobs/processor.js';
import type { CloudProviderEntry, CloudProviderInstance } from './registry.js';

export interface CloudConsumersOptions {
  entries: readonly CloudProviderEntry[];
  config: Config;
  redis: Redis;
  keys: RedisKeys;
  jobs: JobStore;
  events: EventLog;
  assets: AssetStore;
  workerId: string;
  log: Logger;
  /** Where the runtime records which consumer holds a job (for cancel). */
  active: Map<string, BackendConsumer>;
  onFailed(job: BullJob, log: Logger): void;
  /** Per-queue provider tuning. */
  options?: Record<string, Record<string, unknown> | undefined>;
}

export interface CloudConsumer {
  queue: string;
  consumer: BackendConsumer;
  instance: CloudProviderInstance;
}

/** One consumer per enabled cloud provider, taking jobs at once (no backend to wait for). */
export function startCloudConsumers(o: CloudConsumersOptions): CloudConsumer[] {
  const out: CloudConsumer[] = [];
  for (const entry of o.entries) {
    const log = o.log.child({ provider: entry.queue, backend: entry.backendId });
    if (!entry.enabled(o.config)) {
      log.info(`${entry.queue}: not configured in this worker; its jobs wait for a worker that is`);
      continue;
    }
    const options = o.options?.[entry.queue];
    const instance = entry.create({ config: o.config, redis: o.redis, keys: o.keys, assets: o.assets, workerId: o.workerId, log, ...(options ? { options } : {}) });
    const consumer: BackendConsumer = new BackendConsumer({
      queueName: entry.queue,
      prefix: o.keys.bullPrefix,
      connection: o.redis,
      lockDurationMs: o.config.jobLockMs,
      workerName: `${o.workerId}:${entry.queue}`,
      concurrency: entry.concurrency(o.config),
      log,
      onFailed: (job) => o.onFailed(job, log),
      processor: createJobProcessor({
        redis: o.redis,
        keys: o.keys,
        jobs: o.jobs,
        events: o.events,
        assets: o.assets,
        provider: instance.provider,
        backend: { id: entry.backendId, url: '' },
        workerId: o.workerId,
        log,
        leaseTtlMs: o.config.jobLockMs,
        leaseRetryMs: 500,
        isOnline: () => true,
        onActive: (jobId) => o.active.set(jobId, consumer),
        onIdle: (jobId) => o.active.delete(jobId),
        ...(instance.acquire ? { acquireLease: instance.acquire.bind(instance) } : {}),
      }),
    });
    consumer.setOnline(true);
    log.info({ concurrency: entry.concurrency(o.config) }, `${entry.queue}: taking jobs`);
    out.push({ queue: entry.queue, consumer, instance });
  }
  return out;
}
