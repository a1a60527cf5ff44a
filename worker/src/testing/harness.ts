import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EventLog,
  JobStore,
  newJob,
  parseConfig,
  redisKeys,
  type AppEvent,
  type ComfyJobRequest,
  type Config,
  type Job,
  type RedisKeys,
} from '@orchestrator/shared';
import { COMFYUI_QUEUE } from '../runtime.js';

/*
 * Test harness: a unique key prefix and output dir per test file, jobs enqueued exactly as the server
 * does (JobStore.create + queue.add with the same options), and polling helpers. Cleans up after itself.
 */

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface Harness {
  prefix: string;
  keys: RedisKeys;
  redis: Redis;
  jobs: JobStore;
  events: EventLog;
  queue: Queue;
  outputPath: string;
  env(comfyUrls: string[], extra?: Record<string, string>): Record<string, string>;
  config(comfyUrls: string[], extra?: Record<string, string>): Config;
  enqueue(request?: Partial<ComfyJobRequest>): Promise<string>;
  waitForJob(id: string, until: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
  jobEvents(id: string): Promise<AppEvent[]>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function createHarness(name: string): Promise<Harness> {
  const prefix = `test-worker-${name}-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const jobs = new JobStore(redis, prefix);
  const events = new EventLog(redis, prefix);
  const queue = new Queue(COMFYUI_QUEUE, { connection: redis, prefix: keys.bullPrefix });
  const outputPath = await mkdtemp(join(tmpdir(), `orch-${name}-`));

  const env = (comfyUrls: string[], extra: Record<string, string> = {}) => ({
    REDIS_URL,
    KEY_PREFIX: prefix,
    OUTPUT_PATH: outputPath,
    DATA_PATH: outputPath,
    COMFYUI_URLS: comfyUrls.join(','),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOB_LOCK_MS: '4000',
    ...extra,
  });

  return {
    prefix,
    keys,
    redis,
    jobs,
    events,
    queue,
    outputPath,
    env,
    config: (urls, extra) => parseConfig(env(urls, extra)),
    async enqueue(partial = {}) {
      const id = randomUUID();
      const request: ComfyJobRequest = {
        provider: 'comfyui',
        kind: 'image',
        prompt: 'a lighthouse at dusk',
        model: 'sd_xl_base_1.0.safetensors',
        ...partial,
      };
      await jobs.create(newJob(id, request, new Date()));
      await queue.add('generate', { id, request }, { jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 500 } });
      return id;
    },
    async waitForJob(id, until, timeoutMs = 15000) {
      let last: Job | null = null;
      try {
        return await waitFor(
          `job ${id}`,
          async () => {
            last = await jobs.get(id);
            return last && until(last) ? last : null;
          },
          timeoutMs,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; last state: ${JSON.stringify(last)}`, { cause: err });
      }
    },
    async jobEvents(id) {
      const all = await events.readAfter('0-0', 10000);
      return all.filter((e) => {
        const d = e.data as { id?: string; jobId?: string; meta?: { jobId?: string } };
        return d?.id === id || d?.jobId === id || d?.meta?.jobId === id;
      });
    },
    async close() {
      await queue.close();
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await redis.del(...found);
      } while (cursor !== '0');
      await redis.quit();
      await rm(outputPath, { recursive: true, force: true });
    },
  };
}
