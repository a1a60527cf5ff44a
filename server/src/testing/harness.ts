import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseConfig, type BackendStatus, type Config } from '@orchestrator/shared';

import { TEST_REDIS_URL as REDIS_URL } from '../../../test/harness/redis.js';

export { REDIS_URL };

/** A config of its own for one test file: unique key prefix, temporary output folder, silent logs. */
export async function testConfig(name: string, env: Record<string, string> = {}): Promise<{ config: Config; outputPath: string }> {
  const outputPath = await mkdtemp(path.join(tmpdir(), `orch-${name}-`));
  const config = parseConfig({
    REDIS_URL,
    KEY_PREFIX: `test-server-${name}-${randomBytes(4).toString('hex')}`,
    OUTPUT_PATH: outputPath,
    DATA_PATH: outputPath,
    LOG_LEVEL: 'silent',
    ...env,
  });
  return { config, outputPath };
}

/** Deletes every key under the prefix (BullMQ's included) and the temporary folder. */
export async function cleanup(redis: Redis, config: Config, outputPath?: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.keyPrefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  if (outputPath) await rm(outputPath, { recursive: true, force: true });
}

export function backendRecord(over: Partial<BackendStatus> & Pick<BackendStatus, 'id' | 'url'>): BackendStatus {
  return {
    online: true,
    simulated: true,
    checkedAt: new Date().toISOString(),
    devices: [{ name: 'cuda:0 Fake GPU', type: 'cuda', vramTotal: 24e9, vramFree: 20e9 }],
    checkpoints: ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'],
    samplers: ['euler'],
    schedulers: ['normal'],
    version: '0.3.0',
    ...over,
  };
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL);
}
