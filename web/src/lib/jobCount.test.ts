import { describe, expect, it } from 'vitest';
import { MAX_SEED } from '@orchestrator/shared';
import { jobSeeds, parseJobCount } from './jobCount';

describe('N jobs', () => {
  it('takes a whole number from 1 to 16', () => {
    expect(parseJobCount('4')).toBe(4);
    expect(parseJobCount(' 16 ')).toBe(16);
    for (const bad of ['', '0', '17', '2.5', '-1', 'x']) expect(parseJobCount(bad)).toBeNull();
  });

  it('gives each job its own random seed, or counts up from a fixed one', () => {
    let n = 100;
    expect(jobSeeds(3, undefined, () => n++)).toEqual([100, 101, 102]);
    expect(jobSeeds(3, 42, () => 0)).toEqual([42, 43, 44]);
    expect(jobSeeds(2, MAX_SEED, () => 0)).toEqual([MAX_SEED, 0]);
  });
});
