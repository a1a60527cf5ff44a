import { describe, expect, it } from 'vitest';
import type { Job } from '@orchestrator/shared';
import { latest } from './jobState';
import { reconcilePage, removeItem, updateItem, upsertItem, type Pages } from './pages';

const job = (id: string, createdAt: string, patch: Partial<Job> = {}): Job => ({
  id,
  provider: 'comfyui',
  kind: 'image',
  status: 'queued',
  progress: { percent: 0 },
  request: { provider: 'comfyui', kind: 'image', prompt: id },
  createdAt,
  ...patch,
});
const pages = (...lists: Job[][]): Pages<Job> => ({
  pages: lists.map((items, i) => ({ items, ...(i < lists.length - 1 ? { nextCursor: String(i + 1) } : {}) })),
  pageParams: lists.map((_, i) => (i === 0 ? undefined : String(i))),
});

describe('event-driven list updates', () => {
  it('patches a loaded job in place and keeps the rest of its record (a cancel answer is not a Job)', () => {
    const data = pages([job('b', '2025-01-02')], [job('a', '2025-01-01')]);
    const next = updateItem(data, 'a', (j): Job => ({ ...j, status: 'cancelled' }));
    expect(next?.pages[1]!.items[0]).toEqual({ ...job('a', '2025-01-01'), status: 'cancelled' });
    expect(next?.pages[0]).toBe(data.pages[0]);
    expect(updateItem(data, 'zz', (j): Job => ({ ...j, status: 'cancelled' }))).toBe(data);
  });

  it('puts a new job at the top and replaces a known one in place', () => {
    const data = pages([job('b', '2025-01-02'), job('a', '2025-01-01')]);
    const added = upsertItem(data, job('c', '2025-01-03'), latest);
    expect(added?.pages[0]!.items.map((j) => j.id)).toEqual(['c', 'b', 'a']);
    const running = upsertItem(added, job('b', '2025-01-02', { status: 'running', progress: { percent: 40 } }), latest);
    expect(running?.pages[0]!.items[1]!.status).toBe('running');
  });

  it('never moves a job back: a late progress event does not undo completion', () => {
    const done = job('a', '2025-01-01', { status: 'completed', progress: { percent: 100 } });
    const data = pages([done]);
    const late = upsertItem(data, job('a', '2025-01-01', { status: 'running', progress: { percent: 90 } }), latest);
    expect(late?.pages[0]!.items[0]!.status).toBe('completed');
  });

  it('leaves an item older than every loaded one to pagination while more pages exist', () => {
    const data = pages([job('b', '2025-01-02')], [job('a', '2025-01-01')]);
    data.pages[1]!.nextCursor = '2';
    expect(upsertItem(data, job('z', '2024-01-01'), latest)).toBe(data);
    delete data.pages[1]!.nextCursor;
    expect(upsertItem(data, job('z', '2024-01-01'), latest)?.pages[1]!.items.map((j) => j.id)).toEqual(['a', 'z']);
  });

  it('removes an asset wherever it is loaded', () => {
    const data = pages([job('b', '2025-01-02')], [job('a', '2025-01-01')]);
    expect(removeItem(data, 'a')?.pages[1]!.items).toEqual([]);
    expect(removeItem(data, 'nope')).toBe(data);
  });

  it('folds events seen during a fetch into the fetched first page', () => {
    const fetched = { items: [job('b', '2025-01-02', { status: 'running', progress: { percent: 10 } }), job('a', '2025-01-01')] };
    const seen = [
      { id: 'b', item: job('b', '2025-01-02', { status: 'completed', progress: { percent: 100 } }) },
      { id: 'c', item: job('c', '2025-01-03') },
      { id: 'a', item: null },
    ];
    const page = reconcilePage(fetched, seen, latest);
    expect(page.items.map((j) => [j.id, j.status])).toEqual([
      ['c', 'queued'],
      ['b', 'completed'],
    ]);
  });
});
