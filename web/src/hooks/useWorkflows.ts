import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateWorkflowBody, UpdateWorkflowBody, WorkflowSummary } from '@orchestrator/shared';
import { workflowApi, workflowKeys } from '../api/workflows';
import { useConnection } from '../state/connection';

export function useWorkflowList() {
  const ready = useConnection((s) => s.ready);
  // Refetched when the tab comes back: a workflow deleted in another tab must not stay chosen here.
  return useQuery({ queryKey: workflowKeys.list, queryFn: ({ signal }) => workflowApi.list(signal), enabled: ready, select: (d) => d.items, refetchOnWindowFocus: true });
}

/** A saved workflow with its inputs (the slot defaults) and the backend check. */
export function useWorkflow(id: string | null) {
  return useQuery({
    queryKey: workflowKeys.detail(id ?? ''),
    queryFn: ({ signal }) => workflowApi.get(id!, signal),
    enabled: id !== null,
    staleTime: 30_000,
  });
}

export function useImportWorkflow() {
  return useMutation({ mutationFn: ({ file, name }: { file: File; name: string }) => workflowApi.importFile(file, name) });
}

/** Saves a new workflow, or the slots / name of an existing one; the list and detail caches follow. */
export function useSaveWorkflow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (o: { id?: string; create?: CreateWorkflowBody; update?: UpdateWorkflowBody }) =>
      o.id ? workflowApi.update(o.id, o.update ?? {}) : workflowApi.create(o.create!),
    onSuccess: (saved) => {
      client.setQueryData(workflowKeys.detail(saved.id), saved);
      // The list shows the saved workflow at once (first: most recently changed); the refetch confirms it.
      const summary: WorkflowSummary = { id: saved.id, name: saved.name, kind: saved.kind, slots: saved.slots, nodeCount: Object.keys(saved.graph).length, updatedAt: saved.updatedAt };
      client.setQueryData<{ items: WorkflowSummary[] }>(workflowKeys.list, (old) => ({ items: [summary, ...(old?.items ?? []).filter((w) => w.id !== saved.id)] }));
      void client.invalidateQueries({ queryKey: workflowKeys.list });
    },
  });
}

export function useDeleteWorkflow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => workflowApi.remove(id),
    onSuccess: (_r, id) => {
      client.removeQueries({ queryKey: workflowKeys.detail(id) });
      void client.invalidateQueries({ queryKey: workflowKeys.list });
    },
  });
}
