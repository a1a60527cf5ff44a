import { describe, expect, it } from 'vitest';
import type { Job, QueueView } from '@orchestrator/shared';
import { moveToFront, placeOf, removeFromQueue, setPriority } from './queueCache';

const job = (id: string, provider: Job['provider'] = 'comfyui'): Job => ({
  id,
  provider,
  kind: 'image',
  status: 'queued',
  progress: { percent: 0 },
  request: { provider: 'comfyui', kind: 'image', prompt: id },
  createdAt: '2025-01-01T00:00:00.000Z',
});
const view: QueueView = {
  items: ['a', 'b', 'c'].map((id, position) => ({ job: job(id), place: { position, reason: position ? 'behind' : 'next', message: `behind ${position} jobs` } })),
  total: 3,
  byProvider: { comfyui: { waiting: 3, running: 0 } },
};

describe('queue view edits', () => {
  it('moves a job to the top as high priority', () => {
    const next = moveToFront(view, 'c')!;
    expect(next.items.map((e) => e.job.id)).toEqual(['c', 'a', 'b']);
    expect(next.items[0]!.job.request.priority).toBe('high');
    expect(moveToFront(view, 'missing')).toBe(view);
  });

  it('changes a level in place and leaves the order to the server', () => {
    const next = setPriority(view, 'a', 'low')!;
    expect(next.items.map((e) => e.job.id)).toEqual(['a', 'b', 'c']);
    expect(next.items[0]!.job.request.priority).toBe('low');
  });

  it('removes a cancelled job and counts it out', () => {
    const next = removeFromQueue(view, 'b')!;
    expect(next.items.map((e) => e.job.id)).toEqual(['a', 'c']);
    expect(next.total).toBe(2);
    expect(next.byProvider.comfyui!.waiting).toBe(2);
    expect(placeOf(next, 'c')?.message).toBe('behind 2 jobs');
  });
});
