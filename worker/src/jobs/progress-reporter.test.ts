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

  it('throttles the node changes that follow the last step instead of sending each at once', async () => {
    const sent: JobProgress[] = [];
    const r = new ProgressReporter(async (p) => void sent.push(p), 100);
    r.report({ percent: 0, node: 'KSampler (#3)' });
    r.report({ percent: 99, step: 1, totalSteps: 1, node: 'KSampler (#3)' });
    r.report({ percent: 99, step: 1, totalSteps: 1, node: 'VAEDecode (#8)' });
    r.report({ percent: 99, step: 1, totalSteps: 1, node: 'SaveImage (#9)' });
    await new Promise((res) => setTimeout(res, 150));
    await r.stop();
    expect(sent.map((p) => p.node)).toEqual(['KSampler (#3)', 'KSampler (#3)', 'SaveImage (#9)']);
  });

  it('sends the first step of each sampler at once, then throttles until its last step', async () => {
    const sent: JobProgress[] = [];
    const r = new ProgressReporter(async (p) => void sent.push(p), 1000);
    r.report({ percent: 0, node: 'CheckpointLoaderSimple (#4)' });
    for (let step = 1; step <= 8; step++) r.report({ percent: step * 12, step, totalSteps: 8 });
    r.report({ percent: 5, step: 1, totalSteps: 20 }); // a second sampler (hires pass)
    await r.stop();
    expect(sent.map((p) => p.step && `${p.step}/${p.totalSteps}`)).toEqual([undefined, '1/8', '8/8', '1/20']);
  });

  it('sends the newest held-back report when stopped, then nothing more', async () => {
    const sent: JobProgress[] = [];
    const r = new ProgressReporter(async (p) => void sent.push(p), 10_000);
    r.report({ percent: 1, message: 'asking' });
    r.report({ percent: 5, message: 'generating' });
    r.report({ percent: 96, message: 'saving' });
    await r.stop();
    r.report({ percent: 99, message: 'late' });
    expect(sent.map((p) => p.message)).toEqual(['asking', 'saving']);
  });
});
