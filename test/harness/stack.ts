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
import type { Logger } from 'pino';
import { startFakeComfy, type FakeComfy, type FakeComfyOptions } from '../fakes/comfyui/index.js';
import { TEST_REDIS_URL as REDIS_URL } from './redis.js';

export interface StackOptions {
  backends?: number;
  comfy?: FakeComfyOptions;
  env?: Record<string, string>;
  /** Start no worker (tests that only need the API). */
  noWorker?: boolean;
  /** `user:password`: every fake stands behind basic auth and COMFYUI_URLS carries the credentials. */
  comfyCredentials?: string;
  /** The worker's own settings on top of the server's (e.g. an OUTPUT_PATH of its own: a second machine). */
  workerEnv?: Record<string, string>;
  /** Logs to keep (the canary test reads every line): pino options for the server (e.g. `{ stream }`), a logger for the worker. */
  serverLogger?: object;
  workerLogger?: Logger;
}

export interface Stack {
  config: Config;
  url: string;
  wsUrl: string;
  comfy: FakeComfy[];
  redis: Redis;
  dir: string;
  /** Stops the server (the worker keeps running), then starts a new one on the same port after `downMs`. */
  restartServer(downMs: number, whileDown?: () => Promise<void>): Promise<void>;
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
    comfy.push(
      await startFakeComfy({ stepMs: 15, ...options.comfy, ...(options.comfyCredentials ? { basicAuth: options.comfyCredentials } : {}), rootDir: path.join(dir, `comfy-${i}`) }),
    );
  }
  const prefix = uniquePrefix(name);
  const config = parseConfig({
    REDIS_URL,
    PORT: '3002',
    DATA_PATH: dir,
    OUTPUT_PATH: path.join(dir, 'output'),
    COMFYUI_URLS: comfy.map((c) => (options.comfyCredentials ? c.url.replace('http://', `http://${options.comfyCredentials}@`) : c.url)).join(','),
    KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    JOB_LOCK_MS: '3000',
    // The site preview listener on a free port, allowed to fetch the v0 fake's demos (on loopback).
    PREVIEW_PORT: '0',
    PREVIEW_DEMO_HOSTS: 'localhost,127.0.0.1,.vusercontent.net',
    ...options.env,
  });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  let app = await buildServer(config, { logger: options.serverLogger ?? false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const workerConfig = options.workerEnv ? parseConfig({ ...configEnv(config), ...options.workerEnv }) : config;
  const worker = options.noWorker ? null : await startWorkerRuntime(workerConfig, options.workerLogger ? { logger: options.workerLogger } : {});
  return {
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    comfy,
    redis,
    dir,
    async restartServer(downMs, whileDown) {
      await app.close();
      await Promise.all([new Promise((r) => setTimeout(r, downMs)), whileDown?.()]);
      app = await buildServer(config, { logger: options.serverLogger ?? false });
      await app.listen({ host: '127.0.0.1', port });
    },
    async close() {
      await worker?.close();
      // server.close() waits for every open connection; on a loaded machine a client connection
      // with no request in flight that Node still does not count as idle has kept it waiting past the hook timeout.
      const forceClose = setTimeout(() => app.server.closeAllConnections(), 2000);
      await app.close();
      clearTimeout(forceClose);
      await Promise.all(comfy.map((c) => c.close()));
      await dropPrefix(redis, config.keyPrefix);
      redis.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The environment that gives `config` (for a worker config derived from the server's). */
function configEnv(config: Config): Record<string, string> {
  return {
    REDIS_URL: config.redisUrl,
    DATA_PATH: config.dataPath,
    OUTPUT_PATH: config.outputPath,
    COMFYUI_URLS: config.comfyuiUrls.join(','),
    KEY_PREFIX: config.keyPrefix,
    LOG_LEVEL: config.logLevel,
    JOB_LOCK_MS: String(config.jobLockMs),
    ...(config.bflApiKey ? { BFL_API_KEY: config.bflApiKey, BFL_API_URL: config.bflApiUrl } : {}),
    ...(config.v0ApiKey ? { V0_API_KEY: config.v0ApiKey, V0_API_URL: config.v0ApiUrl } : {}),
    ...(config.workerToken ? { WORKER_TOKEN: config.workerToken } : {}),
    ...(config.storage.kind === 's3'
      ? {
          STORAGE: 's3',
          S3_BUCKET: config.storage.bucket,
          S3_REGION: config.storage.region,
          S3_ACCESS_KEY_ID: config.storage.accessKeyId,
          S3_SECRET_ACCESS_KEY: config.storage.secretAccessKey,
          S3_FORCE_PATH_STYLE: String(config.storage.forcePathStyle),
          S3_PUBLIC_READS: config.storage.publicReads,
          ...(config.storage.endpoint ? { S3_ENDPOINT: config.storage.endpoint } : {}),
        }
      : {}),
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
