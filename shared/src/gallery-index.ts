/*
 * The gallery index (layout 2), kept in step with the asset records by two Lua scripts (put and
 * remove), so every writer — the worker finishing a job, the server's watcher and rescan, a delete,
 * trash and restore — changes a record and all of its index entries atomically, in one command.
 *
 * Sized for a million assets on one small Redis (≈1 KB of Redis memory per asset, see DESIGN.md):
 *
 * - Each asset has a slot, a small integer handed out by the put script (freed slots are reused). Its
 *   record is one STRING (gallery-record.ts: a header with slot, content hash, file signature and name
 *   key, then the asset as compact JSON); `ids` maps a slot back to its id (16 characters per slot).
 * - Orders are sorted sets of slots: `time` (creation time, ms), `size` (bytes), and `names` (members
 *   `<lowercased name>\0<slot>`, all scores 0: lexicographic order, exact for any name).
 * - Filters and search are posting lists of slots per type, model, owner and word, each a bitmap, a
 *   SET or a packed bucket entry by its length (gallery-postings.ts); `words` is the dictionary of
 *   search words (prefix search) and `models` counts assets per model.
 *
 * What an asset's postings are is not stored: it follows from the record (indexTerms). A writer reads
 * the record, works out the postings to drop and to add, and the script applies them only if the
 * record's content hash is still the one the writer read (else the writer reads again): a compare-
 * and-set, which keeps the per-asset `terms` of layout 1 (40% of its memory) out of Redis. A change
 * to indexTerms or the tokenizer changes what a record's postings are: it needs a new layout (the
 * server rebuilds the index from the files when it finds an older one, gallery-layout.ts).
 *
 * Every key a script touches is declared (KEYS): the fixed ones of the index and, for each posting list
 * the put or remove changes, its bucket, SET and bitmap keys (postingKeys). No script builds a key name,
 * so the index runs on Redis Cluster once the prefix carries a hash tag.
 *
 * Records are whole: a put refuses anything the shared Asset schema does not accept, and the record is
 * one SET inside the script, so a reader (GET /api/assets) sees all of a record or none of it.
 *
 * Events: one `asset.added` when a record first appears, `asset.updated` when what a client would
 * show changes, nothing when the same asset is seen again. The same file is put several times as a
 * matter of course (the worker's put before job.completed, then the watcher's read of the file and of
 * its sidecar, a rescan); each put carries a hash of the record's content, and a put whose hash matches
 * the stored one changes no index and appends no event.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Asset } from './assets.js';
import { decodeAssetRecord, encodeRecordBody, parseRecordHead } from './gallery-record.js';
import { HEADS_LUA, PUT_KEYS, PUT_LUA, REMOVE_KEYS, REMOVE_LUA } from './gallery-index-scripts.js';
import { postingKeys } from './gallery-postings.js';
import { assetWords } from './gallery-words.js';
import { EVENT_STREAM_MAXLEN, type RedisKeys } from './keys.js';
import { checked } from './validate.js';

/** Longest name prefix the name order looks at. */
const MAX_NAME_KEY = 200;
const ID_RE = /^[0-9a-f]{16}$/;
/** Compare-and-set rounds before a put or remove gives up (each lost round means another writer won). */
const MAX_ROUNDS = 20;

/** What the index holds about one asset besides its record, all derived from the record. */
export interface IndexTerms {
  /** Posting lists the asset is in: `t:<type>`, `m:<model>`, `o:<owner>`, `w:<word>`. */
  postings: string[];
  /** Lowercased name (a site's title, else the file name) the name order sorts by. */
  nameKey: string;
  /** contentHash of the record. */
  hash: string;
}

export function indexTerms(asset: Asset): IndexTerms {
  const name = (asset.title && asset.type === 'site' ? asset.title : asset.fileName).toLowerCase().replaceAll('\0', '').slice(0, MAX_NAME_KEY);
  const postings = [`t:${asset.type}`];
  if (asset.meta.model) postings.push(`m:${asset.meta.model}`);
  if (asset.owner) postings.push(`o:${asset.owner}`);
  for (const w of assetWords(asset)) postings.push(`w:${w}`);
  return { postings, nameKey: name, hash: contentHash(asset) };
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

// Written with plain loops: the rescan hashes thousands of records a second.
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonical(value[i]);
    return `${out}]`;
  }
  const o = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * What a client would see of the record, as a short hash: key order does not count, nor `mtimeMs`
 * (the indexer's bookkeeping: a copy or a touch of an unchanged file is not a change).
 */
export function contentHash(asset: Asset): string {
  const { mtimeMs: _mtime, ...content } = withMetaDimensions(asset);
  return createHash('sha1').update(canonical(content)).digest('hex').slice(0, 16);
}

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

const wholeAsset = checked(Asset);

export interface PutOptions {
  /** Append `asset.added` / `asset.updated` (default true). The rescan turns it off past a number of changes. */
  event?: boolean;
  /** The file signature the indexer compares on its next pass ('' makes it re-read the file). */
  signature?: string;
  /** The stored record as the caller already read it (null: none); saves a read when still current. */
  previous?: string | null;
}

function removedEventJson(id: string): string {
  return `{"type":"asset.removed","at":"${new Date().toISOString()}","data":${JSON.stringify({ id })}}`;
}

/** What a put did: stored a new record, changed one, or found the same content already there. */
export type PutOutcome = 'added' | 'updated' | 'unchanged';
const PUT_OUTCOMES: readonly PutOutcome[] = ['unchanged', 'added', 'updated'];

/** The postings of a stored record (none when it cannot be read: an older or broken writer's). */
function storedPostings(id: string, raw: string): string[] {
  const asset = decodeAssetRecord(id, raw);
  return asset ? indexTerms(asset).postings : [];
}

/** `a` minus `b`. */
function without(a: string[], b: string[]): string[] {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
}

/** The keys of the posting lists `names`, three each (bucket, SET, bitmap), as the scripts take them. */
function listKeys(keys: RedisKeys, names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) out.push(...postingKeys(keys.gallery.index, n));
  return out;
}

function checkWhole(asset: Asset): void {
  if (!wholeAsset.check(asset)) throw new AssetRecordError(String((asset as { id?: unknown }).id ?? '?'), wholeAsset.errors(asset, 3));
  if (!ID_RE.test(asset.id)) throw new AssetRecordError(asset.id, [{ path: '/id', message: 'must be 16 lowercase hex characters (assetIdForPath)' }]);
}

/** A put ready to send: what is fixed by the asset, and the arguments once the stored record is known. */
class PreparedPut {
  readonly terms: IndexTerms;
  private readonly body: string;
  private readonly json: string;
  private readonly time: number;
  readonly key: string;

  constructor(
    private readonly keys: RedisKeys,
    readonly asset: Asset,
    private readonly opts: PutOptions,
  ) {
    this.terms = indexTerms(asset);
    this.body = encodeRecordBody(asset);
    this.json = opts.event === false ? '' : JSON.stringify(asset);
    this.key = keys.asset(asset.id);
    const t = Date.parse(asset.createdAt);
    this.time = Number.isFinite(t) ? t : 0;
  }

  /** The script's key count and arguments (KEYS then ARGV) given the stored record as read (null: none). */
  args(previous: string | null): { numKeys: number; args: (string | number)[] } {
    const head = parseRecordHead(previous);
    let add = this.terms.postings;
    let drop: string[] = [];
    if (head && previous !== null) {
      if (head.hash === this.terms.hash) add = [];
      else {
        const before = storedPostings(this.asset.id, previous);
        add = without(this.terms.postings, before);
        drop = without(before, this.terms.postings);
      }
    }
    const g = this.keys.gallery;
    const lists = [...drop, ...add];
    const keys = [this.key, this.keys.events, g.freeSlots, g.slotCount, g.slotIds, this.keys.assetsByTime, g.bySize, g.names, g.generation, g.words, g.models];
    const args = [
      ...keys,
      ...listKeys(this.keys, lists),
      this.asset.id,
      head?.hash ?? '',
      this.terms.hash,
      this.opts.signature ?? '',
      this.terms.nameKey,
      this.body,
      this.time,
      Math.max(0, Math.floor(this.asset.size) || 0),
      this.opts.event === false ? '' : new Date().toISOString(),
      this.json,
      EVENT_STREAM_MAXLEN,
      drop.length,
      ...lists,
    ];
    return { numKeys: PUT_KEYS + 3 * lists.length, args };
  }
}

type PutReply = [number, number];

function outcomeOf(res: PutReply): { outcome: PutOutcome; slot: number } {
  return { outcome: PUT_OUTCOMES[res[0]] ?? 'updated', slot: Number(res[1]) };
}

async function sendPut(redis: Redis, put: PreparedPut, previous: string | null | undefined): Promise<{ outcome: PutOutcome; slot: number }> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (previous === undefined) previous = await redis.get(put.key);
    const { numKeys, args } = put.args(previous);
    const res = (await PUT_LUA.run(redis, numKeys, ...args)) as PutReply;
    if (res[0] >= 0) return outcomeOf(res);
    previous = undefined; // another writer changed the record since it was read
  }
  throw new Error(`Asset ${put.asset.id}: the record kept changing while it was being stored; try again`);
}

/**
 * Stores (or replaces) the whole record and every index entry, and appends `asset.added` (new) or
 * `asset.updated` (changed); one script. The same content again changes nothing. Throws
 * AssetRecordError for anything that is not a whole Asset. Also says which slot the asset has.
 */
export async function writeIndexedAsset(redis: Redis, keys: RedisKeys, asset: Asset, opts: PutOptions = {}): Promise<{ outcome: PutOutcome; slot: number }> {
  checkWhole(asset);
  return sendPut(redis, new PreparedPut(keys, asset, opts), opts.previous);
}

/**
 * writeIndexedAsset for a batch, the scripts sent in one pipeline (one write to the socket instead of
 * one per asset: at thousands of files a second the syscalls cost more than the rest). Each result is
 * the put's outcome or its error; a put that lost a race with another writer is retried on its own.
 */
export async function writeIndexedAssets(redis: Redis, keys: RedisKeys, items: { asset: Asset; opts?: PutOptions }[]): Promise<({ outcome: PutOutcome; slot: number } | Error)[]> {
  const out: ({ outcome: PutOutcome; slot: number } | Error)[] = new Array(items.length);
  const ready: { i: number; put: PreparedPut }[] = [];
  items.forEach(({ asset, opts = {} }, i) => {
    try {
      checkWhole(asset);
      ready.push({ i, put: new PreparedPut(keys, asset, opts) });
    } catch (err) {
      out[i] = err as Error;
    }
  });
  const unread = ready.filter(({ i }) => items[i]!.opts?.previous === undefined);
  const read = unread.length > 0 ? await redis.mget(...unread.map((r) => r.put.key)) : [];
  const previous = new Map(unread.map((r, k) => [r.i, read[k] ?? null]));
  const replies = await PUT_LUA.runMany(
    redis,
    ready.map(({ i, put }) => put.args(previous.has(i) ? previous.get(i)! : (items[i]!.opts?.previous ?? null))),
  );
  await Promise.all(
    ready.map(async ({ i, put }, k) => {
      const res = replies[k];
      if (res instanceof Error) out[i] = res;
      else if ((res as PutReply)[0] >= 0) out[i] = outcomeOf(res as PutReply);
      else out[i] = await sendPut(redis, put, undefined).catch((err: unknown) => err as Error);
    }),
  );
  return out;
}

/** writeIndexedAsset, for callers that do not need the slot. */
export async function putIndexedAsset(redis: Redis, keys: RedisKeys, asset: Asset, opts: PutOptions = {}): Promise<PutOutcome> {
  return (await writeIndexedAsset(redis, keys, asset, opts)).outcome;
}

/** Removes the record and its index entries; appends `asset.removed` when there was a record. */
export async function removeIndexedAsset(redis: Redis, keys: RedisKeys, id: string): Promise<boolean> {
  const key = keys.asset(id);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const previous = await redis.get(key);
    if (previous === null) return false;
    const head = parseRecordHead(previous);
    const g = keys.gallery;
    const lists = storedPostings(id, previous);
    const fixed = [key, keys.events, g.freeSlots, keys.assetsByTime, g.bySize, g.names, g.generation, g.words, g.models];
    const res = await REMOVE_LUA.run(redis, REMOVE_KEYS + 3 * lists.length, ...fixed, ...listKeys(keys, lists), head?.hash ?? '', removedEventJson(id), EVENT_STREAM_MAXLEN, ...lists);
    if (Number(res) >= 0) return Number(res) === 1;
  }
  throw new Error(`Asset ${id}: the record kept changing while it was being removed; try again`);
}

/** Slot, content hash and file signature of the stored records of `ids` (null where there is none). */
export async function indexedHeads(redis: Redis, keys: RedisKeys, ids: string[]): Promise<({ slot: number; hash: string; signature: string } | null)[]> {
  if (ids.length === 0) return [];
  const raws = (await HEADS_LUA.run(redis, ids.length, ...ids.map((id) => keys.asset(id)))) as (string | null)[];
  return raws.map((raw) => {
    if (!raw) return null;
    const parts = raw.split('\0', 3);
    const slot = Number(parts[0]);
    return parts.length === 3 && Number.isInteger(slot) ? { slot, hash: parts[1]!, signature: parts[2]! } : null;
  });
}

/** The ids of `slots` ('' where a slot holds none). */
export async function idsOfSlots(redis: Redis, keys: RedisKeys, slots: number[]): Promise<string[]> {
  if (slots.length === 0) return [];
  const pipe = redis.pipeline();
  for (const s of slots) pipe.getrange(keys.gallery.slotIds, s * 16, s * 16 + 15);
  const res = (await pipe.exec()) ?? [];
  return res.map(([err, v]) => (err || typeof v !== 'string' ? '' : v));
}
