import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { EMPTY_TRASH_BATCH, type RestoreResult } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/client';
import { queryKeys } from '../api/keys';
import { flatten } from '../lib/pages';
import { useConnection } from '../state/connection';
import { toast } from '../state/toasts';

/** The trash, newest first, a page at a time; refetched after every change (events and the actions here). */
export function useTrash() {
  const ready = useConnection((s) => s.ready);
  const query = useInfiniteQuery({
    queryKey: queryKeys.trash,
    queryFn: ({ pageParam, signal }) => api.listTrash(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    enabled: ready,
    staleTime: 0,
  });
  return { ...query, items: flatten(query.data), total: query.data?.pages[0]?.total };
}

function restoreProblem(r: RestoreResult): string | null {
  if (r.conflicts.length > 0) return 'A file now has its old name: rename or delete that one first';
  if (r.missing.length > 0) return 'It is no longer in the trash';
  return null;
}

/** How far emptying the trash has got: `deleted` of the `total` there was when it started. */
export interface EmptyProgress {
  deleted: number;
  total: number;
}

/** Restore, delete forever and empty, each followed by a fresh trash list. */
export function useTrashActions() {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: queryKeys.trash });
  const restore = useMutation({
    mutationFn: (id: string) => api.restoreAssets([id]),
    onSuccess: (r) => {
      const problem = restoreProblem(r);
      if (problem) toast.error(`Not restored: ${problem}`);
      else toast.info('Restored to the gallery');
    },
    onError: (err) => toast.error(`Restore failed: ${errorMessage(err)}`),
    onSettled: refresh,
  });
  const purge = useMutation({
    mutationFn: (id: string) => api.purgeTrashed(id),
    onSuccess: () => toast.info('Deleted for good'),
    onError: (err) => toast.error(`Delete failed: ${errorMessage(err)}`),
    onSettled: refresh,
  });
  const [emptying, setEmptying] = useState<EmptyProgress | null>(null);
  const empty = useMutation({
    // Batches of a bounded request, so a huge trash shows progress and no request runs long; the
    // server's cutoff (`before`) keeps what is trashed meanwhile. Stopped between batches (the tab
    // closed), every item is either still in the trash or gone.
    mutationFn: async (total: number) => {
      let deleted = 0;
      let before: number | undefined;
      setEmptying({ deleted, total });
      for (;;) {
        const r = await api.emptyTrash({ limit: EMPTY_TRASH_BATCH, ...(before !== undefined && { before }) });
        deleted += r.purged;
        before = r.before;
        setEmptying({ deleted, total: Math.max(total, deleted) });
        if (r.done !== false) return { purged: deleted };
      }
    },
    onSuccess: (r) => toast.info(`Emptied the trash: ${r.purged.toLocaleString()} ${r.purged === 1 ? 'item' : 'items'} deleted for good`),
    onError: (err) => toast.error(`Could not empty the trash: ${errorMessage(err)}`),
    onSettled: () => {
      setEmptying(null);
      return refresh();
    },
  });
  return { restore, purge, empty, emptying };
}
