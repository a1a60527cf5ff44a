import Type, { type Static } from 'typebox';

/*
 * Job priority: three levels, and within a level jobs start in submission order. Requests may still
 * send the 0..100 number of earlier versions; it maps onto the levels (≥ 67 high, ≤ 33 low).
 */

export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export const JobPriorityLevel = Type.Enum(JOB_PRIORITIES, { description: 'high | normal | low (default normal)' });

/** What a request may carry: a level, or the legacy 0..100 number (higher runs sooner). */
export const RequestPriority = Type.Union([JobPriorityLevel, Type.Integer({ minimum: 0, maximum: 100, description: 'legacy: 0..100, mapped to a level' })]);
export type RequestPriority = Static<typeof RequestPriority>;

export function priorityLevel(value: RequestPriority | undefined): JobPriority {
  if (value === undefined) return 'normal';
  if (typeof value === 'string') return value;
  if (value >= 67) return 'high';
  if (value <= 33) return 'low';
  return 'normal';
}

/** 0 for high, 1 normal, 2 low: the order levels are served in. */
export function priorityRank(level: JobPriority): number {
  return JOB_PRIORITIES.indexOf(level);
}
