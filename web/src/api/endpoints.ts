import type {
  UpscaleParams,
  EmptyTrashQuery,
  Agent,
  AgentList,
  Asset,
  AssetPage,
  AssetTrashed,
  BackendStatus,
  CancelResponse,
  DeleteResult,
  Health,
  Job,
  JobAccepted,
  JobPatch,
  JobPriority,
  JobRequest,
  ModelCounts,
  ModelDetails,
  ModelPage,
  PageOf,
  QueueView,
  RestoreResult,
  DesignEditsRequest,
  SiteDetail,
  SiteFileList,
  SitePreview,
  TrashEmptied,
  TrashPage,
  TrashPurged,
  Upload,
  V0ChatPage,
  ValidateResponse,
} from '@orchestrator/shared';
import { toApiParams, type GalleryFilters } from '../lib/galleryFilters';
import { postForm, query, request, requestText } from './client';

/*
 * Every answer is typed with its shared schema's Static type (shared/src/responses.ts and the records
 * it builds on): the server replies with the same schemas, so nothing here can drift from the wire.
 */

export const JOBS_PAGE = 50;

/** GET /api/models filters: `folder` a catalogue folder key, `family` a detected family, `q` words. */
export interface ModelListParams {
  folder?: string;
  family?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

export const V0_CHATS_PAGE = 20;

export const TRASH_PAGE = 50;

/** A trashed asset's thumbnail (its file is no longer served by the gallery's routes). */
export const trashThumbUrl = (id: string) => `/api/assets/trash/${encodeURIComponent(id)}/thumb`;

/** How many waiting jobs the queue view lists (the server's default; its total counts them all). */
export const QUEUE_VIEW_LIMIT = 100;

const jobPath = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;
const assetPath = (id: string) => `/api/assets/${encodeURIComponent(id)}`;

/** One function per route of the REST API, typed with the shared wire formats. */
export const api = {
  listJobs: (cursor?: string, signal?: AbortSignal) =>
    request<PageOf<Job>>(`/api/jobs${query({ limit: JOBS_PAGE, cursor })}`, { signal }),
  getJob: (id: string, signal?: AbortSignal) => request<Job>(jobPath(id), { signal }),
  createJob: (body: JobRequest) => request<JobAccepted>('/api/jobs', { method: 'POST', body }),
  cancelJob: (id: string) => request<CancelResponse>(jobPath(id), { method: 'DELETE' }),
  retryJob: (id: string) => request<JobAccepted>(`${jobPath(id)}/retry`, { method: 'POST' }),
  /** Waiting jobs of every provider in the order they will start, each with why it waits. */
  queue: (signal?: AbortSignal) => request<QueueView>(`/api/queue${query({ limit: QUEUE_VIEW_LIMIT })}`, { signal }),
  /** A queued job's priority; 409 `not_queued` once it has started. */
  setJobPriority: (id: string, priority: JobPriority) => request<Job>(jobPath(id), { method: 'PATCH', body: { priority } satisfies JobPatch }),
  /** A queued job starts before every other waiting job of its provider; 409 `not_queued` once started. */
  moveJobToFront: (id: string) => request<Job>(`${jobPath(id)}/move-to-front`, { method: 'POST' }),
  /** Providers and ComfyUI backends, with their switches. */
  listAgents: (signal?: AbortSignal) => request<AgentList>('/api/agents', { signal }),
  /** Off drains: the running job finishes, nothing new starts. */
  switchAgent: (name: string, on: boolean) => request<Agent>(`/api/agents/${encodeURIComponent(name)}/${on ? 'on' : 'off'}`, { method: 'POST' }),
  /** One page of the filtered gallery, by offset (random access for the virtual grid). */
  listAssets: (filters: GalleryFilters, offset: number, limit: number, signal?: AbortSignal) =>
    request<AssetPage>(`/api/assets${query({ ...toApiParams(filters), offset, limit })}`, { signal }),
  getAsset: (id: string, signal?: AbortSignal) => request<Asset>(assetPath(id), { signal }),
  assetModels: (signal?: AbortSignal) => request<ModelCounts>('/api/assets/models', { signal }),
  deleteAsset: (id: string) => request<AssetTrashed>(assetPath(id), { method: 'DELETE' }),
  deleteAssets: (ids: string[]) => request<DeleteResult>('/api/assets/delete', { method: 'POST', body: { ids } }),
  restoreAssets: (ids: string[]) => request<RestoreResult>('/api/assets/restore', { method: 'POST', body: { ids } }),
  /** Trashed assets, newest first, a page at a time. */
  listTrash: (cursor?: string, signal?: AbortSignal) => request<TrashPage>(`/api/assets/trash${query({ limit: TRASH_PAGE, cursor })}`, { signal }),
  /** Deletes a trashed asset for good (404 once it has left the trash). */
  purgeTrashed: (id: string) => request<TrashPurged>(`/api/assets/trash/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** One batch of emptying the trash (`limit`), up to the cutoff the first batch answered (`before`). */
  emptyTrash: (q: EmptyTrashQuery = {}) => request<TrashEmptied>(`/api/assets/trash${query({ ...q })}`, { method: 'DELETE' }),
  regenerateAsset: (id: string, seed?: number | 'random') =>
    request<JobAccepted>(`${assetPath(id)}/regenerate`, { method: 'POST', body: seed === undefined ? {} : { seed } }),
  /** A new job of the requester: the image through an upscale model (none: lanczos) by `factor`. */
  upscaleAsset: (id: string, body: UpscaleParams) => request<JobAccepted>(`${assetPath(id)}/upscale`, { method: 'POST', body }),
  listBackends: (signal?: AbortSignal) => request<BackendStatus[]>('/api/backends', { signal }),
  health: (signal?: AbortSignal) => request<Health>('/api/health', { signal }),
  validateJob: (body: JobRequest) => request<ValidateResponse>('/api/jobs/validate', { method: 'POST', body }),
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
    request<JobAccepted>(`/api/sites/${encodeURIComponent(assetId)}/messages`, { method: 'POST', body: { message } }),
  listV0Chats: (offset: number, signal?: AbortSignal) =>
    request<V0ChatPage>(`/api/sites/chats${query({ limit: V0_CHATS_PAGE, offset })}`, { signal }),
  importV0Chat: (chatId: string) => request<JobAccepted>('/api/sites/import', { method: 'POST', body: { chatId } }),
  sitePreview: (assetId: string, versionId: string | undefined, signal?: AbortSignal) =>
    request<SitePreview>(`/api/sites/${encodeURIComponent(assetId)}/preview${query({ version: versionId })}`, { signal }),
  applyDesignEdits: (assetId: string, body: DesignEditsRequest) =>
    request<JobAccepted>(`/api/sites/${encodeURIComponent(assetId)}/design-edits`, { method: 'POST', body }),
  deploySite: (assetId: string, versionId: string) =>
    request<JobAccepted>(`/api/sites/${encodeURIComponent(assetId)}/deploy`, { method: 'POST', body: { versionId } }),
};
