/*
 * The whole product in one test process: the ComfyUI protocol fake(s), the real server on a free
 * port and an in-process worker runtime, against the real Redis with a key prefix of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseConfig, type Config } from '@orchestrator/shared';
import { buildServer } from '@orchestrator/server';
import { startWorkerRuntime } from '@orchestrator/worker';
import { startFakeComfy, type FakeComfy, type FakeComfyOptions } from '../fakes/comfyui/index.js';
import { TEST_REDIS_URL as REDIS_URL } from './redis.js';

export interface StackOptions {
  backends?: number;
  comfy?: FakeComfyOptions;
  env?: Record<string, string>;
  /** Start no worker (tests that only need the API). */
  noWorker?: boolean;
}

export interface Stack {
  config: Config;
  url: string;
  wsUrl: string;
  comfy: FakeComfy[];
  redis: Redis;
  dir: string;
  close(): Promise<void>;
}

export { REDIS_URL };

export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (SCAN, never KEYS). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  const dir = await mkdtemp(path.join(tmpdir(), `orch-${name}-`));
  const comfy: FakeComfy[] = [];
  for (let i = 0; i < (options.backends ?? 1); i++) {
    comfy.push(await startFakeComfy({ stepMs: 15, ...options.comfy, rootDir: path.join(dir, `comfy-${i}`) }));
  }
  const prefix = uniquePrefix(name);
  const config = parseConfig({
    REDIS_URL,
    PORT: '3002',
    DATA_PATH: dir,
    OUTPUT_PATH: path.join(dir, 'output'),
    COMFYUI_URLS: comfy.map((c) => c.url).join(','),
    KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    JOB_LOCK_MS: '3000',
    ...options.env,
  });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  const app = await buildServer(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const worker = options.noWorker ? null : await startWorkerRuntime(config);
  return {
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    comfy,
    redis,
    dir,
    async close() {
      await worker?.close();
      await app.close();
      await Promise.all(comfy.map((c) => c.close()));
      await dropPrefix(redis, prefix);
      redis.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
