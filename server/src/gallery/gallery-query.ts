/*
 * Gallery pages answered from the indexes, never by scanning records: a sort order is a ZSET (time,
 * size, name label), each filter is a ZSET (per type, model, owner, search word), and a page of a filtered
 * view is a range of their intersection. See query-script.ts for the Redis side.
 *
 * Consistency: a materialised view (`gallery:q:<hash>`) is tagged with the index generation it was
 * built at; every put/remove bumps the generation, so the next request after a change rebuilds it
 * and a page never shows a stale view. The key expires 30 s after its last use. Unfiltered views and
 * single-filter views in date order read the index directly.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseAssetRecord, redisKeys, searchTerms, type Asset, type AssetType, type RedisKeys } from '@orchestrator/shared';
import { decodeGalleryCursor, encodeGalleryCursor } from './gallery-cursor.js';
import { QUERY_SCRIPT } from './query-script.js';

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

/** The natural direction of each sort: newest, largest first; names A→Z. */
export function defaultOrder(sort: GallerySort): SortOrder {
  return sort === 'name' ? 'asc' : 'desc';
}

export class GalleryQuery {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = redisKeys(keyPrefix);
  }

  async list(q: AssetListQuery): Promise<AssetListPage> {
    const sort = q.sort ?? 'date';
    const order = q.order ?? defaultOrder(sort);
    const g = this.keys.gallery;
    const base = sort === 'date' ? this.keys.assetsByTime : sort === 'size' ? g.bySize : g.byName;
    const sets: string[] = [];
    if (q.type) sets.push(g.byType(q.type));
    if (q.model) sets.push(g.byModel(q.model));
    if (q.owner) sets.push(g.byOwner(q.owner));
    const terms = q.q ? searchTerms(q.q) : { exact: [] as string[] };
    for (const w of terms.exact) sets.push(g.byWord(w));
    const prefix = terms.prefix ?? '';
    const dated = q.from !== undefined || q.to !== undefined;
    const lo = sort === 'date' && q.from !== undefined ? String(q.from) : '-inf';
    const hi = sort === 'date' && q.to !== undefined ? String(q.to) : '+inf';

    // The view: what is intersected. Its hash names the cached result and ties cursors to it.
    const view = {
      base: sort === 'date' ? '' : base,
      sets: [...sets].sort(),
      prefix,
      from: sort !== 'date' && dated ? String(q.from ?? '-inf') : '',
      to: sort !== 'date' && dated ? String(q.to ?? '+inf') : '',
    };
    const hash = createHash('sha1').update(JSON.stringify(view)).digest('hex');
    const viewTag = createHash('sha1').update(`${hash}|${sort}|${order}|${lo}|${hi}`).digest('hex').slice(0, 8);
    let src = '';
    if (!prefix && sets.length === 0 && view.from === '') src = base;
    else if (sort === 'date' && !prefix && sets.length === 1) src = sets[0]!;

    const cursor = q.cursor ? decodeGalleryCursor(q.cursor, viewTag) : null;
    const desc = order === 'desc';
    let a = desc ? hi : lo;
    if (cursor) {
      const bound = desc ? (hi === '+inf' ? Infinity : Number(hi)) : lo === '-inf' ? -Infinity : Number(lo);
      a = String(desc ? Math.min(bound, cursor.score) : Math.max(bound, cursor.score));
    }
    const spec = {
      src,
      dest: src === '' ? g.query(hash) : '',
      mark: g.queryGen(hash),
      gen: g.generation,
      ttl: VIEW_TTL_MS,
      ...view,
      dict: g.words,
      wordKey: g.byWord(''),
      time: this.keys.assetsByTime,
      maxExpand: MAX_PREFIX_WORDS,
      order,
      lo,
      hi,
      a,
      skip: cursor?.skip ?? 0,
      offset: q.offset ?? -1,
      limit: q.limit,
    };
    const { ids, total, nextCursor } = await this.run(spec, viewTag);
    const page: AssetListPage = { items: await this.records(ids), total };
    if (nextCursor) page.nextCursor = nextCursor;
    return page;
  }

  /** Ids of one newest-first page of a plain time-scored set (the trash), by cursor or offset. */
  rangeOf(src: string, q: { limit: number; cursor?: string | undefined; offset?: number | undefined }, viewTag: string): Promise<IdPage> {
    const cursor = q.cursor ? decodeGalleryCursor(q.cursor, viewTag) : null;
    const spec = { src, dest: '', order: 'desc', lo: '-inf', hi: '+inf', a: cursor ? String(cursor.score) : '+inf', skip: cursor?.skip ?? 0, offset: q.offset ?? -1, limit: q.limit };
    return this.run(spec, viewTag);
  }

  private async run(spec: object, viewTag: string): Promise<IdPage> {
    const res = (await QUERY_SCRIPT.run(this.redis, 0, JSON.stringify(spec))) as [number, string, number, ...string[]];
    const [total, nextScore, nextSkip] = res;
    const ids: string[] = [];
    for (let i = 3; i < res.length; i += 2) ids.push(res[i] as string);
    const page: IdPage = { ids, total: Number(total) };
    if (nextScore !== '') page.nextCursor = encodeGalleryCursor({ score: Number(nextScore), skip: Number(nextSkip), view: viewTag });
    return page;
  }

  /**
   * Records in the order of `ids`; an id whose record vanished meanwhile is left out, and so is one
   * that is not a whole Asset (an older writer's): one bad record must not fail the page with a 500.
   */
  async records(ids: string[]): Promise<Asset[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.asset(id)));
    const out: Asset[] = [];
    for (const raw of raws) {
      const asset = parseAssetRecord(raw);
      if (asset) out.push(asset);
    }
    return out;
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

  /** The asset of a file name: the file directly under OUTPUT_PATH first, else the last one indexed with that name. */
  async idForFileName(fileName: string, directId: string): Promise<string | null> {
    const [direct, byName] = await Promise.all([this.redis.exists(this.keys.asset(directId)), this.redis.hget(this.keys.gallery.fileNames, fileName)]);
    return direct === 1 ? directId : byName;
  }
}
