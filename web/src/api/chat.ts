import type {
  ChatMessagePage,
  ChatThread,
  ChatThreadDeleted,
  ChatThreadPage,
  CreateThreadBody,
  PostMessageBody,
  PostMessageResult,
  RenameThreadBody,
} from '@orchestrator/shared';
import { query, request } from './client';

/* The chat routes (/api/chat), typed with the shared wire formats. */

export const CHAT_THREADS_PAGE = 30;
export const CHAT_MESSAGES_PAGE = 40;

const threadPath = (id: string) => `/api/chat/threads/${encodeURIComponent(id)}`;

export const chatApi = {
  /** `owner`: only that user's threads (team mode); '' for everyone's. */
  listThreads: (owner: string, cursor?: string, signal?: AbortSignal) =>
    request<ChatThreadPage>(`/api/chat/threads${query({ limit: CHAT_THREADS_PAGE, cursor, ...(owner ? { owner } : {}) })}`, { signal }),
  getThread: (id: string, signal?: AbortSignal) => request<ChatThread>(threadPath(id), { signal }),
  createThread: (body: CreateThreadBody = {}) => request<ChatThread>('/api/chat/threads', { method: 'POST', body }),
  renameThread: (id: string, title: string) => request<ChatThread>(threadPath(id), { method: 'PATCH', body: { title } satisfies RenameThreadBody }),
  deleteThread: (id: string) => request<ChatThreadDeleted>(threadPath(id), { method: 'DELETE' }),
  /** Threads in the trash, the most recently deleted first. */
  listTrash: (owner: string, cursor?: string, signal?: AbortSignal) =>
    request<ChatThreadPage>(`/api/chat/trash${query({ limit: CHAT_THREADS_PAGE, cursor, ...(owner ? { owner } : {}) })}`, { signal }),
  restoreThread: (id: string) => request<ChatThread>(`${threadPath(id)}/restore`, { method: 'POST' }),
  /** Without a cursor: the newest page; `prevCursor` pages back. */
  messages: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    request<ChatMessagePage>(`${threadPath(id)}/messages${query({ limit: CHAT_MESSAGES_PAGE, ...(cursor ? { cursor } : { tail: 'true' }) })}`, { signal }),
  post: (id: string, body: PostMessageBody) => request<PostMessageResult>(`${threadPath(id)}/messages`, { method: 'POST', body }),
};
