import { MAX_SEED } from '@orchestrator/shared';

/** "N jobs" beside Generate: how many jobs one press queues (batch size, per job, is apart from it). */
export const MAX_JOB_COUNT = 16;

/** The count typed, or null when it is not a whole number from 1 to MAX_JOB_COUNT. */
export function parseJobCount(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= MAX_JOB_COUNT ? n : null;
}

/**
 * One seed per job: a fresh random one each, or with a fixed seed that seed and the ones after it
 * (42, 43, …), so a batch is reproducible and still gives different images.
 */
export function jobSeeds(count: number, fixed: number | undefined, draw: () => number): number[] {
  return Array.from({ length: count }, (_, i) => (fixed === undefined ? draw() : (fixed + i) % (MAX_SEED + 1)));
}
