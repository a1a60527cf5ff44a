import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { assetIdForPath, type Config, type TrashEmptied } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { minimalPng } from '../testing/gallery-fixtures.js';

/*
 * Emptying a big trash in batches (DELETE /api/assets/trash?limit=), as the page does to show
 * "Deleting N of M…": each batch is bounded, the cutoff of the first batch holds for the rest, and the
 * state between batches (a tab closed mid-way) is whole: every item is either in the trash or gone.
 */
const COUNT = 420;

let app: FastifyInstance;
let config: Config;
let out: string;
let redis: Redis;
const rels = Array.from({ length: COUNT }, (_, i) => `many/${String(i).padStart(4, '0')}.png`);
const ids = rels.map((rel) => assetIdForPath(rel));

const trashTotal = async () => (await app.inject({ url: '/api/assets/trash?limit=1' })).json<{ total: number }>().total;
const trashFolders = async () => (await readdir(path.join(config.dataPath, 'trash'))).filter((d) => /^[0-9a-f]{16}-\d+$/.test(d));
const emptyBatch = async (query: string) => {
  const res = await app.inject({ method: 'DELETE', url: `/api/assets/trash${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<TrashEmptied>();
};

beforeAll(async () => {
  ({ config, outputPath: out } = await testConfig('trash-empty'));
  redis = newRedis();
  await mkdir(path.join(out, 'many'), { recursive: true });
  const png = minimalPng(4, 4);
  await Promise.all(rels.map((rel) => writeFile(path.join(out, rel), png)));
  app = await buildServer(config, { logger: false, gallery: { watch: false } });
  await app.gallery.ready;
  for (let i = 0; i < ids.length; i += 200) {
    const res = await app.inject({ method: 'POST', url: '/api/assets/delete', payload: { ids: ids.slice(i, i + 200) } });
    expect(res.statusCode, res.body).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await cleanup(redis, config, out);
  redis.disconnect();
});

describe('emptying a big trash in batches', () => {
  it(`deletes ${COUNT} trashed items 100 at a time, consistent between batches, keeping what was trashed after the cutoff`, async () => {
    expect(await trashTotal()).toBe(COUNT);
    expect(await trashFolders()).toHaveLength(COUNT);

    const first = await emptyBatch('?limit=100');
    expect(first).toMatchObject({ purged: 100, done: false });
    expect(typeof first.before).toBe('number');

    // Stopped here (the page closed): what is left is whole — as many records as folders, each listed item restorable.
    expect(await trashTotal()).toBe(COUNT - 100);
    expect(await trashFolders()).toHaveLength(COUNT - 100);
    const page = (await app.inject({ url: '/api/assets/trash?limit=5' })).json<{ items: Array<{ id: string }> }>();
    const folders = new Set((await trashFolders()).map((d) => d.slice(0, 16)));
    for (const item of page.items) expect(folders.has(item.id)).toBe(true);

    // Something trashed after the cutoff stays, however many batches follow.
    await mkdir(path.join(out, 'later'), { recursive: true });
    await writeFile(path.join(out, 'later/late.png'), minimalPng(4, 4));
    await app.gallery.indexer.syncPath('later/late.png', { force: true });
    const late = assetIdForPath('later/late.png');
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the cutoff
    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${late}` })).statusCode).toBe(200);

    let purged = first.purged;
    let batches = 1;
    for (let last = first; !last.done; batches++) {
      last = await emptyBatch(`?limit=100&before=${first.before}`);
      expect(last.purged).toBeLessThanOrEqual(100);
      expect(last.before).toBe(first.before);
      purged += last.purged;
      expect(await trashTotal()).toBe(COUNT + 1 - purged);
    }
    expect(purged).toBe(COUNT);
    expect(batches).toBe(5); // 100 × 4, then 20 and done
    const left = (await app.inject({ url: '/api/assets/trash' })).json<{ items: Array<{ id: string }> }>().items.map((i) => i.id);
    expect(left).toEqual([late]);
    expect(await trashFolders()).toHaveLength(1);

    // Without a limit: everything at once, as before.
    expect(await emptyBatch('')).toEqual({ purged: 1 });
    expect(await emptyBatch('?limit=100')).toMatchObject({ purged: 0, done: true });
  }, 120_000);

  it('answers 400 for a bad batch size or cutoff', async () => {
    for (const q of ['?limit=0', '?limit=5000', '?limit=x', '?before=-1', '?surprise=1']) {
      const res = await app.inject({ method: 'DELETE', url: `/api/assets/trash${q}` });
      expect(res.statusCode, q).toBe(400);
    }
  });
});
