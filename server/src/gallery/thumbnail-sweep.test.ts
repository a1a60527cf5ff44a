import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { redisKeys, type Config } from '@orchestrator/shared';
import { ThumbnailService } from './thumbnails.js';
import { liveAssetIds, startThumbnailSweep } from './thumbnail-sweep.js';
import { REDIS_URL, cleanup, testConfig } from '../testing/harness.js';

/* The periodic sweep: thumbnails of assets in neither the gallery nor the trash go; the others stay. */

let root: string;
let redis: Redis;
let config: Config;
let prefix: string;
let keys: ReturnType<typeof redisKeys>;
const ids = { inGallery: 'aa00000000000001', inTrash: 'aa00000000000002', gone: 'aa00000000000003', goneFresh: 'aa00000000000004' };

beforeAll(async () => {
  ({ config, outputPath: root } = await testConfig('thumb-sweep'));
  prefix = config.keyPrefix;
  keys = redisKeys(prefix);
  redis = new Redis(REDIS_URL);
  await redis.set(keys.asset(ids.inGallery), 'x');
  await redis.set(keys.gallery.trashItem(ids.inTrash), '{}');
  const shard = path.join(root, 'thumbs', 'aa');
  await mkdir(shard, { recursive: true });
  const old = new Date(Date.now() - 2 * 3600_000);
  for (const id of Object.values(ids)) {
    const file = path.join(shard, `${id}-${'0'.repeat(40)}.webp`);
    await writeFile(file, 'RIFF');
    if (id !== ids.goneFresh) await utimes(file, old, old);
  }
  await writeFile(path.join(shard, '.crashed.webp.1234.tmp'), '');
  await utimes(path.join(shard, '.crashed.webp.1234.tmp'), old, old);
});

afterAll(async () => {
  await cleanup(redis, config, root);
  redis.disconnect();
});

describe('thumbnail sweep', () => {
  it('asks Redis once per shard which ids live in the gallery or the trash', async () => {
    expect([...(await liveAssetIds(redis, prefix)(Object.values(ids)))].sort()).toEqual([ids.inGallery, ids.inTrash]);
    expect((await liveAssetIds(redis, prefix)([])).size).toBe(0);
  });

  it('deletes the thumbnails of gone assets and old temp files, keeps the rest, and stops cleanly', async () => {
    const thumbnails = new ThumbnailService({ outputPath: root, cacheDir: path.join(root, 'thumbs') });
    const stop = startThumbnailSweep({ thumbnails, redis, keyPrefix: prefix, log: pino({ level: 'silent' }), firstAfterMs: 10, everyMs: 60_000 });
    const shard = path.join(root, 'thumbs', 'aa');
    const until = Date.now() + 5000;
    while ((await readdir(shard)).length > 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect((await readdir(shard)).map((n) => n.slice(0, 16)).sort()).toEqual([ids.inGallery, ids.inTrash, ids.goneFresh].sort());
  });
});
