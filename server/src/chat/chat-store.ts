import type { Redis } from 'ioredis';
import {
  CHAT_DEFAULT_TITLE,
  EVENT_STREAM_MAXLEN,
  LuaScript,
  encodeEvent,
  redisKeys,
  type ChatEventData,
  type ChatKeys,
  type ChatMessage,
  type ChatTarget,
  type ChatThread,
} from '@orchestrator/shared';
import type { ScoredSource } from '../pagination.js';

/*
 * Chat threads and messages in Redis (key layout: shared/src/keys.ts `chat`). Per thread: a record
 * (title, owner, when deleted), a state hash (the message and job counters, the target, what the last
 * command queued), its messages in a hash by sequence number, capped, and its jobs by number. Every
 * new message and every thread change appends its `chat.message` event in the same script or
 * transaction as the change, so a second tab (or a client resuming its event stream) sees exactly
 * what was stored.
 */

/** The stored record; the rest of a ChatThread comes from the state hash. */
interface ThreadRecord {
  id: string;
  title: string;
  createdAt: string;
  owner?: string;
  deletedAt?: string;
}

/** What the last command that queued jobs left behind, and the site the thread is working on. */
export interface ThreadState {
  seq: number;
  first: number;
  jobs: number;
  updatedAt: string;
  titled: boolean;
  target?: ChatTarget;
  lastBatch: string[];
  /** The last v0 job of the thread (plain text follows up on its site). */
  site?: { jobId: string };
}

export type NewMessage = Omit<ChatMessage, 'seq'>;

// Appends one message: next sequence number, stored, the oldest dropped past the cap, the thread moved
// to the top of its lists, and the event, atomically (KEYS and ARGV: lua/chat/append.lua).
const APPEND_LUA = LuaScript.fromFile(new URL('../../lua/chat/append.lua', import.meta.url));

// Numbers new jobs #n, #n+1… in the thread and remembers them as its last batch.
const NUMBER_JOBS_LUA = LuaScript.fromFile(new URL('../../lua/chat/number-jobs.lua', import.meta.url));

const ownerIndex = (keys: ChatKeys, owner: string | undefined) => (owner ? keys.byOwner(owner) : keys.threads);

function parseJson<T>(raw: string | null | undefined): T | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

export class ChatStore {
  readonly keys: ChatKeys;
  private readonly events: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxMessages: number,
  ) {
    const all = redisKeys(prefix);
    this.keys = all.chat;
    this.events = all.events;
  }

  private eventJson(data: ChatEventData): string {
    return encodeEvent('chat.message', data);
  }

  async create(record: ThreadRecord): Promise<ChatThread> {
    const ms = Date.parse(record.createdAt);
    const thread = this.view(record, { seq: 0, first: 1, jobs: 0, updatedAt: record.createdAt, titled: record.title !== CHAT_DEFAULT_TITLE, lastBatch: [] });
    const multi = this.redis
      .multi()
      .set(this.keys.thread(record.id), JSON.stringify(record))
      .hset(this.keys.state(record.id), { seq: 0, first: 1, jobs: 0, updatedAt: record.createdAt, titled: thread.title !== CHAT_DEFAULT_TITLE ? '1' : '0' })
      .zadd(this.keys.threads, ms, record.id);
    if (record.owner) multi.zadd(this.keys.byOwner(record.owner), ms, record.id);
    multi.xadd(this.events, 'MAXLEN', '~', EVENT_STREAM_MAXLEN, '*', 'e', this.eventJson({ kind: 'thread', thread }));
    await multi.exec();
    return thread;
  }

  async get(id: string): Promise<ChatThread | null> {
    const [raw, state] = await Promise.all([this.redis.get(this.keys.thread(id)), this.redis.hgetall(this.keys.state(id))]);
    const record = parseJson<ThreadRecord>(raw);
    return record ? this.view(record, readState(state)) : null;
  }

  async state(id: string): Promise<ThreadState> {
    return readState(await this.redis.hgetall(this.keys.state(id)));
  }

  async getMany(ids: string[]): Promise<ChatThread[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.get(this.keys.thread(id)).hgetall(this.keys.state(id));
    const res = (await pipe.exec()) ?? [];
    const out: ChatThread[] = [];
    for (let i = 0; i < ids.length; i++) {
      const record = parseJson<ThreadRecord>(res[i * 2]?.[1] as string | null);
      if (record) out.push(this.view(record, readState((res[i * 2 + 1]?.[1] ?? {}) as Record<string, string>)));
    }
    return out;
  }

  /** A newest-first page source over the live threads (one owner's, or everyone's), or the trash. */
  source(which: { owner?: string } | 'trash'): ScoredSource<ChatThread> {
    const key = which === 'trash' ? this.keys.trash : ownerIndex(this.keys, which.owner);
    return {
      listIds: async (maxScore, offset, limit) => {
        const flat = await this.redis.zrevrangebyscore(key, maxScore === null ? '+inf' : String(maxScore), '-inf', 'WITHSCORES', 'LIMIT', offset, limit);
        const out: { id: string; score: number }[] = [];
        for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, score: Number(flat[i + 1]) });
        return out;
      },
      getMany: (ids) => this.getMany(ids),
    };
  }

  /** Stores a message (its seq assigned here) and appends its event; the thread moves to the top. */
  async append(thread: Pick<ChatThread, 'id' | 'owner'>, message: NewMessage): Promise<ChatMessage> {
    const json = JSON.stringify(message);
    const event = this.eventJson({ kind: 'message', threadId: thread.id, message: { ...message, seq: 1 } });
    // The event JSON around the message: everything before and after it (the message itself is spliced in by the script).
    const marker = `"message":`;
    const cut = event.indexOf(marker) + marker.length;
    const suffix = '}}';
    const stored = (await APPEND_LUA.run(
      this.redis,
      5,
      this.keys.state(thread.id),
      this.keys.messages(thread.id),
      this.keys.threads,
      ownerIndex(this.keys, thread.owner),
      this.events,
      json,
      Date.parse(message.createdAt),
      this.maxMessages,
      event.slice(0, cut),
      suffix,
      EVENT_STREAM_MAXLEN,
      message.createdAt,
      thread.id,
    )) as string;
    return JSON.parse(stored) as ChatMessage;
  }

  /** Messages with sequence numbers in [from, to], oldest first (those dropped past the cap are skipped). */
  async range(id: string, from: number, to: number): Promise<ChatMessage[]> {
    if (to < from) return [];
    const seqs = Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
    const raws = await this.redis.hmget(this.keys.messages(id), ...seqs);
    return raws.flatMap((r) => {
      const m = parseJson<ChatMessage>(r);
      return m ? [m] : [];
    });
  }

  /** Gives new jobs their numbers in the thread (#n) and makes them its last batch. */
  async numberJobs(id: string, jobIds: readonly string[]): Promise<number[]> {
    const ns = (await NUMBER_JOBS_LUA.run(this.redis, 2, this.keys.state(id), this.keys.jobs(id), JSON.stringify(jobIds), ...jobIds)) as number[];
    return ns.map(Number);
  }

  /** The job id of #n in the thread. */
  async jobAt(id: string, n: number): Promise<string | null> {
    return this.redis.hget(this.keys.jobs(id), String(n));
  }

  /** Job ids #from…#to (missing numbers skipped), newest first. */
  async jobsDescending(id: string, from: number, to: number): Promise<{ n: number; id: string }[]> {
    if (to < from) return [];
    const ns = Array.from({ length: to - from + 1 }, (_, i) => to - i);
    const ids = await this.redis.hmget(this.keys.jobs(id), ...ns.map(String));
    return ns.flatMap((n, i) => (ids[i] ? [{ n, id: ids[i]! }] : []));
  }

  async setTarget(id: string, target: ChatTarget): Promise<void> {
    await this.redis.hset(this.keys.state(id), 'target', JSON.stringify(target));
  }

  async setSite(id: string, site: { jobId: string }): Promise<void> {
    await this.redis.hset(this.keys.state(id), 'site', JSON.stringify(site));
  }

  /** A new title; `auto` (from the first prompt) only while the thread was never named. Appends a thread event. */
  async rename(id: string, title: string, auto = false): Promise<ChatThread | null> {
    const record = parseJson<ThreadRecord>(await this.redis.get(this.keys.thread(id)));
    if (!record) return null;
    if (auto && (await this.redis.hget(this.keys.state(id), 'titled')) === '1') return this.get(id);
    const next = { ...record, title };
    await this.redis.multi().set(this.keys.thread(id), JSON.stringify(next)).hset(this.keys.state(id), 'titled', '1').exec();
    const thread = await this.get(id);
    if (thread) await this.appendEvent({ kind: 'thread', thread });
    return thread;
  }

  /** To the trash: out of the thread lists, kept with its messages until restored or purged. */
  async trash(thread: ChatThread, at: Date): Promise<void> {
    const record: ThreadRecord = { ...recordOf(thread), deletedAt: at.toISOString() };
    const multi = this.redis
      .multi()
      .set(this.keys.thread(thread.id), JSON.stringify(record))
      .zrem(this.keys.threads, thread.id)
      .zadd(this.keys.trash, at.getTime(), thread.id);
    if (thread.owner) multi.zrem(this.keys.byOwner(thread.owner), thread.id);
    multi.xadd(this.events, 'MAXLEN', '~', EVENT_STREAM_MAXLEN, '*', 'e', this.eventJson({ kind: 'thread.deleted', threadId: thread.id, deletedAt: record.deletedAt! }));
    await multi.exec();
  }

  async restore(thread: ChatThread): Promise<ChatThread> {
    const record = recordOf(thread);
    const score = Date.parse(thread.updatedAt) || Date.now();
    const restored: ChatThread = { ...thread };
    delete restored.deletedAt;
    const multi = this.redis.multi().set(this.keys.thread(thread.id), JSON.stringify(record)).zrem(this.keys.trash, thread.id).zadd(this.keys.threads, score, thread.id);
    if (thread.owner) multi.zadd(this.keys.byOwner(thread.owner), score, thread.id);
    multi.xadd(this.events, 'MAXLEN', '~', EVENT_STREAM_MAXLEN, '*', 'e', this.eventJson({ kind: 'thread', thread: restored }));
    await multi.exec();
    return restored;
  }

  /** Deletes a trashed thread for good. */
  async purge(id: string): Promise<void> {
    await this.redis.multi().del(this.keys.thread(id), this.keys.state(id), this.keys.messages(id), this.keys.jobs(id)).zrem(this.keys.trash, id).exec();
  }

  /** Trashed thread ids deleted before `before` (ms), oldest first. */
  async trashedBefore(before: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.trash, '-inf', `(${before}`, 'LIMIT', 0, limit);
  }

  async appendEvent(data: ChatEventData): Promise<void> {
    await this.redis.xadd(this.events, 'MAXLEN', '~', EVENT_STREAM_MAXLEN, '*', 'e', this.eventJson(data));
  }

  private view(record: ThreadRecord, state: ThreadState): ChatThread {
    return {
      id: record.id,
      title: record.title,
      createdAt: record.createdAt,
      updatedAt: state.updatedAt || record.createdAt,
      ...(record.owner ? { owner: record.owner } : {}),
      messageCount: state.seq,
      jobCount: state.jobs,
      ...(state.target ? { target: state.target } : {}),
      ...(record.deletedAt ? { deletedAt: record.deletedAt } : {}),
    };
  }
}

function recordOf(thread: ChatThread): ThreadRecord {
  return { id: thread.id, title: thread.title, createdAt: thread.createdAt, ...(thread.owner ? { owner: thread.owner } : {}) };
}

function readState(h: Record<string, string>): ThreadState {
  const int = (v: string | undefined, d: number) => (v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : d);
  const target = parseJson<ChatTarget>(h.target);
  const site = parseJson<{ jobId: string }>(h.site);
  const batch = parseJson<unknown>(h.lastBatch);
  return {
    seq: int(h.seq, 0),
    first: int(h.first, 1),
    jobs: int(h.jobs, 0),
    updatedAt: h.updatedAt ?? '',
    titled: h.titled === '1',
    ...(target ? { target } : {}),
    lastBatch: Array.isArray(batch) ? batch.filter((x): x is string => typeof x === 'string') : [],
    ...(site && typeof site.jobId === 'string' ? { site } : {}),
  };
}
