import type { Redis } from 'ioredis';
import type { Job, Provider } from '../jobs.js';
import { EVENT_STREAM_MAXLEN, redisKeys, type RedisKeys, type SchedKeys } from '../keys.js';
import { LuaScript } from '../lua-script.js';
import { priorityLevel, priorityRank, type JobPriority } from '../priority.js';
import { LUA_LEVEL_SPAN, frontRank, laneOf, rankOf, type Lane } from './lanes.js';

/*
 * The scheduler's index beside BullMQ. Each waiting job has one ticket: its id in the provider's
 * `pending` ZSET and in its lane's ZSET, scored by rank. A backend's owner claims a ticket (claim.lua
 * picks the lane: start order, eligibility, model affinity), then takes the head of that lane's BullMQ
 * queue; BullMQ's pop is the truth about which job it got (take.lua), and a ticket consumed for a job
 * somebody else popped is put back (release.lua). See docs/scheduling.md.
 */

/** Fixed at submit; `seq` orders jobs across providers and survives priority changes. */
export interface ScheduleMeta {
  provider: Provider;
  lane: string;
  queue: string;
  model?: string;
  seq: number;
}

/** What a holder (a backend's owner, a cloud slot) keeps about a job it took: enough for a successor to adopt it. */
export interface InflightEntry {
  jobId: string;
  queue: string;
  lane: string;
  /** The BullMQ lock token; a successor extends the lock with it. */
  token: string;
  worker: string;
  takenAt: number;
  model?: string;
}

export interface Claim {
  jobId: string;
  lane: string;
  rank: number;
}

// The scripts (shared/lua/scheduling/*.lua say what each declares in KEYS and ARGV). Ranks go to Redis
// as '%.0f' strings: Lua's own number-to-string keeps 14 digits, ranks need 16.
const script = (name: string, sendWhole = false) =>
  LuaScript.fromFile(new URL(`../../lua/scheduling/${name}.lua`, import.meta.url), { constants: { LEVEL_SPAN: Number(LUA_LEVEL_SPAN) }, sendWhole });
// Record, `job.queued` event and ticket in one script; sent whole, not by SHA (see JobStore.create).
const ENQUEUE_LUA = script('enqueue', true);
// Picks the lane to take from (start order, eligibility, model affinity) and holds its lock until the take.
const CLAIM_LUA = script('claim');
// A job BullMQ gave the holder: ticket spent, claim and in-flight record written, lane lock freed.
const TAKE_LUA = script('take');
// Puts a ticket back at the job's rank (a claim that lost the pop, or a job handed back).
const RELEASE_LUA = script('release');
const UNQUEUE_LUA = script('unqueue');
const RERANK_LUA = script('rerank');
// A job waiting in BullMQ without a ticket gets its ticket back.
const REINDEX_LUA = script('reindex');

const STARTED_LOG_CAP = 10_000;
/** A lane's lock outlives a claimer that died between its claim and its take by this much. */
const LANE_LOCK_MS = 2000;

export class ScheduleStore {
  readonly keys: RedisKeys;
  readonly sched: SchedKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
    this.sched = this.keys.sched;
  }

  /** Stores a new job with its `job.queued` event and its ticket; returns the event id. */
  async create(job: Job, lane: Lane): Promise<string> {
    const json = JSON.stringify(job);
    const s = this.sched;
    const meta: Omit<ScheduleMeta, 'seq'> = { provider: lane.provider, lane: lane.lane, queue: lane.queue, ...(lane.model ? { model: lane.model } : {}) };
    const level = priorityLevel(job.request.priority);
    const id = (await ENQUEUE_LUA.run(
      this.redis,
      9,
      this.keys.job(job.id),
      this.keys.jobsByTime,
      this.keys.events,
      s.pending(lane.provider),
      s.lane(lane.provider, lane.lane),
      s.lanes(lane.provider),
      s.meta,
      s.rank,
      s.seq,
      json,
      Date.parse(job.createdAt),
      job.id,
      `{"type":"job.queued","at":"${new Date().toISOString()}","data":${json}}`,
      EVENT_STREAM_MAXLEN,
      priorityRank(level),
      lane.lane,
      JSON.stringify(meta),
      JSON.stringify({ queue: lane.queue, ...(lane.model ? { model: lane.model } : {}) }),
    )) as string | null;
    return id ?? '';
  }

  /**
   * The ticket this claimer should take next among `lanes` (those it can run), or null. `loadedLane`
   * is the lane of the model the claimer's GPU has loaded: its oldest job is preferred over the head
   * of the queue until the head has been passed over for `maxWaitMs`.
   */
  async claim(provider: Provider, claimer: string, lanes: readonly string[], loadedLane: string | undefined, maxWaitMs: number, now = Date.now()): Promise<Claim | 'busy' | null> {
    if (lanes.length === 0) return null;
    const s = this.sched;
    const loadedIdx = loadedLane ? lanes.indexOf(loadedLane) + 1 : 0;
    const res = (await CLAIM_LUA.run(
      this.redis,
      3 + 2 * lanes.length,
      s.pending(provider),
      s.passed,
      s.claims,
      ...lanes.map((l) => s.lane(provider, l)),
      ...lanes.map((l) => s.laneLock(provider, l)),
      now,
      maxWaitMs,
      loadedIdx,
      claimer,
      LANE_LOCK_MS,
      lanes.length,
    )) as [string, number, string] | ['busy'] | null;
    if (!res) return null;
    if (res[0] === 'busy' && res.length === 1) return 'busy';
    const [jobId, laneIdx, rank] = res as [string, number, string];
    return { jobId, lane: lanes[laneIdx - 1]!, rank: Number(rank) };
  }

  /**
   * BullMQ gave `entry.jobId` to this claimer: spend its ticket, record it as in flight at `inflightKey`
   * and in the start log (`adopted`: taken over from a previous holder, it started before).
   */
  async take(provider: Provider, claimer: string, inflightKey: string, entry: InflightEntry, adopted = false): Promise<void> {
    const s = this.sched;
    await TAKE_LUA.run(
      this.redis,
      7,
      s.pending(provider),
      s.lane(provider, entry.lane),
      s.claims,
      s.passed,
      inflightKey,
      s.started(provider),
      s.laneLock(provider, entry.lane),
      entry.jobId,
      claimer,
      JSON.stringify(entry),
      adopted ? 0 : STARTED_LOG_CAP,
      Date.now(),
      s.wake,
    );
  }

  /** Gives back a ticket this claimer spent on a job it did not get (true when it was put back). */
  async release(provider: Provider, lane: string, jobId: string, claimer: string): Promise<boolean> {
    const s = this.sched;
    return (await RELEASE_LUA.run(this.redis, 5, s.pending(provider), s.lane(provider, lane), s.claims, s.rank, s.laneLock(provider, lane), jobId, claimer, s.wake)) === 1;
  }

  /** A job goes back to waiting at its old rank (its backend died, a drain handed it back). */
  async requeue(provider: Provider, lane: string, jobId: string): Promise<boolean> {
    const s = this.sched;
    return (await RELEASE_LUA.run(this.redis, 5, s.pending(provider), s.lane(provider, lane), s.claims, s.rank, s.laneLock(provider, lane), jobId, '*', s.wake)) === 1;
  }

  /** A job BullMQ has waiting but the index lost (its holder died, a queue from before the scheduler): its ticket again. */
  async reindex(lane: Lane, jobId: string, level: JobPriority): Promise<number> {
    const s = this.sched;
    const meta: Omit<ScheduleMeta, 'seq'> = { provider: lane.provider, lane: lane.lane, queue: lane.queue, ...(lane.model ? { model: lane.model } : {}) };
    const res = await REINDEX_LUA.run(
      this.redis,
      7,
      s.pending(lane.provider),
      s.lane(lane.provider, lane.lane),
      s.lanes(lane.provider),
      s.meta,
      s.rank,
      s.seq,
      s.claims,
      jobId,
      priorityRank(level),
      lane.lane,
      JSON.stringify({ queue: lane.queue, ...(lane.model ? { model: lane.model } : {}) }),
      JSON.stringify(meta),
    );
    return Number(res);
  }

  /** Removes a waiting job's ticket; false when it was not waiting (claimed, or gone). */
  async unqueue(provider: Provider, lane: string, jobId: string): Promise<boolean> {
    const s = this.sched;
    return (await UNQUEUE_LUA.run(this.redis, 3, s.pending(provider), s.lane(provider, lane), s.passed, jobId)) === 1;
  }

  /** Forgets a job that ended. */
  async finish(jobId: string, inflightKey?: string): Promise<void> {
    const s = this.sched;
    const multi = this.redis.multi().hdel(s.meta, jobId).hdel(s.rank, jobId).hdel(s.claims, jobId).hdel(s.passed, jobId);
    if (inflightKey) multi.hdel(inflightKey, jobId);
    await multi.exec();
  }

  /** The holder no longer has the job (it went back to the queue, or somebody else has it now). */
  async dropInflight(jobId: string, inflightKey: string): Promise<void> {
    await this.redis.hdel(inflightKey, jobId);
  }

  /** A waiting job's new level (it keeps its submission order within the level). Null when not waiting. */
  async setLevel(meta: ScheduleMeta, jobId: string, level: JobPriority): Promise<number | null> {
    return this.rerank(meta, jobId, String(rankOf(level, meta.seq)));
  }

  /** Ahead of every waiting job not moved to the front before it. Null when not waiting. */
  async moveToFront(meta: ScheduleMeta, jobId: string): Promise<number | null> {
    return this.rerank(meta, jobId, 'front');
  }

  private async rerank(meta: ScheduleMeta, jobId: string, rank: string): Promise<number | null> {
    const s = this.sched;
    const res = (await RERANK_LUA.run(this.redis, 4, s.pending(meta.provider), s.lane(meta.provider, meta.lane), s.rank, s.front, jobId, rank, frontRank(0))) as string | null;
    return res === null ? null : Number(res);
  }

  async meta(jobId: string): Promise<ScheduleMeta | null> {
    const raw = await this.redis.hget(this.sched.meta, jobId);
    return raw ? (JSON.parse(raw) as ScheduleMeta) : null;
  }

  async metas(jobIds: readonly string[]): Promise<(ScheduleMeta | null)[]> {
    if (jobIds.length === 0) return [];
    const raws = await this.redis.hmget(this.sched.meta, ...jobIds);
    return raws.map((r) => (r ? (JSON.parse(r) as ScheduleMeta) : null));
  }

  /** The lanes a provider has had: lane → {queue, model}. */
  async lanes(provider: Provider): Promise<Map<string, { queue: string; model?: string }>> {
    const all = await this.redis.hgetall(this.sched.lanes(provider));
    return new Map(Object.entries(all).map(([lane, raw]) => [lane, JSON.parse(raw) as { queue: string; model?: string }]));
  }

  /** Jobs ahead of this one in its provider's queue; null when it is not waiting. */
  async position(provider: Provider, jobId: string): Promise<number | null> {
    return this.redis.zrank(this.sched.pending(provider), jobId);
  }

  async waitingCount(provider: Provider): Promise<number> {
    return this.redis.zcard(this.sched.pending(provider));
  }

  async laneCount(provider: Provider, lane: string): Promise<number> {
    return this.redis.zcard(this.sched.lane(provider, lane));
  }

  /** Waiting jobs in start order with their ranks. */
  async waiting(provider: Provider, start: number, stop: number): Promise<{ id: string; rank: number }[]> {
    const flat = await this.redis.zrange(this.sched.pending(provider), start, stop, 'WITHSCORES');
    const out: { id: string; rank: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, rank: Number(flat[i + 1]) });
    return out;
  }

  /** Waiting job ids of one lane (the reconciler compares them with BullMQ's). */
  laneIds(provider: Provider, lane: string): Promise<string[]> {
    return this.redis.zrange(this.sched.lane(provider, lane), 0, -1);
  }

  /** Job ids in the order they started (the last STARTED_LOG_CAP). */
  startedOrder(provider: Provider): Promise<string[]> {
    return this.redis.lrange(this.sched.started(provider), 0, -1);
  }

  /** Who claimed or took the job, and when (ms); null when nobody holds a claim on it. */
  async claimOf(jobId: string): Promise<{ claimer: string; at: number } | null> {
    const raw = await this.redis.hget(this.sched.claims, jobId);
    if (!raw) return null;
    const cut = raw.lastIndexOf('|');
    return { claimer: raw.slice(0, cut), at: Number(raw.slice(cut + 1)) };
  }

  async inflight(holder: string): Promise<InflightEntry[]> {
    const all = await this.redis.hgetall(this.sched.inflight(holder));
    return Object.values(all).map((raw) => JSON.parse(raw) as InflightEntry);
  }

  /** Switched-off agents. */
  async disabledAgents(): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.sched.agents));
  }

  /** Switches an agent on or off and tells every worker; true when it changed. */
  async setAgent(name: string, enabled: boolean): Promise<boolean> {
    const changed = enabled ? await this.redis.hdel(this.sched.agents, name) : await this.redis.hset(this.sched.agents, name, 'off');
    if (changed > 0) await this.redis.publish(this.sched.wake, 'agents');
    return changed > 0;
  }

  /** Wakes the workers: a job is waiting in this lane. */
  async wake(lane: Lane): Promise<void> {
    await this.redis.publish(this.sched.wake, `job ${lane.provider} ${lane.lane}`);
  }
}

/** The lane a stored job waits in, from its metadata (falls back to the provider's `any` lane). */
export function laneFromMeta(provider: Provider, meta: ScheduleMeta | null): Lane {
  if (!meta) return laneOf(provider);
  return { provider, lane: meta.lane, queue: meta.queue, ...(meta.model ? { model: meta.model } : {}) };
}
