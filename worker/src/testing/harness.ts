import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Job as BullJob, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EventLog,
  JobEnqueuer,
  JobStore,
  ScheduleStore,
  laneOf,
  markStorageFolders,
  newJob,
  parseConfig,
  redisKeys,
  type AppEvent,
  type ComfyJobRequest,
  type Config,
  type Job,
  type JobRequest,
  type RedisKeys,
} from '@orchestrator/shared';
import { TEST_REDIS_URL } from '../../../test/harness/redis.js';

/*
 * Test harness: a unique key prefix and output dir per test file, jobs enqueued exactly as the server
 * does (JobEnqueuer: record, ticket, lane queue), and polling helpers. Cleans up after itself.
 */

export const REDIS_URL = TEST_REDIS_URL;

export interface Harness {
  prefix: string;
  keys: RedisKeys;
  redis: Redis;
  jobs: JobStore;
  events: EventLog;
  enqueuer: JobEnqueuer;
  schedule: ScheduleStore;
  /** The BullMQ queue of ComfyUI jobs for `model` (each model has a lane queue). */
  queue(model?: string): Queue;
  /** A job as BullMQ holds it (in its lane's queue). */
  bullJob(id: string): Promise<BullJob | undefined>;
  outputPath: string;
  env(comfyUrls: string[], extra?: Record<string, string>): Record<string, string>;
  config(comfyUrls: string[], extra?: Record<string, string>): Config;
  enqueue(request?: Partial<ComfyJobRequest>): Promise<string>;
  /** Any provider's request, queued as the server would (the model picks a ComfyUI lane). */
  enqueueRequest(request: JobRequest, model?: string): Promise<string>;
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
  const enqueuer = new JobEnqueuer(redis, prefix);
  const queueOfJob = new Map<string, string>();
  const enqueueRequest = async (request: JobRequest, model?: string) => {
    const id = randomUUID();
    const lane = await enqueuer.enqueue(newJob(id, request, new Date()), model);
    queueOfJob.set(id, lane.queue);
    return id;
  };
  const outputPath = await mkdtemp(join(tmpdir(), `orch-${name}-`));
  // What the server does at boot: workers of this test share its folders.
  await markStorageFolders(redis, keys.storage, { output: outputPath, uploads: join(outputPath, 'uploads'), thumbs: join(outputPath, 'thumbs') });

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
    enqueuer,
    schedule: enqueuer.schedule,
    queue: (model) => enqueuer.queue(laneOf('comfyui', model).queue),
    bullJob: async (id) => {
      const name = queueOfJob.get(id);
      return name ? ((await enqueuer.queue(name).getJob(id)) as BullJob | undefined) : undefined;
    },
    outputPath,
    env,
    config: (urls, extra) => parseConfig(env(urls, extra)),
    async enqueue(partial = {}) {
      const request: ComfyJobRequest = {
        provider: 'comfyui',
        kind: 'image',
        prompt: 'a lighthouse at dusk',
        model: 'sd_xl_base_1.0.safetensors',
        ...partial,
      };
      return enqueueRequest(request, request.model);
    },
    enqueueRequest,
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
      await enqueuer.close();
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
