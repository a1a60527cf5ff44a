import type { GalleryFilters } from '../lib/galleryFilters';
import type { ModelListFilters } from '../hooks/useModels';

/** Every react-query key in one place, so event handlers and hooks agree. */
export const queryKeys = {
  jobs: ['jobs', 'list'] as const,
  job: (id: string) => ['jobs', 'detail', id] as const,
  preview: (jobId: string) => ['jobs', 'preview', jobId] as const,
  /** Everything cached for gallery views; one subtree per filter set. */
  gallery: ['assets', 'gallery'] as const,
  galleryView: (filters: GalleryFilters) => ['assets', 'gallery', filters] as const,
  galleryPage: (filters: GalleryFilters, page: number) => ['assets', 'gallery', filters, 'page', page] as const,
  /** How many assets match the view: set by every page fetch and moved by events. */
  galleryTotal: (filters: GalleryFilters) => ['assets', 'gallery', filters, 'total'] as const,
  asset: (id: string) => ['assets', 'detail', id] as const,
  assetModels: ['assets', 'models'] as const,
  /** GET /api/assets/trash pages; refetched when assets leave or come back to the gallery. */
  trash: ['assets', 'trash'] as const,
  backends: ['backends'] as const,
  /** GET /api/queue: the waiting jobs in start order, refreshed after job, backend and agent events. */
  queue: ['queue'] as const,
  agents: ['agents'] as const,
  health: ['health'] as const,
  modelList: (filters: ModelListFilters) => ['models', 'list', filters] as const,
  model: (idOrName: string) => ['models', 'detail', idOrName] as const,
  site: (assetId: string) => ['sites', assetId] as const,
  siteFiles: (assetId: string, versionId: string) => ['sites', assetId, 'files', versionId] as const,
  siteFile: (assetId: string, versionId: string, file: string) => ['sites', assetId, 'files', versionId, file] as const,
  sitePreview: (assetId: string, versionId: string) => ['sites', assetId, 'preview', versionId] as const,
  v0Chats: ['sites', 'v0-chats'] as const,
  /** GET /api/auth/me: null in team mode before logging in (the login page shows). */
  me: ['auth', 'me'] as const,
  tokens: ['auth', 'tokens'] as const,
  users: ['auth', 'users'] as const,
  /** Chat threads (the list, newest activity first), one thread, and a thread's messages (pages from the newest back). */
  chatThreads: ['chat', 'threads'] as const,
  /** One list of threads: one owner's (team mode, "Mine"), or everyone's (`''`). */
  chatThreadList: (owner: string) => ['chat', 'threads', owner] as const,
  /** Trashed threads (one owner's, or everyone's with `''`). */
  chatTrash: (owner: string) => ['chat', 'trash', owner] as const,
  chatTrashLists: ['chat', 'trash'] as const,
  chatThread: (id: string) => ['chat', 'thread', id] as const,
  chatMessages: (threadId: string) => ['chat', 'messages', threadId] as const,
};
