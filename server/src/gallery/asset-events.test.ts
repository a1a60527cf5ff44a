import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { AssetRecordError, AssetStore, EventLog, assetIdForPath, assetUrls, type AppEvent, type Asset, type Config } from '@orchestrator/shared';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { minimalPng } from '../testing/gallery-fixtures.js';
import { GalleryIndexing } from './gallery-indexing.js';
import { GalleryQuery } from './gallery-query.js';

/*
 * The gallery's writers each put the same output: the worker (before job.completed), the watcher
 * (the file, then its sidecar), a rescan, a restore. Clients hear of an asset once, of a real change
 * once more, and never see half a record.
 */

let config: Config;
let out: string;
let redis: Redis;
let gallery: GalleryIndexing;
let store: AssetStore;
let events: EventLog;
const log = pino({ level: 'silent' });

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Writes an output the way the worker does (sidecar first, then the file) and returns the worker's record. */
async function workerOutput(rel: string, prompt: string): Promise<Asset> {
  const createdAt = new Date().toISOString();
  const meta = { jobId: 'job-1', provider: 'comfyui', prompt, seed: 7, width: 8, height: 8 };
  const png = minimalPng(8, 8);
  await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
  await writeFile(path.join(out, `${rel}.json`), JSON.stringify({ version: 1, createdAt, meta }));
  await writeFile(path.join(out, rel), png);
  const id = assetIdForPath(rel);
  return { id, type: 'image', fileName: path.posix.basename(rel), relPath: rel, size: png.length, mimeType: 'image/png', createdAt, ...assetUrls(id), meta };
}

const assetEvents = async (since: string, id: string): Promise<AppEvent[]> =>
  (await events.readAfter(since)).filter((e) => e.type.startsWith('asset.') && (e.data as { id?: string }).id === id);

beforeAll(async () => {
  ({ config, outputPath: out } = await testConfig('gevents'));
  redis = newRedis();
  store = new AssetStore(redis, config.keyPrefix);
  events = new EventLog(redis, config.keyPrefix);
  gallery = new GalleryIndexing({ redis, keyPrefix: config.keyPrefix, outputPath: out, dataPath: out, log, rescan: false, debounceMs: 30, stableMs: 60 });
  gallery.start();
  await gallery.ready;
});
afterAll(async () => {
  await gallery.close();
  await cleanup(redis, config, out);
  redis.disconnect();
});

describe('asset events', () => {
  it('the worker put, the watcher reading the file and its sidecar, a rescan and a forced re-read make one asset.added', async () => {
    const since = await events.lastId();
    const record = await workerOutput('day/job-1_1.png', 'a lighthouse');
    expect(await store.put(record)).toBe('added');
    // The watcher reads the file: the record gains the file's facts, clients hear nothing new.
    const read = await waitFor('the watcher read the file', async () => {
      const a = await store.get(record.id);
      return a?.mtimeMs !== undefined ? a : null;
    });
    expect(read).toMatchObject({ width: 8, height: 8, meta: { prompt: 'a lighthouse' } });
    await gallery.flushWatcher();
    expect(await gallery.rescanNow()).toMatchObject({ ran: true, indexed: 0 });
    expect(await gallery.indexer.syncPath('day/job-1_1.png', { force: true })).toBe('indexed');
    // The worker's put again (a retried completion): the richer record read from the file stays.
    expect(await store.put(record)).toBe('unchanged');
    expect((await store.get(record.id))?.mtimeMs).toBe(read.mtimeMs);
    expect((await assetEvents(since, record.id)).map((e) => e.type)).toEqual(['asset.added']);
  });

  it('a change to what the asset shows is one asset.updated carrying the new record, never a second asset.added', async () => {
    const since = await events.lastId();
    const record = await workerOutput('day/job-2_1.png', 'a fox');
    await store.put(record);
    await waitFor('the watcher read the file', async () => (await store.get(record.id))?.mtimeMs !== undefined);
    await writeFile(path.join(out, 'day/job-2_1.png.json'), JSON.stringify({ version: 1, createdAt: record.createdAt, meta: { ...record.meta, prompt: 'a red fox' } }));
    await waitFor('the sidecar change applied', async () => (await store.get(record.id))?.meta.prompt === 'a red fox');
    await gallery.flushWatcher();
    const seen = await assetEvents(since, record.id);
    expect(seen.map((e) => e.type)).toEqual(['asset.added', 'asset.updated']);
    expect((seen[1]!.data as Asset).meta.prompt).toBe('a red fox');
  });

  it('refuses a record that is not whole: nothing is stored, nothing announced', async () => {
    const since = await events.lastId();
    const id = assetIdForPath('day/partial.png');
    const partial = { id, type: 'image', fileName: 'partial.png', relPath: 'day/partial.png', size: 1, mimeType: 'image/png', ...assetUrls(id), meta: {} };
    await expect(store.put(partial as unknown as Asset)).rejects.toBeInstanceOf(AssetRecordError);
    expect(await redis.exists(store.keys.asset(id))).toBe(0);
    expect(await assetEvents(since, id)).toEqual([]);
  });

  it('leaves a stored record that is not whole (an older writer’s) out of a page instead of failing it', async () => {
    const good = await workerOutput('day/good.png', 'good');
    await store.put(good);
    const id = assetIdForPath('day/legacy.png');
    const { createdAt: _missing, id: _id, ...legacy } = { ...good, id, relPath: 'day/legacy.png', fileName: 'legacy.png' };
    // Stored as the put script stores records (gallery-record.ts), in a slot of its own.
    const slot = 5000;
    await redis.setrange(store.keys.gallery.slotIds, slot * 16, id);
    await redis.set(store.keys.asset(id), `${slot}\0${'0'.repeat(16)}\0\0legacy.png\0${JSON.stringify(legacy)}`);
    await redis.zadd(store.keys.assetsByTime, Date.now(), String(slot));
    const page = await new GalleryQuery(redis, config.keyPrefix).list({ limit: 200 });
    expect(page.items.map((a) => a.id)).toContain(good.id);
    expect(page.items.map((a) => a.id)).not.toContain(id);
    expect(await store.get(id)).toBeNull();
  });
});
