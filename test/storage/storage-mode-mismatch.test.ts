import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markStorageFolders, parseConfig, redisKeys } from '@orchestrator/shared';
import { openWorkerStorage } from '../../worker/src/storage/worker-storage.js';
import { TEST_REDIS_URL } from '../harness/redis.js';
import { dropPrefix, uniquePrefix } from '../harness/stack.js';

/*
 * A worker whose STORAGE is not the server's never writes where the server does not read: one without
 * STORAGE=s3 facing a server that keeps files in the bucket waits (even on the server's own disk),
 * rather than record assets whose files cannot be served.
 */

let redis: Redis;
let dir: string;
const prefix = uniquePrefix('storage-mismatch');
const keys = redisKeys(prefix);

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  dir = await mkdtemp(path.join(tmpdir(), 'orch-mismatch-'));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('a worker whose storage differs from the server\'s', () => {
  it('waits instead of writing to disk when the server uses object storage', async () => {
    const output = path.join(dir, 'output');
    // The server marked the very folders this worker sees, but keeps its files in the bucket.
    await markStorageFolders(redis, keys.storage, { output, uploads: path.join(dir, 'uploads') });
    await redis.hset(keys.storage, 'kind', 's3');
    const config = parseConfig({ OUTPUT_PATH: output, DATA_PATH: dir, KEY_PREFIX: prefix, REDIS_URL: TEST_REDIS_URL });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const storage = openWorkerStorage(config, redis, keys, log, 20);
    try {
      const write = storage.output.write('2030-01-01/a.png', 'x').then(() => 'written', (err: Error) => err.message);
      await new Promise((r) => setTimeout(r, 300));
      expect(storage.mode()).toBe('undecided');
      expect(lines.some((l) => l.includes('STORAGE=s3'))).toBe(true);
      expect((await readdir(output)).filter((n) => n !== '.orchestrator')).toEqual([]);
      // Once the server is back on its disk, the same worker goes on as before.
      await redis.hset(keys.storage, 'kind', 'local');
      expect(await write).toBe('written');
      expect(storage.mode()).toBe('shared disk');
    } finally {
      storage.close();
    }
  });
});
