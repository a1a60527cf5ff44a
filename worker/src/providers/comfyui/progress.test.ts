import { describe, expect, it } from 'vitest';
import type { JobProgress } from '@orchestrator/shared';
import { ProgressTranslator } from './progress.js';

const node = (class_type: string) => ({ class_type, inputs: {} });

function translator(graph: Record<string, unknown>) {
  const seen: JobProgress[] = [];
  const t = new ProgressTranslator(graph, (p) => seen.push(p), () => undefined, 250, () => 0);
  return { t, percents: () => seen.map((p) => p.percent), last: () => seen[seen.length - 1]! };
}

describe('ProgressTranslator', () => {
  it('a graph without a sampler moves by nodes done out of the nodes that run (cached ones left out)', () => {
    const { t, percents } = translator({ '1': node('EmptyImage'), '2': node('ImageBlur'), '3': node('ImageInvert'), '4': node('SaveImage'), '5': node('LoadImage') });
    t.cached(['5']);
    for (const id of ['1', '2', '3', '4']) t.node(id);
    expect(percents()).toEqual([0, 25, 50, 75]);
  });

  it("a node's own progress frames (an upscale model's tiles) fill its share", () => {
    const { t, last } = translator({ '1': node('LoadImage'), '2': node('UpscaleModelLoader'), '3': node('ImageUpscaleWithModel'), '4': node('SaveImage') });
    t.node('1');
    t.node('2');
    t.node('3');
    t.progress(1, 2, '3');
    expect(last()).toMatchObject({ percent: 63, node: 'ImageUpscaleWithModel (#3)' });
  });

  it('one sampler: its steps are the percent; two (a hires fix) share it in order', () => {
    const one = translator({ '3': node('KSampler'), '8': node('VAEDecode') });
    one.t.node('3');
    one.t.progress(5, 10, '3');
    expect(one.last().percent).toBe(50);
    const two = translator({ '3': node('KSampler'), '862': node('KSampler'), '8': node('VAEDecode') });
    two.t.progress(10, 10, '3');
    expect(two.last().percent).toBe(50);
    two.t.progress(5, 10, '862');
    expect(two.last()).toMatchObject({ percent: 75, step: 5, totalSteps: 10 });
  });
});
