import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { ANY_LANE, PROVIDERS, isFinal, jobError, laneOf, priorityLevel, redisKeys, type JobStore, type Lane, type Provider, type RedisKeys } from '@orchestrator/shared';
import type { JobQueues } from '../jobs/queues.js';

/*
 * One truth with BullMQ. Outside tools (Bull Board, scripts) can remove, clean or retry BullMQ jobs,
 * and a job whose holder died without a successor is put back by BullMQ's stalled check; the index
 * would not know. Every couple of seconds one server instance (a lock) compares each lane's tickets
 * with the jobs its BullMQ queue has waiting, and settles what has differed for two passes in a row
 * (a submit or a take is in between the two for a moment):
 *  - a ticket whose job BullMQ no longer has: removed from outside → the job ends `cancelled`
 *    (error `removed_externally`);
 *  - a job BullMQ has waiting without a ticket: a finished job re-run from outside is taken out again
 *    (logged: the way to run it again is POST /api/jobs/:id/retry); a job that should still run gets
 *    its ticket back at its old place (its record says queued again).
 * BullMQ's failed jobs whose record is not final (a job stalled too often) end failed with its reason.
 */

interface Suspect {
  kind: 'no-bull' | 'no-ticket';
  lane: Lane;
  id: string;
}

export interface ReconcilerOptions {
  redis: Redis;
  keyPrefix: string;
  queues: JobQueues;
  jobs: JobStore;
  log: FastifyBaseLogger;
  intervalMs?: number;
}

export class QueueReconciler {
  private readonly keys: RedisKeys;
  private readonly holder = randomBytes(6).toString('hex');
  private suspects = new Map<string, Suspect>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly o: ReconcilerOptions) {
    this.keys = redisKeys(o.keyPrefix);
    this.intervalMs = o.intervalMs ?? 2000;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.passIfLeader()
        .catch((err: unknown) => this.o.log.warn({ err: { message: (err as Error).message } }, 'queue reconcile failed'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(loop, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async passIfLeader(): Promise<void> {
    const key = this.keys.sched.reconcileLock;
    const ttl = this.intervalMs * 3;
    const mine = (await this.o.redis.set(key, this.holder, 'PX', ttl, 'NX')) === 'OK' || (await this.o.redis.get(key)) === this.holder;
    if (!mine) return;
    await this.o.redis.pexpire(key, ttl);
    await this.pass();
  }

  /** One comparison of every lane (public for tests: two passes settle a difference). */
  async pass(): Promise<void> {
    const seen = new Map<string, Suspect>();
    for (const provider of PROVIDERS) {
      const lanes = await this.o.queues.schedule.lanes(provider);
      const all: Lane[] = [laneOf(provider)];
      for (const [lane, info] of lanes) if (lane !== ANY_LANE) all.push({ provider, lane, queue: info.queue, ...(info.model ? { model: info.model } : {}) });
      for (const lane of all) await this.compareLane(lane, seen);
      await this.settleFailed(provider, lanes);
    }
    const act = [...seen.entries()].filter(([key]) => this.suspects.has(key)).map(([, s]) => s);
    this.suspects = seen;
    for (const s of act) await this.settle(s);
  }

  private async compareLane(lane: Lane, seen: Map<string, Suspect>): Promise<void> {
    const queue = this.o.queues.queue(lane.queue);
    const [waiting, tickets] = await Promise.all([queue.getRanges(['wait', 'prioritized'], 0, -1), this.o.queues.schedule.laneIds(lane.provider, lane.lane)]);
    const inBull = new Set(waiting);
    const ticketed = new Set(tickets);
    const suspect = (kind: Suspect['kind'], id: string) => seen.set(`${kind}:${lane.provider}:${lane.lane}:${id}`, { kind, lane, id });
    for (const id of tickets) if (!inBull.has(id)) suspect('no-bull', id);
    for (const id of waiting) if (!ticketed.has(id)) suspect('no-ticket', id);
  }

  private async settle({ kind, lane, id }: Suspect): Promise<void> {
    const provider = lane.provider;
    const schedule = this.o.queues.schedule;
    const meta = await schedule.meta(id);
    if (meta && meta.lane !== lane.lane) return;
    const bull = await this.o.queues.queue(lane.queue).getJob(id);
    const state = bull ? await bull.getState() : 'unknown';
    const record = await this.o.jobs.get(id);
    const log = this.o.log.child({ jobId: id, provider, queue: lane.queue });
    if (kind === 'no-bull') {
      if (state === 'waiting' || state === 'prioritized' || state === 'active') return; // settled meanwhile
      if (!(await schedule.unqueue(provider, lane.lane, id))) return;
      await schedule.finish(id);
      if (record && !isFinal(record.status)) {
        log.warn({ state }, 'job removed from its queue by another tool; cancelling it');
        await this.o.jobs.update(id, 'job.cancelled', (j) => ({
          ...j,
          status: 'cancelled',
          finishedAt: new Date().toISOString(),
          error: jobError('removed_externally', 'The job was removed from its queue by another tool (e.g. Bull Board)'),
        }));
      }
      return;
    }
    if (state !== 'waiting' && state !== 'prioritized') return;
    const claim = await schedule.claimOf(id);
    if (claim && Date.now() - claim.at < 10_000) return; // being taken right now
    if (!record || isFinal(record.status)) {
      log.warn({ status: record?.status ?? 'no record' }, 'a finished job was put back in its queue by another tool; taking it out (retry it with POST /api/jobs/:id/retry)');
      await bull?.remove().catch(() => undefined);
      return;
    }
    await schedule.reindex(lane, id, priorityLevel(record.request.priority));
    if (record.status === 'running') {
      await this.o.jobs.update(id, 'job.progress', (j) => ({ ...j, status: 'queued', progress: { percent: 0, message: 'back in the queue: its worker stopped' } }));
    }
    log.info('job waiting in BullMQ without a ticket: back in the queue at its place');
  }

  /** BullMQ failed a job on its own (stalled too often): the record must not stay running. */
  private async settleFailed(provider: Provider, lanes: Map<string, { queue: string }>): Promise<void> {
    const names = new Set([provider as string, ...[...lanes.values()].map((l) => l.queue)]);
    for (const name of names) {
      const failed = await this.o.queues.queue(name).getFailed(0, 49);
      const records = await this.o.jobs.getMany(failed.map((b) => b.id!).filter(Boolean));
      const open = new Map(records.filter((r) => !isFinal(r.status)).map((r) => [r.id, r]));
      for (const b of failed) {
        if (!b.id || !open.has(b.id)) continue;
        await this.o.queues.schedule.finish(b.id);
        await this.o.jobs.update(b.id, 'job.failed', (j) => ({
          ...j,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          error: jobError('internal_error', `The job could not be run: ${b.failedReason || 'its queue failed it'}`),
        }));
        this.o.log.warn({ jobId: b.id, reason: b.failedReason }, 'job failed in its queue; recorded');
      }
    }
  }
}
