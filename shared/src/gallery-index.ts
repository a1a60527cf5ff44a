/*
 * The gallery's secondary indexes, kept in step with the asset records by two Lua scripts (put and
 * remove), so every writer — the worker finishing a job, the server's watcher and rescan, a delete —
 * changes a record and all of its index entries atomically, in one command on the wire.
 *
 * Per asset: the JSON record, its place in the time / size / name orders, one ZSET (id → time) per
 * type, model, owner and search word, a lexicographic dictionary of the words (prefix search), a count per
 * model, its file signature (rescan) and a `terms` record listing the entries so they can be undone.
 *
 * Name order: ZINTERSTORE needs numeric scores, and a name does not fit exactly in a double. So names
 * are kept in lexicographic order in `names` (members `name\0id`, score 0) and each id gets an order
 * label in `byName`: the midpoint of its neighbours' labels (an order-maintenance list; a name past the
 * end gets the last label + STEP). When two neighbours leave no room, the labels of a window of names
 * around the new one are spread out again, the window growing until there is room (amortised cheap:
 * a counter in file names, ComfyUI_00042_.png, keeps inserting into the same gap).
 *
 * The scripts build the per-type/model/word key names from the gallery prefix they are given, which
 * is fine on one Redis (not a cluster).
 *
 * Records are whole: a put refuses anything the shared Asset schema does not accept, and the record is
 * one SET inside the script, so a reader (GET /api/assets) sees all of a record or none of it.
 *
 * Events: one `asset.added` when a record first appears, `asset.updated` when what a client would
 * show changes, nothing when the same asset is seen again. The same file is put several times as a
 * matter of course (the worker's put before job.completed, then the watcher's read of the file and of
 * its sidecar, a rescan); each put carries a hash of the record's content (`terms.h`), and a put whose
 * hash matches the stored one changes no index and appends no event.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Asset } from './assets.js';
import { assetWords } from './gallery-words.js';
import { EVENT_STREAM_MAXLEN, type RedisKeys } from './keys.js';
import { LuaScript } from './lua-script.js';
import { checked } from './validate.js';

/** Longest name prefix the name order looks at. */
const MAX_NAME_KEY = 200;

/** What the index holds about one asset besides its record; stored as the `terms` JSON. */
export interface AssetTerms {
  t: string;
  m: string;
  /** Owner ('' none); absent in terms written before owners were indexed. */
  o?: string;
  w: string[];
  n: string;
  f: string;
  /** contentHash of the record. */
  h: string;
}

export function assetTerms(asset: Asset): AssetTerms {
  const id = asset.id;
  const name = (asset.title && asset.type === 'site' ? asset.title : asset.fileName).toLowerCase().slice(0, MAX_NAME_KEY);
  return { t: asset.type, m: asset.meta.model ?? '', o: asset.owner ?? '', w: assetWords(asset), n: `${name}\0${id}`, f: asset.fileName, h: contentHash(asset) };
}

/**
 * The pixel size a record states: the file's own (read from its header), else the size its generation
 * metadata asked for. One rule for the gallery reader and the content hash, so the worker's record
 * (metadata only) and the reader's (header) of the same output hash alike.
 */
export function withMetaDimensions(asset: Asset): Asset {
  if (asset.width !== undefined || asset.meta.width === undefined || asset.meta.height === undefined) return asset;
  return { ...asset, width: asset.meta.width, height: asset.meta.height };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What a client would see of the record, as a short hash: key order does not count, nor `mtimeMs`
 * (the indexer's bookkeeping: a copy or a touch of an unchanged file is not a change).
 */
export function contentHash(asset: Asset): string {
  const { mtimeMs: _mtime, ...content } = withMetaDimensions(asset);
  return createHash('sha1').update(canonical(content)).digest('hex').slice(0, 16);
}

const wholeAsset = checked(Asset);

/** A put of something that is not a whole Asset: it is refused rather than stored half-made. */
export class AssetRecordError extends Error {
  override readonly name = 'AssetRecordError';
  constructor(
    readonly assetId: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`Asset ${assetId} is not a whole record (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}); it was not stored`);
  }
}

/** A stored record's JSON as an Asset, or null when it is not one (written by an older or broken writer). */
export function parseAssetRecord(raw: string | null): Asset | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return wholeAsset.check(value) ? value : null;
  } catch {
    return null;
  }
}

// Shared by both scripts: undo the index entries listed in `old` (and the name entry unless kept).
const DROP_TERMS_LUA = `
local function dropTerms(G, id, old, keepName)
  redis.call('ZREM', G..'type:'..old.t, id)
  if old.m ~= '' then
    redis.call('ZREM', G..'model:'..old.m, id)
    if tonumber(redis.call('ZINCRBY', G..'models', -1, old.m)) <= 0 then redis.call('ZREM', G..'models', old.m) end
  end
  if old.o and old.o ~= '' then redis.call('ZREM', G..'owner:'..old.o, id) end
  local gone = {}
  for _, w in ipairs(old.w) do
    local k = G..'word:'..w
    redis.call('ZREM', k, id)
    if redis.call('EXISTS', k) == 0 then gone[#gone + 1] = w end
  end
  if #gone > 0 then redis.call('ZREM', G..'words', unpack(gone)) end
  if not keepName then
    redis.call('ZREM', G..'names', old.n)
    redis.call('ZREM', G..'name', id)
  end
  if redis.call('HGET', G..'fname', old.f) == id then redis.call('HDEL', G..'fname', old.f) end
end
`;

// KEYS: record, time zset, events. ARGV: json, id, time, size, signature, terms json, event time ('' = no event), maxlen, G.
// The event is built here from the record's JSON, so the record travels once. Returns 0 when the same
// content was stored already, 1 for a new record, 2 for a changed one.
const PUT_LUA = new LuaScript(`${DROP_TERMS_LUA}
local MAX = 9007199254740992
local STEP = 16777216
local MIN_SPACING = 1024
local function fmt(x) return string.format('%.0f', x) end
local G, id, t = ARGV[9], ARGV[2], ARGV[3]
local function labelOf(member)
  return tonumber(redis.call('ZSCORE', G..'name', string.sub(member, -16)))
end
-- Spreads the labels of a window of names around member evenly between the labels just outside it,
-- growing the window until they leave at least MIN_SPACING per name (a local relabel; the whole list
-- only in the worst case).
local function relabel(member)
  local w = 32
  while true do
    local before = redis.call('ZREVRANGEBYLEX', G..'names', '('..member, '-', 'LIMIT', 0, w + 1)
    local after = redis.call('ZRANGEBYLEX', G..'names', '('..member, '+', 'LIMIT', 0, w + 1)
    local lo, hi, left, right = 0, MAX, #before, #after
    if left > w then left = w; lo = labelOf(before[w + 1]) end
    if right > w then right = w; hi = labelOf(after[w + 1]) end
    local whole = left == #before and right == #after
    if lo and hi then
      local spacing = math.floor((hi - lo) / (left + right + 2))
      if spacing >= MIN_SPACING or whole then
        local k = 1
        for j = left, 1, -1 do redis.call('ZADD', G..'name', fmt(lo + k * spacing), string.sub(before[j], -16)); k = k + 1 end
        redis.call('ZADD', G..'name', fmt(lo + k * spacing), id)
        k = k + 1
        for j = 1, right do redis.call('ZADD', G..'name', fmt(lo + k * spacing), string.sub(after[j], -16)); k = k + 1 end
        return
      end
    end
    w = w * 4
  end
end
local function label(member)
  local prev = redis.call('ZREVRANGEBYLEX', G..'names', '('..member, '-', 'LIMIT', 0, 1)[1]
  local nxt = redis.call('ZRANGEBYLEX', G..'names', '('..member, '+', 'LIMIT', 0, 1)[1]
  local lo = prev and labelOf(prev) or 0
  local hi = nxt and labelOf(nxt) or MAX
  if hi - lo < 2 then return relabel(member) end
  local at = lo + math.floor((hi - lo) / 2)
  if prev and not nxt then at = lo + math.min(STEP, math.floor((hi - lo) / 2)) end
  if nxt and not prev then at = hi - math.min(STEP, math.floor((hi - lo) / 2)) end
  redis.call('ZADD', G..'name', fmt(at), id)
end
local new = cjson.decode(ARGV[6])
local oldRaw = redis.call('GET', G..'terms:'..id)
local old = oldRaw and cjson.decode(oldRaw)
local existed = redis.call('EXISTS', KEYS[1]) == 1
if existed and old and old.h == new.h then
  -- The same asset seen again: no index entry moves and clients hear nothing. A record read from the
  -- file (it comes with a signature) replaces a producer's, which lacks the file's own facts.
  if ARGV[5] ~= '' then
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('HSET', G..'sig', id, ARGV[5])
  end
  return 0
end
local keepName = old and old.n == new.n and redis.call('ZSCORE', G..'name', id)
if old then dropTerms(G, id, old, keepName) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], t, id)
redis.call('ZADD', G..'size', ARGV[4], id)
redis.call('ZADD', G..'type:'..new.t, t, id)
if new.m ~= '' then
  redis.call('ZADD', G..'model:'..new.m, t, id)
  redis.call('ZINCRBY', G..'models', 1, new.m)
end
if new.o ~= '' then redis.call('ZADD', G..'owner:'..new.o, t, id) end
if #new.w > 0 then
  local dict = {}
  for _, w in ipairs(new.w) do
    redis.call('ZADD', G..'word:'..w, t, id)
    dict[#dict + 1] = 0
    dict[#dict + 1] = w
  end
  redis.call('ZADD', G..'words', unpack(dict))
end
if not keepName then
  redis.call('ZADD', G..'names', 0, new.n)
  label(new.n)
end
redis.call('HSET', G..'sig', id, ARGV[5])
redis.call('HSET', G..'fname', new.f, id)
redis.call('SET', G..'terms:'..id, ARGV[6])
redis.call('INCR', G..'gen')
if ARGV[7] ~= '' then
  local kind = existed and 'asset.updated' or 'asset.added'
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', 'e', '{"type":"'..kind..'","at":"'..ARGV[7]..'","data":'..ARGV[1]..'}')
end
if existed then return 2 end
return 1
`);

// KEYS: record, time zset, events. ARGV: id, event json, maxlen, G. Returns 1 when a record was removed.
const REMOVE_LUA = new LuaScript(`${DROP_TERMS_LUA}
local G, id = ARGV[4], ARGV[1]
local oldRaw = redis.call('GET', G..'terms:'..id)
if oldRaw then dropTerms(G, id, cjson.decode(oldRaw), false) end
redis.call('DEL', G..'terms:'..id)
redis.call('ZREM', G..'size', id)
redis.call('ZREM', G..'name', id)
redis.call('HDEL', G..'sig', id)
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], id)
redis.call('INCR', G..'gen')
if existed == 1 then redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2]) end
return existed
`);

export interface PutOptions {
  /** Append `asset.added` / `asset.updated` (default true). The rescan turns it off past a number of changes. */
  event?: boolean;
  /** The file signature the indexer compares on its next pass ('' makes it re-read the file). */
  signature?: string;
}

function removedEventJson(id: string): string {
  return `{"type":"asset.removed","at":"${new Date().toISOString()}","data":${JSON.stringify({ id })}}`;
}

/** What a put did: stored a new record, changed one, or found the same content already there. */
export type PutOutcome = 'added' | 'updated' | 'unchanged';
const PUT_OUTCOMES: readonly PutOutcome[] = ['unchanged', 'added', 'updated'];

/**
 * Stores (or replaces) the whole record and every index entry, and appends `asset.added` (new) or
 * `asset.updated` (changed); one script. The same content again changes nothing. Throws
 * AssetRecordError for anything that is not a whole Asset.
 */
export async function putIndexedAsset(redis: Redis, keys: RedisKeys, asset: Asset, opts: PutOptions = {}): Promise<PutOutcome> {
  if (!wholeAsset.check(asset)) throw new AssetRecordError(String((asset as { id?: unknown }).id ?? '?'), wholeAsset.errors(asset, 3));
  const json = JSON.stringify(asset);
  const time = Date.parse(asset.createdAt);
  const res = await PUT_LUA.run(
    redis,
    3,
    keys.asset(asset.id),
    keys.assetsByTime,
    keys.events,
    json,
    asset.id,
    Number.isFinite(time) ? time : 0,
    Math.max(0, Math.floor(asset.size) || 0),
    opts.signature ?? '',
    JSON.stringify(assetTerms(asset)),
    opts.event === false ? '' : new Date().toISOString(),
    EVENT_STREAM_MAXLEN,
    keys.gallery.prefix,
  );
  return PUT_OUTCOMES[Number(res)] ?? 'updated';
}

/** Removes the record and its index entries; appends `asset.removed` when there was a record. */
export async function removeIndexedAsset(redis: Redis, keys: RedisKeys, id: string): Promise<boolean> {
  const res = await REMOVE_LUA.run(
    redis,
    3,
    keys.asset(id),
    keys.assetsByTime,
    keys.events,
    id,
    removedEventJson(id),
    EVENT_STREAM_MAXLEN,
    keys.gallery.prefix,
  );
  return Number(res) === 1;
}
