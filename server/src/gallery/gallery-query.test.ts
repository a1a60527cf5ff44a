import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { AssetStore, assetIdForPath, assetUrls, type Asset, type AssetType, type Config } from '@orchestrator/shared';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { GalleryQuery, type AssetListQuery } from './gallery-query.js';
import { HttpError } from '../errors.js';

let config: Config;
let redis: Redis;
let store: AssetStore;
let query: GalleryQuery;
const T0 = Date.parse('2030-01-01T00:00:00Z');

function asset(relPath: string, o: { t: number; type?: AssetType; model?: string; prompt?: string; negative?: string; size?: number }): Asset {
  const id = assetIdForPath(relPath);
  const fileName = relPath.split('/').pop()!;
  const meta = { ...(o.model ? { model: o.model } : {}), ...(o.prompt ? { prompt: o.prompt } : {}), ...(o.negative ? { negativePrompt: o.negative } : {}) };
  return { id, type: o.type ?? 'image', fileName, relPath, size: o.size ?? 100, mimeType: 'image/png', createdAt: new Date(T0 + o.t * 1000).toISOString(), ...assetUrls(id), meta };
}

const FIXTURES: Asset[] = [
  asset('ComfyUI_00001_.png', { t: 1, model: 'sdxl', prompt: 'a lighthouse at dusk', size: 500 }),
  asset('ComfyUI_00002_.png', { t: 2, model: 'sdxl', prompt: 'a red fox in the snow', size: 300 }),
  asset('ComfyUI_00010_.png', { t: 3, model: 'flux-dev', prompt: 'Lighthouses of Brittany', negative: 'blurry', size: 900 }),
  asset('b/zebra.png', { t: 4, model: 'flux-dev', prompt: 'zebra crossing, café at night', size: 100 }),
  asset('b/apple.webp', { t: 5, prompt: 'an apple on a table', size: 700 }),
  asset('clips/waves.mp4', { t: 6, type: 'video', model: 'wan2.1', prompt: 'ocean waves at dusk', size: 5000 }),
  asset('clips/Fox-run.webm', { t: 7, type: 'video', model: 'wan2.1', prompt: 'a fox running', size: 4000 }),
  asset('site-a/site.json', { t: 8, type: 'site', prompt: 'bakery landing page', size: 50 }),
];

const ids = (items: Asset[]) => items.map((a) => a.fileName);
const list = (q: Partial<AssetListQuery>) => query.list({ limit: 100, ...q });

beforeAll(async () => {
  ({ config } = await testConfig('gquery'));
  redis = newRedis();
  store = new AssetStore(redis, config.keyPrefix);
  query = new GalleryQuery(redis, config.keyPrefix);
  for (const a of FIXTURES) await store.put(a);
});
afterAll(async () => {
  await cleanup(redis, config);
  redis.disconnect();
});

describe('gallery query: sorts', () => {
  it('lists newest first with the total', async () => {
    const page = await list({});
    expect(page.total).toBe(8);
    expect(ids(page.items)).toEqual(['site.json', 'Fox-run.webm', 'waves.mp4', 'apple.webp', 'zebra.png', 'ComfyUI_00010_.png', 'ComfyUI_00002_.png', 'ComfyUI_00001_.png']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('sorts by date ascending, by size both ways', async () => {
    expect(ids((await list({ order: 'asc' })).items)[0]).toBe('ComfyUI_00001_.png');
    expect((await list({ sort: 'size' })).items.map((a) => a.size)).toEqual([5000, 4000, 900, 700, 500, 300, 100, 50]);
    expect((await list({ sort: 'size', order: 'asc' })).items.map((a) => a.size)).toEqual([50, 100, 300, 500, 700, 900, 4000, 5000]);
  });

  it('sorts by name, case-folded, A→Z by default (sites by their name key)', async () => {
    const names = ids((await list({ sort: 'name', type: 'image' })).items);
    expect(names).toEqual(['apple.webp', 'ComfyUI_00001_.png', 'ComfyUI_00002_.png', 'ComfyUI_00010_.png', 'zebra.png']);
    expect(ids((await list({ sort: 'name', order: 'desc', type: 'video' })).items)).toEqual(['waves.mp4', 'Fox-run.webm']);
  });
});

describe('gallery query: filters and search', () => {
  it('filters by type and by model, and both', async () => {
    expect(ids((await list({ type: 'video' })).items)).toEqual(['Fox-run.webm', 'waves.mp4']);
    expect((await list({ type: 'site' })).total).toBe(1);
    expect(ids((await list({ model: 'sdxl' })).items)).toEqual(['ComfyUI_00002_.png', 'ComfyUI_00001_.png']);
    expect(ids((await list({ model: 'flux-dev', type: 'image', sort: 'size' })).items)).toEqual(['ComfyUI_00010_.png', 'zebra.png']);
    expect((await list({ model: 'nope' })).total).toBe(0);
  });

  it('filters by creation time, inclusive, under any sort', async () => {
    const from = T0 + 2000;
    const to = T0 + 5000;
    expect(ids((await list({ from, to })).items)).toEqual(['apple.webp', 'zebra.png', 'ComfyUI_00010_.png', 'ComfyUI_00002_.png']);
    expect((await list({ from, to, sort: 'size', order: 'asc' })).items.map((a) => a.size)).toEqual([100, 300, 700, 900]);
    expect((await list({ from: T0 + 7000 })).total).toBe(2);
    expect((await list({ to: T0 + 1000, type: 'image' })).total).toBe(1);
  });

  it('searches words of prompt, negative prompt, model and file name; all words must match', async () => {
    expect(ids((await list({ q: 'fox ' })).items)).toEqual(['Fox-run.webm', 'ComfyUI_00002_.png']);
    expect(ids((await list({ q: 'red fox ' })).items)).toEqual(['ComfyUI_00002_.png']);
    expect(ids((await list({ q: 'blurry' })).items)).toEqual(['ComfyUI_00010_.png']);
    expect(ids((await list({ q: 'wan2 ' })).items)).toEqual(['Fox-run.webm', 'waves.mp4']);
    expect(ids((await list({ q: 'zebra png' })).items)).toEqual(['zebra.png']);
    expect((await list({ q: 'fox unicorn' })).total).toBe(0);
  });

  it('matches the last word as a prefix, folds case and accents, ignores stop words', async () => {
    expect(ids((await list({ q: 'light' })).items)).toEqual(['ComfyUI_00010_.png', 'ComfyUI_00001_.png']);
    expect(ids((await list({ q: 'light ' })).items)).toEqual([]);
    expect(ids((await list({ q: 'CAFE' })).items)).toEqual(['zebra.png']);
    expect(ids((await list({ q: 'the dusk' })).items)).toEqual(['waves.mp4', 'ComfyUI_00001_.png']);
    expect(ids((await list({ q: 'dusk', type: 'image' })).items)).toEqual(['ComfyUI_00001_.png']);
    expect(ids((await list({ q: 'lighth', sort: 'size', order: 'asc' })).items)).toEqual(['ComfyUI_00001_.png', 'ComfyUI_00010_.png']);
  });

  it('counts assets per model', async () => {
    expect(await query.models()).toEqual([
      { model: 'flux-dev', count: 2 },
      { model: 'sdxl', count: 2 },
      { model: 'wan2.1', count: 2 },
    ]);
  });
});

describe('gallery query: pages', () => {
  it('walks every page by cursor without repeats, also for filtered and sorted views', async () => {
    for (const q of [{}, { sort: 'name' as const }, { sort: 'size' as const, order: 'asc' as const }, { q: 'a' }, { type: 'image' as const, sort: 'name' as const }]) {
      const all = (await list(q)).items.map((a) => a.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ ...q, limit: 3, cursor });
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, JSON.stringify(q)).toEqual(all);
    }
  });

  it('gives random access by offset that agrees with the full list', async () => {
    const all = (await list({ sort: 'size' })).items.map((a) => a.id);
    for (let offset = 0; offset <= 8; offset += 3) {
      const page = await list({ sort: 'size', offset, limit: 3 });
      expect(page.items.map((a) => a.id)).toEqual(all.slice(offset, offset + 3));
      expect(page.total).toBe(8);
    }
    const dated = await list({ from: T0 + 2000, to: T0 + 5000, offset: 1, limit: 2 });
    expect(ids(dated.items)).toEqual(['zebra.png', 'ComfyUI_00010_.png']);
    expect((await list({ offset: 100 })).items).toEqual([]);
  });

  it('refuses a cursor made for another view', async () => {
    const page = await list({ limit: 2 });
    await expect(list({ limit: 2, sort: 'size', cursor: page.nextCursor })).rejects.toBeInstanceOf(HttpError);
    await expect(list({ cursor: 'bm9wZQ' })).rejects.toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
  });
});

describe('gallery query: changes', () => {
  it('keeps newest-first pages stable while new assets arrive between fetches', async () => {
    const first = await list({ limit: 3 });
    await store.put(asset('new/one.png', { t: 100, prompt: 'brand new' }));
    await store.put(asset('new/two.png', { t: 101, prompt: 'brand new too' }));
    const rest: Asset[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list({ limit: 3, cursor });
      rest.push(...page.items);
      cursor = page.nextCursor;
    }
    expect([...ids(first.items), ...ids(rest)]).toEqual(ids((await list({})).items).slice(2));
    expect(ids((await list({ limit: 2 })).items)).toEqual(['two.png', 'one.png']);
  });

  it('reflects a change at once in a cached filtered view (the generation check)', async () => {
    expect((await list({ q: 'brand', sort: 'size' })).total).toBe(2);
    await store.remove(assetIdForPath('new/one.png'));
    expect(ids((await list({ q: 'brand', sort: 'size' })).items)).toEqual(['two.png']);
    await store.put({ ...asset('new/two.png', { t: 101, prompt: 'renamed idea', model: 'sdxl' }) });
    expect((await list({ q: 'brand', sort: 'size' })).total).toBe(0);
    expect((await list({ q: 'renamed', model: 'sdxl' })).total).toBe(1);
    expect((await query.models()).find((m) => m.model === 'sdxl')?.count).toBe(3);
    await store.remove(assetIdForPath('new/two.png'));
    expect((await query.models()).find((m) => m.model === 'sdxl')?.count).toBe(2);
    expect(await redis.exists(store.keys.gallery.postingBits('w:renamed'), store.keys.gallery.postingSet('w:renamed'))).toBe(0);
    expect((await list({ q: 'renamed ' })).total).toBe(0);
    expect(await redis.zscore(store.keys.gallery.words, 'renamed')).toBeNull();
  });

  it('keeps the exact name order through many inserts, including ones that force a relabel', async () => {
    const names: string[] = [];
    // Each name sorts just before the previous one and after "n": the gap halves every time.
    for (let i = 40; i >= 1; i--) names.push(`n${'0'.repeat(i)}.png`);
    for (const n of ['n.png', 'o.png', 'm.png']) names.push(n);
    for (const [i, n] of names.entries()) await store.put(asset(`names/${n}`, { t: 200 + i, type: 'video' }));
    const got = ids((await list({ sort: 'name', type: 'video' })).items).filter((n) => names.includes(n));
    expect(got).toEqual([...names].sort());
    for (const n of names) await store.remove(assetIdForPath(`names/${n}`));
  });

  it('keeps the exact name order for random inserts and for a counter inserting into one gap', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const random = Array.from({ length: 300 }, (_, i) => `r${Math.floor(rand() * 1e6).toString(36)}-${i}.png`);
    const counter = Array.from({ length: 300 }, (_, i) => `q_${String(i).padStart(5, '0')}_.png`); // between "p…" and "r…"
    const all = [...random, ...counter];
    await Promise.all(all.map((n, i) => store.put(asset(`many/${n}`, { t: 400 + i, type: 'video' }))));
    const got: string[] = [];
    for (let offset = 0; offset < all.length + 2; offset += 200) got.push(...ids((await list({ sort: 'name', type: 'video', limit: 200, offset })).items));
    const sorted = [...all, 'Fox-run.webm', 'waves.mp4'].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(got).toEqual(sorted);
    await Promise.all(all.map((n) => store.remove(assetIdForPath(`many/${n}`))));
  });
});
