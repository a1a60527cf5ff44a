import type { Asset, BackendStatus, Health, Job, JobRequest, JobStatus, PageOf } from '@orchestrator/shared';
import { toApiParams, type GalleryFilters } from '../lib/galleryFilters';
import { query, request } from './client';

export interface Accepted {
  id: string;
  status: JobStatus;
}
export type CancelResult = Job | { cancelRequested: true };

export const JOBS_PAGE = 50;

/** Extra fields the gallery index adds to the shared Asset; absent from older servers. */
export interface GalleryAsset extends Asset {
  width?: number;
  height?: number;
  durationMs?: number;
  frames?: number;
  fps?: number;
  mtimeMs?: number;
}

/** A page of GET /api/assets. `total` (all matching assets) may be missing on older servers. */
export interface AssetPage extends PageOf<GalleryAsset> {
  total?: number;
}

export interface ModelCount {
  model: string;
  count: number;
}

export interface DeleteResult {
  deleted: string[];
  missing: string[];
}

export interface RestoreResult {
  restored: string[];
  missing: string[];
  conflicts: string[];
}

const assetPath = (id: string) => `/api/assets/${encodeURIComponent(id)}`;

/** One function per route of the REST API, typed with the shared wire formats. */
export const api = {
  listJobs: (cursor?: string, signal?: AbortSignal) =>
    request<PageOf<Job>>(`/api/jobs${query({ limit: JOBS_PAGE, cursor })}`, { signal }),
  getJob: (id: string, signal?: AbortSignal) => request<Job>(`/api/jobs/${encodeURIComponent(id)}`, { signal }),
  createJob: (body: JobRequest) => request<Accepted>('/api/jobs', { method: 'POST', body }),
  cancelJob: (id: string) => request<CancelResult>(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  retryJob: (id: string) => request<Accepted>(`/api/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  /** One page of the filtered gallery, by offset (random access for the virtual grid). */
  listAssets: (filters: GalleryFilters, offset: number, limit: number, signal?: AbortSignal) =>
    request<AssetPage>(`/api/assets${query({ ...toApiParams(filters), offset, limit })}`, { signal }),
  getAsset: (id: string, signal?: AbortSignal) => request<GalleryAsset>(assetPath(id), { signal }),
  assetModels: (signal?: AbortSignal) => request<{ items: ModelCount[] }>('/api/assets/models', { signal }),
  deleteAsset: (id: string) => request<unknown>(assetPath(id), { method: 'DELETE' }),
  deleteAssets: (ids: string[]) => request<DeleteResult>('/api/assets/delete', { method: 'POST', body: { ids } }),
  restoreAssets: (ids: string[]) => request<RestoreResult>('/api/assets/restore', { method: 'POST', body: { ids } }),
  regenerateAsset: (id: string, seed?: number | 'random') =>
    request<Accepted>(`${assetPath(id)}/regenerate`, { method: 'POST', body: seed === undefined ? {} : { seed } }),
  listBackends: (signal?: AbortSignal) => request<BackendStatus[]>('/api/backends', { signal }),
  health: (signal?: AbortSignal) => request<Health>('/api/health', { signal }),
};
