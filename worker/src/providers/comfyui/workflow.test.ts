import { describe, expect, it } from 'vitest';
import { MAX_SEED } from '@orchestrator/shared';
import { classTypeOf, randomSeed } from './workflow.js';

describe('graph helpers', () => {
  it('draws seeds that stay exact in JavaScript numbers', () => {
    for (let i = 0; i < 200; i++) {
      const s = randomSeed();
      expect(Number.isSafeInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(MAX_SEED);
    }
  });

  it('names the class type of a node, or nothing for unknown ids and malformed graphs', () => {
    const graph = { '3': { class_type: 'KSampler', inputs: {} }, '4': { inputs: {} } };
    expect(classTypeOf(graph, '3')).toBe('KSampler');
    expect(classTypeOf(graph, '4')).toBeUndefined();
    expect(classTypeOf(graph, '99')).toBeUndefined();
    expect(classTypeOf(undefined, '3')).toBeUndefined();
  });
});
