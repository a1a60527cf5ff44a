import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rename, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { AssetStore, EventLog, assetIdForPath, type Asset, type Config } from '@orchestrator/shared';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { comfyGraph, minimalPng, pngWithText } from '../testing/gallery-fixtures.js';
import { GalleryIndexing } from './gallery-indexing.js';
import { GalleryQuery } from './gallery-query.js';

let config: Config;
let out: string;
let redis: Redis;
let gallery: GalleryIndexing;
let store: AssetStore;
let query: GalleryQuery;
const log = pino({ level: 'silent' });

const comfy = (prompt: string) => pngWithText(8, 8, { prompt: JSON.stringify(comfyGraph({ prompt })) });
const write = async (rel: string, bytes: Buffer | string) => {
  await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
  await writeFile(path.join(out, rel), bytes);
};
const rec = (rel: string) => store.get(assetIdForPath(rel));

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Every record of the index, for comparing two builds. */
async function snapshot(): Promise<Asset[]> {
  return (await query.list({ limit: 200, sort: 'name' })).items;
}

beforeAll(async () => {
  ({ config, outputPath: out } = await testConfig('gindex'));
  redis = newRedis();
  store = new AssetStore(redis, config.keyPrefix);
  query = new GalleryQuery(redis, config.keyPrefix);
  gallery = new GalleryIndexing({ redis, keyPrefix: config.keyPrefix, outputPath: out, dataPath: out, log, rescan: false, debounceMs: 30, stableMs: 60 });
  gallery.start();
  await gallery.ready;
});
afterAll(async () => {
  await gallery.close();
  await cleanup(redis, config, out);
  redis.disconnect();
});

describe('the watcher', () => {
  it('indexes a new file with its metadata and announces it', async () => {
    const events = new EventLog(redis, config.keyPrefix);
    const since = await events.lastId();
    await write('day1/ComfyUI_00001_.png', comfy('a lighthouse'));
    const a = await waitFor('indexed', () => rec('day1/ComfyUI_00001_.png'));
    expect(a).toMatchObject({ relPath: 'day1/ComfyUI_00001_.png', width: 8, meta: { prompt: 'a lighthouse', provider: 'comfyui' } });
    expect((await events.readAfter(since)).map((e) => e.type)).toContain('asset.added');
  });

  it('re-reads a changed file and a changed sidecar', async () => {
    await write('day1/ComfyUI_00001_.png', comfy('a lighthouse in a storm'));
    await waitFor('updated', async () => (await rec('day1/ComfyUI_00001_.png'))?.meta.prompt === 'a lighthouse in a storm');
    await write('day1/ComfyUI_00001_.png.json', JSON.stringify({ version: 1, createdAt: '2030-01-01T00:00:00Z', meta: { prompt: 'from the sidecar' } }));
    await waitFor('sidecar applied', async () => (await rec('day1/ComfyUI_00001_.png'))?.meta.prompt === 'from the sidecar');
    expect((await query.list({ limit: 10, q: 'sidecar' })).total).toBe(1);
    expect((await query.list({ limit: 10, q: 'storm' })).total).toBe(0);
  });

  it('treats a rename as remove + add, and a delete as remove', async () => {
    await rename(path.join(out, 'day1/ComfyUI_00001_.png'), path.join(out, 'day1/renamed.png'));
    await waitFor('renamed', async () => (await rec('day1/renamed.png')) && !(await rec('day1/ComfyUI_00001_.png')));
    const events = new EventLog(redis, config.keyPrefix);
    const since = await events.lastId();
    await unlink(path.join(out, 'day1/renamed.png'));
    await waitFor('removed', async () => !(await rec('day1/renamed.png')));
    expect(await events.readAfter(since)).toEqual([expect.objectContaining({ type: 'asset.removed', data: { id: assetIdForPath('day1/renamed.png') } })]);
  });

  it('ignores temp, hidden and lock files, and picks up an editor save done through a temp name', async () => {
    await write('day1/.hidden.png', minimalPng(2, 2));
    await write('day1/upload.png.part', minimalPng(2, 2));
    await write('day1/~lock.png', minimalPng(2, 2));
    await write('day1/.#edit.png', minimalPng(2, 2));
    await write('day1/x.png.tmp', minimalPng(2, 2));
    await write('day1/notes.txt', 'not media');
    await write('day1/saved.png.tmp', minimalPng(3, 3));
    await rename(path.join(out, 'day1/saved.png.tmp'), path.join(out, 'day1/saved.png'));
    await waitFor('saved', () => rec('day1/saved.png'));
    await gallery.flushWatcher();
    const names = (await snapshot()).map((a) => a.fileName);
    expect(names).toEqual(['saved.png']);
  });

  it('indexes a site folder as one site asset, not its images', async () => {
    await write('sites/bakery/preview.png', minimalPng(4, 4));
    await write('sites/bakery/site.json', JSON.stringify({ title: 'Bakery', meta: { provider: 'v0', prompt: 'a bakery page' } }));
    const site = await waitFor('site', () => rec('sites/bakery/site.json'));
    expect(site).toMatchObject({ type: 'site', title: 'Bakery' });
    await waitFor('no preview', async () => !(await rec('sites/bakery/preview.png')));
    // Its manifest arriving last, a folder's earlier images leave the gallery.
    await write('sites/late/shot.png', minimalPng(4, 4));
    await waitFor('image first', () => rec('sites/late/shot.png'));
    await write('sites/late/site.json', '{}');
    await waitFor('site, and its image gone', async () => (await rec('sites/late/site.json')) && !(await rec('sites/late/shot.png')));
  });


  it('drops the records of a folder moved out of OUTPUT_PATH', async () => {
    await write('moving/a.png', minimalPng(2, 2));
    await write('moving/sub/b.png', minimalPng(2, 2));
    await waitFor('indexed', async () => (await rec('moving/a.png')) && (await rec('moving/sub/b.png')));
    await rename(path.join(out, 'moving'), path.join(path.dirname(out), `${path.basename(out)}-moved-away`));
    await waitFor('dropped', async () => !(await rec('moving/a.png')) && !(await rec('moving/sub/b.png')), 10000);
    await rm(path.join(path.dirname(out), `${path.basename(out)}-moved-away`), { recursive: true, force: true });
  });

  it('picks up a folder moved in, with its files', async () => {
    const outside = path.join(path.dirname(out), `${path.basename(out)}-incoming`);
    await mkdir(path.join(outside, 'deeper'), { recursive: true });
    await writeFile(path.join(outside, 'deeper', 'c.png'), minimalPng(2, 2));
    await rename(outside, path.join(out, 'incoming'));
    await waitFor('moved in', () => rec('incoming/deeper/c.png'));
  });
});

/** A rescan of our own, once any rescan the watcher asked for (a folder moved away) has finished. */
async function rescan() {
  return waitFor('the rescan lock', async () => {
    const result = await gallery.rescanNow();
    return result.ran ? result : null;
  });
}

describe('the rescan', () => {
  it('indexes files it finds, re-reads only changed ones, removes records of vanished files', async () => {
    await gallery.flushWatcher();
    const first = await rescan();
    expect(first).toMatchObject({ ran: true, removed: 0 });
    // Write behind the watcher's back: straight into Redis-less state by dropping the records first.
    await write('deep/a/b/c/one.png', comfy('deep one'));
    await write('deep/two.png', comfy('deep two'));
    await gallery.flushWatcher();
    await store.remove(assetIdForPath('deep/a/b/c/one.png'));
    const second = await rescan();
    expect(second.indexed).toBeGreaterThanOrEqual(1);
    expect(await rec('deep/a/b/c/one.png')).toMatchObject({ meta: { prompt: 'deep one' } });
    const unchanged = await rescan();
    expect(unchanged).toMatchObject({ indexed: 0, removed: 0 });
    await utimes(path.join(out, 'deep/two.png'), new Date(), new Date(Date.now() + 5000));
    expect((await rescan()).indexed).toBe(1);
    // A record whose file is gone (the watcher never saw it go).
    await store.put({ ...(await rec('deep/two.png'))!, id: assetIdForPath('gone.png'), relPath: 'gone.png', fileName: 'gone.png' });
    expect((await rescan()).removed).toBe(1);
    expect(await rec('gone.png')).toBeNull();
  });

  it('rebuilds the same index from the files after the whole index is dropped', async () => {
    await gallery.flushWatcher();
    await rescan();
    const before = await snapshot();
    expect(before.length).toBeGreaterThanOrEqual(4);
    await cleanup(redis, config);
    expect((await query.list({ limit: 10 })).total).toBe(0);
    const result = await rescan();
    expect(result.indexed).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
    expect((await query.list({ limit: 10, q: 'deep' })).total).toBe(2);
  });

  it('runs on one instance at a time (the lock)', async () => {
    await rescan(); // nothing else running
    await redis.set(store.keys.gallery.rescanLock, 'someone-else', 'PX', 5000);
    expect((await gallery.rescanNow()).ran).toBe(false);
    await redis.del(store.keys.gallery.rescanLock);
    expect((await rescan()).ran).toBe(true);
  });

  it('skips the trash folder when DATA_PATH lies inside OUTPUT_PATH', async () => {
    await write('trash/x-1/files/old.png', minimalPng(2, 2));
    await rescan();
    expect(await rec('trash/x-1/files/old.png')).toBeNull();
    await rm(path.join(out, 'trash'), { recursive: true, force: true });
  });
});
