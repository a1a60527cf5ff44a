/*
 * Gallery pages answered from the index, never by scanning records: a sort order is a sorted set of
 * slots (time, size) or of names, each filter and search word a posting list of slots, and a page of
 * a filtered view is read from the order through the filters' bitmap, or from a view built from it.
 * See query-script.ts for the Redis side, shared/src/gallery-index.ts for the layout.
 *
 * Consistency: a cached filter bitmap or view (`gallery:x:q:<hash>`) is tagged with the index
 * generation it was built at; every put/remove bumps the generation, so the next request after a
 * change rebuilds it and a page never shows a stale view. Cached keys expire 30 s after their last use.
 * A page is two round trips: the script (ids, total, cursor), then the records (MGET); a record removed
 * in between is left out of the page. Every key the script touches is passed to it (Redis Cluster).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AssetStore, decodeAssetRecord, idsOfSlots, parseRecordHead, postingKeys, redisKeys, searchTerms, type Asset, type AssetType, type RedisKeys } from '@orchestrator/shared';
import { decodeGalleryCursor, encodeGalleryCursor } from './gallery-cursor.js';
import { GALLERY_QUERY_SCRIPT, VIEW_FILL_SCRIPT } from './query-script.js';
import { ZSET_PAGE_SCRIPT } from './zset-page-script.js';

export const GALLERY_SORTS = ['date', 'name', 'size'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface AssetListQuery {
  limit: number;
  cursor?: string | undefined;
  offset?: number | undefined;
  type?: AssetType | undefined;
  model?: string | undefined;
  /** Only what this user's jobs made. */
  owner?: string | undefined;
  /** Creation time bounds, ms, inclusive. */
  from?: number | undefined;
  to?: number | undefined;
  q?: string | undefined;
  sort?: GallerySort | undefined;
  order?: SortOrder | undefined;
}

export interface AssetListPage {
  items: Asset[];
  nextCursor?: string;
  total: number;
}

export interface IdPage {
  ids: string[];
  total: number;
  nextCursor?: string;
}

/** A search prefix matching more words than this is looked up as a whole word instead. */
export const MAX_PREFIX_WORDS = 200;
const VIEW_TTL_MS = 30_000;
/**
 * Reads of the order a filtered page may take before its view is built instead (query-script.ts): at
 * about 0.3 µs each in Lua, a page of a filter matching 1 asset in 200 (20,000 reads) stays near 6 ms.
 */
const WALK_MAX = 20_000;
/** Tries at a page while the index changes under it (each write between two steps starts it again). */
const QUERY_ROUNDS = 3;
/** Bytes of a record's start read for its name key (the header; a name key is at most 200 characters). */
const HEAD_BYTES = 1100;

type QueryReply = [number | string, ...(string | number)[]];

/** The natural direction of each sort: newest, largest first; names A→Z. */
export function defaultOrder(sort: GallerySort): SortOrder {
  return sort === 'name' ? 'asc' : 'desc';
}

export class GalleryQuery {
  private readonly keys: RedisKeys;
  private readonly store: AssetStore;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    /** Tests lower it to take the view route where production would walk. */
    private readonly walkMax = WALK_MAX,
    /** Tests turn it off to take the route a page falls back on when the index keeps changing (name views built in Lua from the whole order). */
    private readonly nameViews = true,
  ) {
    this.keys = redisKeys(keyPrefix);
    this.store = new AssetStore(redis, keyPrefix);
  }

  async list(q: AssetListQuery): Promise<AssetListPage> {
    const sort = q.sort ?? 'date';
    const order = q.order ?? defaultOrder(sort);
    const filters: string[] = [];
    if (q.type) filters.push(`t:${q.type}`);
    if (q.model) filters.push(`m:${q.model}`);
    if (q.owner) filters.push(`o:${q.owner}`);
    const terms = q.q ? searchTerms(q.q) : { exact: [] as string[] };
    for (const w of terms.exact) filters.push(`w:${w}`);
    filters.sort();
    const prefix = terms.prefix ?? '';
    const lo = q.from !== undefined ? String(q.from) : '-inf';
    const hi = q.to !== undefined ? String(q.to) : '+inf';

    // What is filtered (F: the bitmap), and the view (F under this order and date range). Their hashes
    // name the cached bitmap and view, and tie cursors to the view.
    const fhash = createHash('sha1').update(JSON.stringify({ filters, prefix })).digest('hex');
    const vhash = createHash('sha1').update(JSON.stringify({ fhash, sort, lo, hi })).digest('hex');
    const viewTag = createHash('sha1').update(`${vhash}|${order}`).digest('hex').slice(0, 8);
    const cursor = q.cursor ? decodeGalleryCursor(q.cursor, viewTag) : null;
    const g = this.keys.gallery;
    const base = sort === 'date' ? this.keys.assetsByTime : sort === 'size' ? g.bySize : g.names;
    const filterKeys = filters.flatMap((name, i) => [g.query(`${fhash}:${i + 1}`), ...postingKeys(g.index, name)]);
    const fixed = [g.generation, g.slotIds, this.keys.assetsByTime, base, g.query(fhash), g.queryGen(fhash), g.query(`${vhash}:v`), g.queryGen(`${vhash}:v`), g.query(`${fhash}:u`)];
    const spec = {
      sort,
      order,
      filters,
      hasPrefix: prefix !== '',
      words: [] as string[],
      gen: '',
      retry: true,
      nameRoute: true,
      lo,
      hi,
      ttl: VIEW_TTL_MS,
      // Absent rather than null: cjson turns null into a value Lua cannot test as false.
      ...(cursor ? { cursor: 'member' in cursor ? { member: cursor.member } : { score: cursor.score, skip: cursor.skip } } : {}),
      offset: q.offset ?? -1,
      limit: q.limit,
      walkMax: this.walkMax,
    };
    let res: QueryReply | undefined;
    for (let round = 0; round <= QUERY_ROUNDS; round++) {
      const last = round >= QUERY_ROUNDS;
      spec.retry = !last;
      spec.nameRoute = !last && this.nameViews;
      let wordKeys: string[] = [];
      if (prefix) {
        // The search prefix's words, read with the generation they belong to (the script caches what it
        // builds from them only at that generation).
        const [[, gen], [, words]] = ((await this.redis.multi().get(g.generation).zrangebylex(g.words, `[${prefix}`, Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]), 'LIMIT', 0, MAX_PREFIX_WORDS + 1).exec()) ?? []) as [
          [Error | null, string | null],
          [Error | null, string[]],
        ];
        spec.gen = gen ?? '0';
        spec.words = words.length > MAX_PREFIX_WORDS || (words.length === 0 && /^\d+$/.test(prefix)) ? [prefix] : words;
        wordKeys = spec.words.flatMap((w) => postingKeys(g.index, `w:${w}`));
      }
      const keys = [...fixed, ...filterKeys, ...wordKeys];
      res = (await GALLERY_QUERY_SCRIPT.run(this.redis, keys.length, ...keys, JSON.stringify(spec))) as QueryReply;
      if (res[0] === 'g') continue;
      if (res[0] !== 'n') break;
      // Rare matches under name order: their name keys are in their records' headers.
      await this.fillNameView(res.slice(1) as (string | number)[], g.query(`${vhash}:v`), g.queryGen(`${vhash}:v`));
    }
    // The last try neither asks again nor hands a name view over: this is a page.
    if (!res || res[0] === 'g' || res[0] === 'n') throw new Error('gallery query: no page after every try');
    const [total, kind, c1, c2] = res as [number, string, string, string | number, ...string[]];
    const ids = res.slice(4) as string[];
    const raws = ids.length > 0 ? await this.redis.mget(...ids.map((id) => this.keys.asset(id))) : [];
    const items: Asset[] = [];
    raws.forEach((raw, i) => {
      const asset = decodeAssetRecord(ids[i]!, raw);
      if (asset) items.push(asset);
    });
    const page: AssetListPage = { items, total: Number(total) };
    if (kind === 's') page.nextCursor = encodeGalleryCursor({ score: Number(c1), skip: Number(c2), view: viewTag });
    if (kind === 'm') page.nextCursor = encodeGalleryCursor({ member: c1, view: viewTag });
    return page;
  }

  /**
   * Builds a name-ordered view from the slots and ids the query script handed over ([gen, slot, id, …]):
   * reads each record's name key and stores the view if the index is still at `gen` (else the next try
   * of the page finds no view and asks again).
   */
  private async fillNameView(reply: (string | number)[], vkey: string, vmark: string): Promise<void> {
    const gen = String(reply[0]);
    const slots: number[] = [];
    const ids: string[] = [];
    for (let i = 1; i + 1 < reply.length; i += 2) {
      slots.push(Number(reply[i]));
      ids.push(String(reply[i + 1]));
    }
    const members: string[] = [];
    for (let at = 0; at < ids.length; at += 1000) {
      const pipe = this.redis.pipeline();
      for (const id of ids.slice(at, at + 1000)) pipe.getrange(this.keys.asset(id), 0, HEAD_BYTES - 1);
      const heads = (await pipe.exec()) ?? [];
      heads.forEach(([err, raw], k) => {
        const head = err || typeof raw !== 'string' ? null : parseRecordHead(raw);
        if (head && head.slot === slots[at + k]) members.push(`${head.nameKey}\0${head.slot}`);
      });
    }
    await VIEW_FILL_SCRIPT.run(this.redis, 3, vkey, vmark, this.keys.gallery.generation, gen, VIEW_TTL_MS, ...members);
  }

  /** Ids of one newest-first page of a plain time-scored set of ids (the trash), by cursor or offset. */
  async rangeOf(src: string, q: { limit: number; cursor?: string | undefined; offset?: number | undefined }, viewTag: string): Promise<IdPage> {
    const cursor = q.cursor ? decodeGalleryCursor(q.cursor, viewTag) : null;
    const score = cursor && 'score' in cursor ? cursor : null;
    const spec = { a: score ? String(score.score) : '+inf', skip: score?.skip ?? 0, offset: q.offset ?? -1, limit: q.limit };
    const res = (await ZSET_PAGE_SCRIPT.run(this.redis, 1, src, JSON.stringify(spec))) as [number, string, number, ...string[]];
    const [total, nextScore, nextSkip] = res;
    const ids: string[] = [];
    for (let i = 3; i < res.length; i += 2) ids.push(res[i] as string);
    const page: IdPage = { ids, total: Number(total) };
    if (nextScore !== '') page.nextCursor = encodeGalleryCursor({ score: Number(nextScore), skip: Number(nextSkip), view: viewTag });
    return page;
  }

  /** Model names with how many assets use each, by name. */
  async models(): Promise<{ model: string; count: number }[]> {
    const flat = await this.redis.zrange(this.keys.gallery.models, 0, -1, 'WITHSCORES');
    const out: { model: string; count: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const count = Number(flat[i + 1]);
      if (count > 0) out.push({ model: flat[i]!, count });
    }
    return out.sort((x, y) => x.model.localeCompare(y.model, 'en', { sensitivity: 'base' }));
  }

  /**
   * The asset of a file name: the file directly under OUTPUT_PATH first, else the newest one indexed
   * with that name (found through the name order, whose members start with the lowercased name).
   */
  async idForFileName(fileName: string, directId: string): Promise<string | null> {
    if ((await this.redis.exists(this.keys.asset(directId))) === 1) return directId;
    const key = fileName.toLowerCase().replaceAll('\0', '');
    if (key.length > 200) return null;
    const members = await this.redis.zrangebylex(this.keys.gallery.names, `[${key}\0`, `[${key}\0\xff`, 'LIMIT', 0, 50);
    const slots = members.map((m) => Number(m.slice(m.lastIndexOf('\0') + 1)));
    const ids = (await idsOfSlots(this.redis, this.keys, slots)).filter((id) => id !== '');
    let best: Asset | null = null;
    for (const asset of await this.store.getMany(ids)) {
      if (asset.fileName === fileName && asset.type !== 'site' && (!best || asset.createdAt > best.createdAt)) best = asset;
    }
    return best?.id ?? null;
  }
}
