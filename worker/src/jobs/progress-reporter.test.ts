import { describe, expect, it } from 'vitest';
import type { JobProgress } from '@orchestrator/shared';
import { ProgressReporter } from './progress-reporter.js';

describe('ProgressReporter', () => {
  it('sends the first and the last step at once, throttles the rest and keeps the newest', async () => {
    const sent: JobProgress[] = [];
    const r = new ProgressReporter(async (p) => void sent.push(p), 100);
    for (let step = 1; step <= 9; step++) r.report({ percent: step * 10, step, totalSteps: 10 });
    await new Promise((res) => setTimeout(res, 150));
    r.report({ percent: 100, step: 10, totalSteps: 10 });
    await r.stop();
    expect(sent.map((p) => p.step)).toEqual([1, 9, 10]);
  });
});
