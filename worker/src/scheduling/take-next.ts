import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { InflightEntry, Provider, ScheduleStore } from '@orchestrator/shared';
import type { ClaimGate } from './claim-gate.js';
import type { LaneWorkers } from './lane-workers.js';
import type { TakenJob } from './job-runner.js';

/*
 * One claim: a ticket from the index (which lane, in what order; the lane is locked until the take),
 * then the head of that lane's BullMQ queue. BullMQ's pop decides which job this holder got; when it
 * is not the ticket's job (the orders can differ for a moment, e.g. a priority change racing the pop)
 * the ticket is given back and the popped job's ticket spent instead. Every job BullMQ hands out is
 * started, once. `busy`: another holder is between its claim and its take in the lane to serve next.
 */

export interface TakeRequest {
  provider: Provider;
  /** Who claims: a backend id, or a cloud slot. */
  claimer: string;
  /** Lanes the claimer can run, and the queue of each. */
  lanes: ReadonlyMap<string, { queue: string; model?: string }>;
  loadedLane?: string;
  maxWaitMs: number;
  schedule: ScheduleStore;
  laneWorkers: LaneWorkers;
  inflightKey: string;
  workerId: string;
  log: Logger;
  /** This process's claims of the provider, one at a time. */
  gate: ClaimGate;
}

export type TakeResult = { kind: 'taken'; job: TakenJob } | { kind: 'none' } | { kind: 'busy' } | { kind: 'empty-lane'; lane: string };

export function takeNext(r: TakeRequest): Promise<TakeResult> {
  return r.gate.run(() => claimAndTake(r));
}

async function claimAndTake(r: TakeRequest): Promise<TakeResult> {
  const lanes = [...r.lanes.keys()];
  const claim = await r.schedule.claim(r.provider, r.claimer, lanes, r.loadedLane, r.maxWaitMs);
  if (!claim) return { kind: 'none' };
  if (claim === 'busy') return { kind: 'busy' };
  const info = r.lanes.get(claim.lane)!;
  const token = randomUUID();
  let bull;
  try {
    bull = await r.laneWorkers.next(info.queue, token);
  } catch (err) {
    await r.schedule.release(r.provider, claim.lane, claim.jobId, r.claimer);
    throw err;
  }
  if (!bull?.id) {
    // The ticket's job is not (or no longer, or not yet) in BullMQ: give the ticket back; the
    // reconciler settles a job removed from outside.
    await r.schedule.release(r.provider, claim.lane, claim.jobId, r.claimer);
    r.log.debug({ jobId: claim.jobId, lane: claim.lane }, 'claimed a ticket but its queue had no job');
    return { kind: 'empty-lane', lane: claim.lane };
  }
  const entry: InflightEntry = {
    jobId: bull.id,
    queue: info.queue,
    lane: claim.lane,
    token,
    worker: r.workerId,
    takenAt: Date.now(),
    ...(info.model ? { model: info.model } : {}),
  };
  await r.schedule.take(r.provider, r.claimer, r.inflightKey, entry);
  if (bull.id !== claim.jobId) {
    await r.schedule.release(r.provider, claim.lane, claim.jobId, r.claimer);
    r.log.debug({ ticket: claim.jobId, got: bull.id }, 'BullMQ gave another job of the lane');
  }
  return { kind: 'taken', job: { bull, entry, adopted: false } };
}
