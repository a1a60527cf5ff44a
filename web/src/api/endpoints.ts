import type { Asset, BackendStatus, Health, Job, JobRequest, JobStatus, PageOf } from '@orchestrator/shared';
import { query, request } from './client';

export interface Accepted {
  id: string;
  status: JobStatus;
}
export type CancelResult = Job | { cancelRequested: true };

export const JOBS_PAGE = 50;
export const ASSETS_PAGE = 100;

/** One function per route of the REST API, typed with the shared wire formats. */
export const api = {
  listJobs: (cursor?: string, signal?: AbortSignal) =>
    request<PageOf<Job>>(`/api/jobs${query({ limit: JOBS_PAGE, cursor })}`, { signal }),
  getJob: (id: string, signal?: AbortSignal) => request<Job>(`/api/jobs/${encodeURIComponent(id)}`, { signal }),
  createJob: (body: JobRequest) => request<Accepted>('/api/jobs', { method: 'POST', body }),
  cancelJob: (id: string) => request<CancelResult>(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  retryJob: (id: string) => request<Accepted>(`/api/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  listAssets: (cursor?: string, signal?: AbortSignal) =>
    request<PageOf<Asset>>(`/api/assets${query({ limit: ASSETS_PAGE, cursor })}`, { signal }),
  getAsset: (id: string, signal?: AbortSignal) => request<Asset>(`/api/assets/${encodeURIComponent(id)}`, { signal }),
  listBackends: (signal?: AbortSignal) => request<BackendStatus[]>('/api/backends', { signal }),
  health: (signal?: AbortSignal) => request<Health>('/api/health', { signal }),
};
