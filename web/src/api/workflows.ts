import type { CreateWorkflowBody, UpdateWorkflowBody, WorkflowDeleted, WorkflowDetails, WorkflowDraft, WorkflowList } from '@orchestrator/shared';
import { postFile, query, request } from './client';

/** Custom workflows: import (review only), save, edit slots, delete. */
export const workflowApi = {
  list: (signal?: AbortSignal) => request<WorkflowList>('/api/workflows', { signal }),
  get: (id: string, signal?: AbortSignal) => request<WorkflowDetails>(`/api/workflows/${encodeURIComponent(id)}`, { signal }),
  /** A PNG goes as image/png; anything else as JSON text (the server sniffs untyped files too). */
  importFile: (file: File, name: string) =>
    postFile<WorkflowDraft>(`/api/workflows/import${query({ name })}`, file, file.type === 'image/png' || /\.png$/i.test(file.name) ? 'image/png' : 'application/octet-stream'),
  create: (body: CreateWorkflowBody) => request<WorkflowDetails>('/api/workflows', { method: 'POST', body }),
  update: (id: string, body: UpdateWorkflowBody) => request<WorkflowDetails>(`/api/workflows/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  remove: (id: string) => request<WorkflowDeleted>(`/api/workflows/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

export const workflowKeys = {
  all: ['workflows'] as const,
  list: ['workflows', 'list'] as const,
  detail: (id: string) => ['workflows', 'detail', id] as const,
};
