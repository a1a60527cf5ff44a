/*
 * The gallery index at a scale where every form of it is in use: posting lists packed in buckets, in
 * SETs and moved up to bitmaps; pages read by walking an order and from built views; slots freed and
 * handed out again. Every page is compared with the same view worked out in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { AssetStore, SET_MAX, assetIdForPath, assetUrls, type Asset, type AssetType, type Config } from '@orchestrator/shared';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { GalleryQuery, defaultOrder, type AssetListQuery } from './gallery-query.js';

let config: Config;
let redis: Redis;
let store: AssetStore;
const T0 = Date.parse('2031-01-01T00:00:00Z');
const COUNT = SET_MAX + 400;
const MODELS = ['alpha.safetensors', 'beta.safetensors', 'gamma.safetensors'];

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function make(i: number, rand: () => number, words: string[]): Asset {
  const relPath = `s${i % 7}/Pic_${Math.floor(rand() * 1e6).toString(36)}_${i}.png`;
  const id = assetIdForPath(relPath);
  const type: AssetType = i % 11 === 0 ? 'video' : 'image';
  return {
    id,
    type,
    fileName: relPath.split('/').pop()!,
    relPath,
    size: 100 + Math.floor(rand() * 50) * 10, // many equal sizes: cursors must be exact among ties
    mimeType: 'image/png',
    createdAt: new Date(T0 + Math.floor(i / 3) * 1000).toISOString(), // three assets per second
    ...assetUrls(id),
    meta: { model: MODELS[i % 3]!, prompt: words.join(' ') },
  };
}

function wordsOf(i: number): string[] {
  const w = ['common'];
  if (i % 25 === 0) w.push('middling'); // ~100: a SET
  if (i % 400 === 0) w.push('scarce'); // a few: packed in a bucket
  if (i % 2 === 0) w.push('evenly'); // past 512: a SET that is no longer an intset
  w.push(`uniq${i}`);
  return w;
}

let assets: Asset[] = [];

beforeAll(async () => {
  ({ config } = await testConfig('gscale'));
  redis = newRedis();
  store = new AssetStore(redis, config.keyPrefix);
  const rand = rng(11);
  assets = Array.from({ length: COUNT }, (_, i) => make(i, rand, wordsOf(i)));
  for (let i = 0; i < assets.length; i += 200) {
    const res = await store.writeMany(assets.slice(i, i + 200).map((asset) => ({ asset, opts: { event: false } })));
    expect(res.filter((r) => r instanceof Error)).toEqual([]);
  }
}, 60_000);
afterAll(async () => {
  await cleanup(redis, config);
  redis.disconnect();
});

/** The view in memory: filter, then sort as the index does (ties by slot, which follow insertion here only loosely, so compare as sorted groups). */
function expected(q: Partial<AssetListQuery>): Asset[] {
  const words = (a: Asset) => new Set(`${a.meta.prompt ?? ''} ${a.fileName.replace(/[^a-z0-9]+/gi, ' ')} ${a.meta.model?.replace(/[^a-z0-9]+/gi, ' ') ?? ''}`.toLowerCase().split(/\s+/));
  let out = assets.filter((a) => {
    const t = Date.parse(a.createdAt);
    if (q.type && a.type !== q.type) return false;
    if (q.model && a.meta.model !== q.model) return false;
    if (q.from !== undefined && t < q.from) return false;
    if (q.to !== undefined && t > q.to) return false;
    if (q.q) {
      const w = words(a);
      const terms = q.q.trim().split(/\s+/);
      const last = q.q.endsWith(' ') ? null : terms.pop()!;
      if (!terms.every((x) => w.has(x))) return false;
      if (last !== null && ![...w].some((x) => x.startsWith(last))) return false;
    }
    return true;
  });
  const sort = q.sort ?? 'date';
  const key = (a: Asset): number | string => (sort === 'date' ? Date.parse(a.createdAt) : sort === 'size' ? a.size : a.fileName.toLowerCase());
  out = [...out].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  if ((q.order ?? defaultOrder(sort)) === 'desc') out.reverse();
  return out;
}

/** The sort key of each item in order: two lists of the same view agree on it even where ties are ordered differently. */
const keysOf = (items: Asset[], sort: string) => items.map((a) => (sort === 'date' ? a.createdAt : sort === 'size' ? a.size : a.fileName.toLowerCase()));

async function walkAll(query: GalleryQuery, q: Partial<AssetListQuery>, limit: number): Promise<{ items: Asset[]; total: number }> {
  const items: Asset[] = [];
  let cursor: string | undefined;
  let total = -1;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await query.list({ limit, ...q, ...(cursor ? { cursor } : {}) });
    total = page.total;
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { items, total };
}

const VIEWS: Partial<AssetListQuery>[] = [
  {},
  { type: 'video' },
  { type: 'image' },
  { q: 'common evenly ' },
  { model: MODELS[1] },
  { q: 'evenly ' },
  { q: 'middling ' },
  { q: 'scarce ' },
  { q: 'evenly middl' },
  { q: 'uniq12' },
  { q: 'middling', type: 'image', model: MODELS[0] },
  { from: T0 + 100_000, to: T0 + 400_000 },
  { from: T0 + 100_000, to: T0 + 600_000, q: 'evenly ' },
];

describe('gallery index at scale', () => {
  it('keeps each posting list in the form its length calls for', async () => {
    const g = store.keys.gallery;
    expect(await redis.type(g.postingBits('w:common'))).toBe('string'); // every asset: a bitmap
    expect(await redis.type(g.postingBits('t:image'))).toBe('string');
    expect(await redis.scard(g.postingSet('w:evenly'))).toBe(COUNT / 2);
    expect(await redis.scard(g.postingSet('w:middling'))).toBe(Math.ceil(COUNT / 25));
    expect(await redis.exists(g.postingSet('w:scarce'), g.postingBits('w:scarce'), g.postingSet('w:uniq7'), g.postingBits('w:uniq7'))).toBe(0);
    expect((await new GalleryQuery(redis, config.keyPrefix).list({ limit: 10, q: 'scarce ' })).total).toBe(Math.ceil(COUNT / 400));
  });

  const runs = [
    ...[20_000, 50].flatMap((walkMax) => (['date', 'size', 'name'] as const).map((sort) => ({ walkMax, sort, nameViews: true }))),
    { walkMax: 50, sort: 'name' as const, nameViews: false }, // the fallback: name views built from the whole order
  ];
  for (const { walkMax, sort, nameViews } of runs) {
    it(`pages every view by cursor and by offset, each item once, in order (sort ${sort}, walk budget ${walkMax}${nameViews ? '' : ', name views in Lua'})`, async () => {
      const query = new GalleryQuery(redis, config.keyPrefix, walkMax, nameViews);
      for (const view of VIEWS) {
        for (const order of ['asc', 'desc'] as const) {
          const q = { ...view, sort, order };
          const want = expected(q);
          const got = await walkAll(query, q, 97);
          const label = JSON.stringify(q);
          expect(got.total, label).toBe(want.length);
          expect(new Set(got.items.map((a) => a.id)).size, label).toBe(got.items.length);
          expect(keysOf(got.items, sort), label).toEqual(keysOf(want, sort));
          expect(new Set(got.items.map((a) => a.id)), label).toEqual(new Set(want.map((a) => a.id)));
          const all = got.items.map((a) => a.id);
          for (const offset of [0, 150, Math.max(0, want.length - 40)]) {
            const page = await query.list({ limit: 50, offset, ...q });
            expect(page.items.map((a) => a.id), `${label} offset ${offset}`).toEqual(all.slice(offset, offset + 50));
          }
        }
      }
    }, 60_000);
  }

  it('keeps lists in every form consistent through removals, slot reuse and changed words', async () => {
    const query = new GalleryQuery(redis, config.keyPrefix);
    const gone = assets.filter((_, i) => i % 5 === 1);
    for (const a of gone) expect(await store.remove(a.id)).toBe(true);
    assets = assets.filter((_, i) => i % 5 !== 1);
    // New assets take the freed slots; none may inherit a posting of the asset that had its slot.
    const rand = rng(99);
    const fresh = Array.from({ length: gone.length }, (_, k) => make(COUNT + k, rand, ['newcomer', `uniq${COUNT + k}`]));
    await store.writeMany(fresh.map((asset) => ({ asset })));
    assets.push(...fresh);
    // Changed words: the old ones leave, the new ones count.
    const changed = assets.slice(0, 300).map((a) => ({ ...a, meta: { ...a.meta, prompt: 'repainted common' } }));
    for (const a of changed) expect(await store.put(a)).toBe('updated');
    assets = [...changed, ...assets.slice(300)];
    for (const view of [...VIEWS, { q: 'newcomer ' }, { q: 'repainted ' }]) {
      for (const sort of ['date', 'size', 'name'] as const) {
        const q = { ...view, sort };
        const want = expected(q);
        const got = await walkAll(query, q, 500);
        expect(got.total, JSON.stringify(q)).toBe(want.length);
        expect(new Set(got.items.map((a) => a.id)), JSON.stringify(q)).toEqual(new Set(want.map((a) => a.id)));
      }
    }
    expect((await query.models()).reduce((n, m) => n + m.count, 0)).toBe(assets.length);
  }, 60_000);
});
