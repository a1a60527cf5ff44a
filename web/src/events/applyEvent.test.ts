import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Agent, AgentList, AppEvent, Asset, Job } from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { DEFAULT_FILTERS } from '../lib/galleryFilters';
import type { Pages } from '../lib/pages';
import { applyEvent } from './applyEvent';

const job: Job = {
  id: 'j1',
  provider: 'comfyui',
  kind: 'image',
  status: 'running',
  progress: { percent: 35, step: 7, totalSteps: 20 },
  request: { provider: 'comfyui', kind: 'image', prompt: 'a fox' },
  createdAt: '2025-01-01T00:00:00.000Z',
};
const asset: Asset = {
  id: '0123456789abcdef',
  type: 'image',
  fileName: 'a.png',
  relPath: 'a.png',
  size: 10,
  mimeType: 'image/png',
  createdAt: '2025-01-01T00:00:01.000Z',
  url: '/api/assets/0123456789abcdef/file',
  thumbUrl: '/api/assets/0123456789abcdef/thumb',
  meta: {},
};
const event = (type: AppEvent['type'], data: unknown) => ({ id: '1-0', type, at: '2025-01-01T00:00:00.000Z', data }) as AppEvent;
const empty = <T>(): Pages<T> => ({ pages: [{ items: [] }], pageParams: [undefined] });

describe('applyEvent', () => {
  it('adds jobs and assets to the cached lists and toasts failures', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.jobs, empty<Job>());
    client.setQueryData(queryKeys.galleryPage(DEFAULT_FILTERS, 0), []);
    client.setQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS), 0);
    const failed: Job[] = [];
    applyEvent(client, event('job.progress', job));
    applyEvent(client, event('asset.added', asset));
    applyEvent(client, event('job.failed', { ...job, status: 'failed', error: { code: 'x', message: 'boom' } }), { onJobFailed: (j) => failed.push(j) });
    expect(client.getQueryData<Pages<Job>>(queryKeys.jobs)?.pages[0]!.items[0]!.status).toBe('failed');
    expect(client.getQueryData<Asset[]>(queryKeys.galleryPage(DEFAULT_FILTERS, 0))![0]!.id).toBe(asset.id);
    expect(client.getQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS))).toBe(1);
    expect(failed.map((j) => j.error?.message)).toEqual(['boom']);
  });

  it('takes a removed asset out of the gallery and tells the UI', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.galleryPage(DEFAULT_FILTERS, 0), [asset]);
    client.setQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS), 1);
    const gone: string[] = [];
    applyEvent(client, event('asset.removed', { id: asset.id }), { onAssetRemoved: (id) => gone.push(id) });
    expect(client.getQueryData(queryKeys.galleryPage(DEFAULT_FILTERS, 0))).toEqual([]);
    expect(client.getQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS))).toBe(0);
    expect(gone).toEqual([asset.id]);
  });

  it('ignores payloads that do not match the shared schemas', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.jobs, empty<Job>());
    applyEvent(client, event('job.progress', { id: 'j1', status: 'running' }));
    expect(client.getQueryData<Pages<Job>>(queryKeys.jobs)?.pages[0]!.items).toEqual([]);
  });

  it('keeps the latest preview frame and drops it when the job finishes', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.jobs, empty<Job>());
    applyEvent(client, event('job.preview', { jobId: 'j1', dataUrl: 'data:image/png;base64,AA' }));
    expect(client.getQueryData(queryKeys.preview('j1'))).toBe('data:image/png;base64,AA');
    applyEvent(client, event('job.completed', { ...job, status: 'completed', progress: { percent: 100 } }));
    expect(client.getQueryData(queryKeys.preview('j1'))).toBeUndefined();
  });

  it('replaces a switched agent in the cached list and asks for a queue refresh', () => {
    const client = new QueryClient();
    const backend: Agent = { name: 'comfyui-1', kind: 'backend', provider: 'comfyui', enabled: true, online: true, busy: true, draining: false, queue: { waiting: 2, running: 1 } };
    client.setQueryData<AgentList>(queryKeys.agents, { agents: [backend] });
    let refreshes = 0;
    const effects = { onQueueChanged: () => refreshes++ };
    applyEvent(client, event('agent.status', { ...backend, enabled: false, draining: true }), effects);
    expect(client.getQueryData<AgentList>(queryKeys.agents)?.agents).toEqual([{ ...backend, enabled: false, draining: true }]);
    expect(refreshes).toBe(1);
    applyEvent(client, event('agent.status', { name: 'comfyui-1', enabled: 'no' }), effects);
    expect(refreshes).toBe(1);
  });

  it('asks for a queue refresh when a job is queued, re-prioritised or ends, not for the progress of a running one', () => {
    const client = new QueryClient();
    let refreshes = 0;
    const effects = { onQueueChanged: () => refreshes++ };
    applyEvent(client, event('job.progress', job), effects);
    expect(refreshes).toBe(0);
    applyEvent(client, event('job.progress', { ...job, status: 'queued', progress: { percent: 0 }, request: { ...job.request, priority: 'high' } }), effects);
    applyEvent(client, event('job.queued', { ...job, status: 'queued', progress: { percent: 0 } }), effects);
    applyEvent(client, event('job.completed', { ...job, status: 'completed', progress: { percent: 100 } }), effects);
    expect(refreshes).toBe(3);
  });
});
