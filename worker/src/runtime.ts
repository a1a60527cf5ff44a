import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AssetStore, EventLog, JobStore, WorkflowStore, backendIds, redisKeys, type Config } from '@orchestrator/shared';
import { BackendConsumer } from './backends/consumer.js';
import { BackendMonitor } from './backends/monitor.js';
import { startCloudConsumers } from './cloud/consumers.js';
import { CLOUD_PROVIDERS } from './cloud/providers.js';
import type { CloudProviderEntry } from './cloud/registry.js';
import { CancelListener } from './cancel-listener.js';
import { ABORT_CANCEL, ABORT_SHUTDOWN } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { createJobProcessor } from './jobs/processor.js';
import { createLogger } from './logger.js';
import { ComfyConnections } from './providers/comfyui/connections.js';
import { ComfyUiProvider, type ComfyProviderOptions } from './providers/comfyui/provider.js';

/*
 * One worker process: a consumer of the `comfyui` queue per configured backend, the backend monitor
 * that gates them, a heartbeat, and the cancel channel. Tests and the end-to-end harness run it
 * in-process; main.ts runs it as a process.
 */

export const COMFYUI_QUEUE = 'comfyui';

export interface RuntimeOptions {
  logger?: Logger;
  /** On close, how long active jobs may keep running before they are handed back to the queue. */
  shutdownGraceMs?: number;
  monitorIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** Tuning for tests (poll intervals, cancel wait…). */
  comfy?: Pick<ComfyProviderOptions, 'tracker' | 'cancelWaitMs' | 'previewIntervalMs' | 'connectWaitMs'>;
  /** Tuning per cloud queue, e.g. `{ flux: { pollInitialMs: 50 } }` (see providers/bfl/provider.ts BflTuning). */
  cloud?: Record<string, Record<string, unknown> | undefined>;
  /** The cloud providers to serve (default: all of CLOUD_PROVIDERS that are configured). */
  cloudProviders?: readonly CloudProviderEntry[];
}

export interface WorkerRuntime {
  readonly id: string;
  close(): Promise<void>;
}

/**
 * A job BullMQ failed without our processor recording why (it stalled too often, e.g. it keeps
 * killing its worker): the record must not stay `running` forever. Refused when already final.
 */
async function markLost(job: BullJob, jobs: JobStore, log: Logger): Promise<void> {
  const id = typeof (job.data as { id?: unknown })?.id === 'string' ? (job.data as { id: string }).id : job.id;
  if (!id) return;
  const res = await jobs
    .update(id, 'job.failed', (j) => ({
      ...j,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      error: { code: 'internal_error', message: `The job could not be run: ${job.failedReason || 'unknown error'}` },
    }))
    .catch(() => null);
  if (res?.ok) log.warn({ jobId: id, reason: job.failedReason }, 'job failed in the queue');
}

export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function startWorkerRuntime(config: Config, options: RuntimeOptions = {}): Promise<WorkerRuntime> {
  const id = newWorkerId();
  const log = (options.logger ?? createLogger(config.logLevel)).child({ workerId: id });
  const keys = redisKeys(config.keyPrefix);
  // BullMQ needs maxRetriesPerRequest: null; the stores share the connection.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = redis.duplicate();
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'redis subscriber error'));
  const jobs = new JobStore(redis, config.keyPrefix);
  const events = new EventLog(redis, config.keyPrefix);
  const assets = new AssetStore(redis, config.keyPrefix);
  const backends = backendIds(config.comfyuiUrls);

  const connections = new ComfyConnections(backends, id, log);
  const consumers = new Map<string, BackendConsumer>();
  const active = new Map<string, BackendConsumer>();
  const monitor = new BackendMonitor({
    redis,
    keys,
    events,
    backends,
    log,
    ...(options.monitorIntervalMs ? { intervalMs: options.monitorIntervalMs } : {}),
    onStatus: (status) => consumers.get(status.id)?.setOnline(status.online),
  });
  const provider = new ComfyUiProvider({
    outputPath: config.outputPath,
    dataPath: config.dataPath,
    assets,
    workflows: new WorkflowStore(redis, config.keyPrefix),
    connections,
    defaultModel: (backendId) => monitor.status(backendId)?.checkpoints[0],
    ...options.comfy,
  });

  for (const backend of backends) {
    const blog = log.child({ backend: backend.id, provider: 'comfyui' });
    const consumer: BackendConsumer = new BackendConsumer({
      queueName: COMFYUI_QUEUE,
      prefix: keys.bullPrefix,
      connection: redis,
      lockDurationMs: config.jobLockMs,
      workerName: `${id}:${backend.id}`,
      log: blog,
      onFailed: (job) => void markLost(job, jobs, blog),
      processor: createJobProcessor({
        redis,
        keys,
        jobs,
        events,
        assets,
        provider,
        backend,
        workerId: id,
        log: blog,
        leaseTtlMs: config.jobLockMs,
        isOnline: () => consumer.isOnline,
        onActive: (jobId) => active.set(jobId, consumer),
        onIdle: (jobId) => active.delete(jobId),
        onBackendTrouble: () => void monitor.probeNow().catch(() => undefined),
      }),
    });
    consumers.set(backend.id, consumer);
  }

  const cloud = startCloudConsumers({
    entries: options.cloudProviders ?? CLOUD_PROVIDERS,
    config,
    redis,
    keys,
    jobs,
    events,
    assets,
    workerId: id,
    log,
    active,
    onFailed: (job, clog) => void markLost(job, jobs, clog),
    ...(options.cloud ? { options: options.cloud } : {}),
  });
  for (const c of cloud) consumers.set(`cloud:${c.queue}`, c.consumer);

  const heartbeat = new Heartbeat(redis, keys.workers, id, log, options.heartbeatIntervalMs);
  const cancels = new CancelListener(
    subscriber,
    keys.cancelChannel,
    (jobId) => {
      const consumer = active.get(jobId);
      if (consumer?.cancel(jobId, ABORT_CANCEL)) log.info({ jobId }, 'cancel requested; aborting the job');
    },
    log,
  );

  await heartbeat.start();
  await cancels.start();
  await monitor.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('worker stopping');
      await monitor.stop();
      const grace = options.shutdownGraceMs ?? 8000;
      await Promise.all([...consumers.values()].map((c) => c.close(grace, ABORT_SHUTDOWN)));
      await cancels.stop();
      await heartbeat.stop();
      await connections.close();
      await Promise.all(cloud.map((c) => c.instance.close?.()));
      await Promise.all([subscriber.quit().catch(() => undefined), redis.quit().catch(() => undefined)]);
      log.info('worker stopped');
    })();
    return closing;
  };
  return { id, close };
}
