import type { Redis } from 'ioredis';
import type { Job } from './jobs.js';
import type { Asset } from './assets.js';
import type { AppEvent, EventType, NewEvent } from './events.js';
import { EVENT_STREAM_MAXLEN, redisKeys, type RedisKeys } from './keys.js';
import { LuaScript } from './lua-script.js';
import { putIndexedAsset, removeIndexedAsset, writeIndexedAsset, writeIndexedAssets, type PutOptions, type PutOutcome } from './gallery-index.js';
import { decodeAssetRecord } from './gallery-record.js';

/*
 * Job records and the event stream, shared by server and worker. The Redis client is injected, so
 * this module holds the key layout and the atomic update rules, and the caller owns the connection.
 */

// Stores a new job, indexes it by creation time and appends its `job.queued` event, atomically.
const CREATE_JOB_LUA = LuaScript.fromFile(new URL('../lua/jobs/create-job.lua', import.meta.url), { sendWhole: true });

// Stores the new job and appends its event, unless the stored job is already final. Sent by its SHA:
// workers run it for every progress step.
const UPDATE_JOB_LUA = LuaScript.fromFile(new URL('../lua/jobs/update-job.lua', import.meta.url));

export type UpdateResult = { ok: true; job: Job; eventId: string } | { ok: false; reason: 'missing' | 'final' };

export function encodeEvent(type: EventType, data: unknown, at = new Date()): string {
  return JSON.stringify({ type, at: at.toISOString(), data });
}

/** encodeEvent for data already serialised (the same string, without stringifying the data twice). */
function encodeEventJson(type: EventType, dataJson: string, at = new Date()): string {
  return `{"type":"${type}","at":"${at.toISOString()}","data":${dataJson}}`;
}

export function decodeEvent(id: string, fields: string[]): AppEvent | null {
  const idx = fields.indexOf('e');
  const raw = idx >= 0 ? fields[idx + 1] : undefined;
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as Omit<AppEvent, 'id'>;
    return { id, ...parsed } as AppEvent;
  } catch {
    return null;
  }
}

export class EventLog {
  readonly keys: RedisKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  async append(event: NewEvent): Promise<string> {
    const id = await this.redis.xadd(
      this.keys.events,
      'MAXLEN',
      '~',
      EVENT_STREAM_MAXLEN,
      '*',
      'e',
      encodeEvent(event.type, event.data),
    );
    return id ?? '';
  }

  /** Events strictly after `sinceId` (oldest first), at most `count`. */
  async readAfter(sinceId: string, count = 1000): Promise<AppEvent[]> {
    const rows = await this.redis.xrange(this.keys.events, `(${sinceId}`, '+', 'COUNT', count);
    return rows.map(([id, fields]) => decodeEvent(id, fields)).filter((e): e is AppEvent => e !== null);
  }

  /** The id of the newest event, or `0-0` for an empty stream. */
  async lastId(): Promise<string> {
    const rows = await this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    return rows[0]?.[0] ?? '0-0';
  }

  /** Oldest id still in the stream (a client asking for older ids has missed some events). */
  async firstId(): Promise<string | null> {
    const rows = await this.redis.xrange(this.keys.events, '-', '+', 'COUNT', 1);
    return rows[0]?.[0] ?? null;
  }

  /**
   * Blocks on the stream and calls `onEvents` for every batch after `fromId` until `signal` aborts.
   * `blocking` must be a connection of its own: XREAD BLOCK holds it. While `idle()` says nobody is
   * listening, batches only move the position on (they are not decoded).
   */
  async tail(
    blocking: Redis,
    fromId: string,
    onEvents: (events: AppEvent[]) => void,
    signal: AbortSignal,
    idle: () => boolean = () => false,
  ): Promise<void> {
    let last = fromId;
    while (!signal.aborted) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await blocking.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.keys.events, last)) as
          | [string, [string, string[]][]][]
          | null;
      } catch (err) {
        if (signal.aborted) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (!res) continue;
      const entries = res[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      last = entries[entries.length - 1]![0];
      if (idle()) continue;
      const events = entries.map(([id, f]) => decodeEvent(id, f)).filter((e): e is AppEvent => e !== null);
      if (events.length > 0) onEvents(events);
    }
  }
}

export class JobStore {
  readonly keys: RedisKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  /**
   * Stores a new job and appends `job.queued`; returns the event id. The script travels whole (EVAL,
   * not EVALSHA with a retry on NOSCRIPT): the server enqueues right behind it on the same connection,
   * and a retried create would reach Redis after the job, which a worker could then take without a record.
   */
  async create(job: Job): Promise<string> {
    const json = JSON.stringify(job);
    const id = (await CREATE_JOB_LUA.run(
      this.redis,
      3,
      this.keys.job(job.id),
      this.keys.jobsByTime,
      this.keys.events,
      json,
      Date.parse(job.createdAt),
      job.id,
      encodeEventJson('job.queued', json),
      EVENT_STREAM_MAXLEN,
    )) as string | null;
    return id ?? '';
  }

  async get(id: string): Promise<Job | null> {
    const raw = await this.redis.get(this.keys.job(id));
    return raw ? (JSON.parse(raw) as Job) : null;
  }

  async getMany(ids: string[]): Promise<Job[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.job(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Job);
  }

  /**
   * Applies `change` to the stored job and appends one event of `type` carrying the new job, atomically
   * refusing when the stored job is already final.
   */
  async update(id: string, type: EventType, change: (job: Job) => Job): Promise<UpdateResult> {
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'missing' };
    return this.replace(type, change(current));
  }

  /**
   * Stores `next` as the job and appends one event of `type` carrying it, atomically refusing when the
   * stored job is missing or already final. For a writer that knows the stored job without reading it
   * (the worker holding the job: every other writer only ever writes final states).
   */
  async replace(type: EventType, next: Job): Promise<UpdateResult> {
    const json = JSON.stringify(next);
    const res = (await UPDATE_JOB_LUA.run(
      this.redis,
      2,
      this.keys.job(next.id),
      this.keys.events,
      json,
      encodeEventJson(type, json),
      EVENT_STREAM_MAXLEN,
    )) as string | number;
    if (res === 0) return { ok: false, reason: 'missing' };
    if (res === 1) return { ok: false, reason: 'final' };
    return { ok: true, job: next, eventId: String(res) };
  }

  /** Job ids newest first with creation time (ms) at or before `maxScore`, skipping `offset` of them. */
  async listIds(maxScore: number | null, offset: number, limit: number): Promise<{ id: string; score: number }[]> {
    const max = maxScore === null ? '+inf' : String(maxScore);
    const flat = await this.redis.zrevrangebyscore(this.keys.jobsByTime, max, '-inf', 'WITHSCORES', 'LIMIT', offset, limit);
    const out: { id: string; score: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    return out;
  }
}

/** The gallery index: one record per asset plus its secondary indexes (gallery-index.ts). Rebuildable from the files. */
export class AssetStore {
  readonly keys: RedisKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  /**
   * Stores (or replaces) the whole record with every gallery index entry, in one script
   * (gallery-index.ts): `asset.added` for a new asset, `asset.updated` for a changed one, nothing when
   * the same content is there already. Refuses (AssetRecordError) anything that is not a whole Asset.
   */
  put(asset: Asset, opts: PutOptions = {}): Promise<PutOutcome> {
    return putIndexedAsset(this.redis, this.keys, asset, opts);
  }

  /** put(), also saying which index slot the asset has (the rescan tracks what it has seen by slot). */
  write(asset: Asset, opts: PutOptions = {}): Promise<{ outcome: PutOutcome; slot: number }> {
    return writeIndexedAsset(this.redis, this.keys, asset, opts);
  }

  /** write() for a batch, in one pipeline; each result is the outcome or the put's error. */
  writeMany(items: { asset: Asset; opts?: PutOptions }[]): Promise<({ outcome: PutOutcome; slot: number } | Error)[]> {
    return writeIndexedAssets(this.redis, this.keys, items);
  }

  /** The record, or null when there is none (or what is stored is not a whole Asset). */
  async get(id: string): Promise<Asset | null> {
    return decodeAssetRecord(id, await this.redis.get(this.keys.asset(id)));
  }

  async getMany(ids: string[]): Promise<Asset[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.asset(id)));
    return raws.map((raw, i) => decodeAssetRecord(ids[i]!, raw)).filter((a): a is Asset => a !== null);
  }

  /** Removes the record and its index entries; appends `asset.removed` when there was one. */
  async remove(id: string): Promise<boolean> {
    return removeIndexedAsset(this.redis, this.keys, id);
  }
}
