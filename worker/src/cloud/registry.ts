import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AssetStore, Config, FileStore, Provider as ProviderName, QueuedJobData, RedisKeys } from '@orchestrator/shared';
import type { Provider } from '../providers/provider.js';
import type { OutputThumbnails } from '../storage/output-thumbnails.js';

/*
 * Cloud providers: queues served by an HTTP API rather than a GPU box, so no backend ownership and no
 * online gating; each worker process runs `concurrency` jobs of the queue at once, and whatever the
 * provider must hold across processes (a concurrency cap) is its `hasRoom`/`acquire`. The runtime starts
 * a CloudDriver per entry of CLOUD_PROVIDERS whose `enabled(config)` is true.
 */

export interface CloudDeps {
  config: Config;
  /** The worker's shared command connection (maxRetriesPerRequest: null). */
  redis: Redis;
  keys: RedisKeys;
  assets: AssetStore;
  /** The server's output and uploads folders, as this worker reaches them, and where output thumbnails go. */
  storage: { output: FileStore; uploads: FileStore; thumbnails?: OutputThumbnails };
  workerId: string;
  log: Logger;
  /** Provider-specific tuning from RuntimeOptions.cloud[queue] (tests shorten intervals with it). */
  options?: Record<string, unknown>;
}

export interface CloudLease {
  release(): Promise<void>;
}

export interface CloudProviderInstance {
  provider: Provider;
  /** Whether one more task fits the account now: no job is taken while it says no. */
  hasRoom?(): Promise<boolean>;
  /** Taken once a job is held and kept until it ends; null while its pools are full (the job waits, keeping its place). */
  acquire?(data: QueuedJobData, log: Logger): Promise<CloudLease | null>;
  close?(): Promise<void>;
}

export interface CloudProviderEntry {
  /** The queue, which is also the job request's `provider`. */
  queue: ProviderName;
  /** Recorded as the job's `backend`. */
  backendId: string;
  /** Whether this process can serve the queue (its API key is set); otherwise its jobs wait for one that can. */
  enabled(config: Config): boolean;
  /** Jobs of this queue one process runs at once. */
  concurrency(config: Config): number;
  create(deps: CloudDeps): CloudProviderInstance;
}
