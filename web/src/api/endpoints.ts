import type { Asset, BackendStatus, Health, Job, JobRequest, JobStatus, ModelDetails, ModelPage, PageOf } from '@orchestrator/shared';
import { toApiParams, type GalleryFilters } from '../lib/galleryFilters';
import { postForm, query, request, requestText } from './client';

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

/** POST /api/jobs/validate: 200 answer (a 422 `workflow_invalid` arrives as an ApiError). */
export interface ValidateResult {
  ok: true;
  checked: boolean;
}

export interface Upload {
  id: string;
  url: string;
  width?: number;
  height?: number;
}

/** GET /api/models filters: `folder` a catalogue folder key, `family` a detected family, `q` words. */
export interface ModelListParams {
  folder?: string;
  family?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

/*
 * Site shapes as the routes answer them (shared/src/requests/v0.ts: V0SiteManifest). browser.ts does
 * not export that module, so the fields the SPA reads are restated here.
 */
export interface SiteVersion {
  id: string;
  status: 'pending' | 'completed' | 'failed';
  createdAt: string;
  demoUrl?: string;
  files: string[];
  filesSaved?: boolean;
  message?: string;
}

export interface SiteDetail {
  assetId: string;
  chatId: string;
  title?: string;
  webUrl: string;
  prompt: string;
  model?: string;
  versions: SiteVersion[];
}

export interface SiteFileList {
  assetId: string;
  chatId: string;
  version: SiteVersion;
}

export interface V0Chat {
  id: string;
  name?: string;
  assetId?: string;
  imported?: boolean;
  updatedAt?: string;
  createdAt?: string;
}

export interface V0ChatPage {
  items: V0Chat[];
  nextOffset?: number;
}

export const V0_CHATS_PAGE = 20;

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
  validateJob: (body: JobRequest) => request<ValidateResult>('/api/jobs/validate', { method: 'POST', body }),
  listModels: (params: ModelListParams, signal?: AbortSignal) => request<ModelPage>(`/api/models${query({ ...params })}`, { signal }),
  /** By id (`folder/file`) or a bare file name (checkpoints first, then the other folders). */
  getModel: (idOrName: string, signal?: AbortSignal) => request<ModelDetails>(`/api/models/${encodeURIComponent(idOrName)}`, { signal }),
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return postForm<Upload>('/api/uploads', form);
  },
  getSite: (assetId: string, signal?: AbortSignal) => request<SiteDetail>(`/api/sites/${encodeURIComponent(assetId)}`, { signal }),
  siteFiles: (assetId: string, versionId: string, signal?: AbortSignal) =>
    request<SiteFileList>(`/api/sites/${encodeURIComponent(assetId)}/versions/${encodeURIComponent(versionId)}/files`, { signal }),
  siteFileText: (assetId: string, versionId: string, file: string, signal?: AbortSignal) =>
    requestText(
      `/api/sites/${encodeURIComponent(assetId)}/versions/${encodeURIComponent(versionId)}/files/${file.split('/').map(encodeURIComponent).join('/')}`,
      signal,
    ),
  sendSiteMessage: (assetId: string, message: string) =>
    request<Accepted>(`/api/sites/${encodeURIComponent(assetId)}/messages`, { method: 'POST', body: { message } }),
  listV0Chats: (offset: number, signal?: AbortSignal) =>
    request<V0ChatPage>(`/api/sites/chats${query({ limit: V0_CHATS_PAGE, offset })}`, { signal }),
  importV0Chat: (chatId: string) => request<Accepted>('/api/sites/import', { method: 'POST', body: { chatId } }),
};
