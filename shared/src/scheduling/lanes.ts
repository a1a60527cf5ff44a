import { createHash } from 'node:crypto';
import type { Provider } from '../jobs.js';
import { priorityRank, type JobPriority } from '../priority.js';

/*
 * A lane is one BullMQ queue: the jobs of one provider that any of the same backends can run. ComfyUI
 * jobs get a lane per model (the backends that have the model can run them, and the one that has it
 * loaded prefers them); jobs without a model and cloud jobs share their provider's `any` lane, whose
 * queue keeps the provider's name. See docs/scheduling.md.
 */

export const ANY_LANE = 'any';

export interface Lane {
  provider: Provider;
  /** `any`, or `m-<digest>` of the model's name. */
  lane: string;
  /** The BullMQ queue the lane's jobs wait in. */
  queue: string;
  /** The model every job of the lane loads (`/`-separated), when the lane is a model's. */
  model?: string;
}

/** Model names as backends on Linux and Windows spell them, made one: `/` separators. */
export function normalizeModelName(name: string): string {
  return name.replace(/\\/g, '/');
}

export function laneOf(provider: Provider, model?: string): Lane {
  if (provider !== 'comfyui' || !model) return { provider, lane: ANY_LANE, queue: provider };
  const normalized = normalizeModelName(model);
  const lane = `m-${createHash('sha1').update(normalized).digest('hex').slice(0, 12)}`;
  return { provider, lane, queue: `${provider}-${lane}`, model: normalized };
}

/*
 * A job's rank orders the provider's waiting jobs (lower starts sooner): its level times LEVEL_SPAN plus
 * its submission sequence, so levels come first and submission order within a level. A job moved to
 * the front ranks below every level, in the order jobs were moved (BullMQ serves its priority 1 the same way).
 */
const LEVEL_SPAN = 2 ** 44;
const FRONT_BASE = -(2 ** 50);

export function rankOf(level: JobPriority, seq: number): number {
  return priorityRank(level) * LEVEL_SPAN + seq;
}

export function frontRank(frontSeq: number): number {
  return FRONT_BASE + frontSeq;
}

/** BullMQ priority (lower is served first) for a level; 1 is kept for jobs moved to the front. */
export function bullPriority(level: JobPriority | 'front'): number {
  return level === 'front' ? 1 : 2 + priorityRank(level);
}

/** Lua's view of the same rank arithmetic (claim.lua compares levels with it). */
export const LUA_LEVEL_SPAN = String(LEVEL_SPAN);
