import { useMemo } from 'react';
import { skipToken, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { recentAssets } from '../events/recentChanges';
import { findItem, flatten, reconcilePage, type Pages } from '../lib/pages';
import { useConnection } from '../state/connection';

/** The gallery, newest first, a page at a time. Fetched once; kept current by events. */
export function useAssets() {
  const ready = useConnection((s) => s.ready);
  const query = useInfiniteQuery({
    queryKey: queryKeys.assets,
    queryFn: async ({ pageParam, signal }) => {
      const page = await api.listAssets(pageParam, signal);
      return pageParam ? page : reconcilePage(page, recentAssets.list(), (fetched) => fetched);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    enabled: ready,
  });
  const assets = useMemo(() => flatten(query.data), [query.data]);
  return { ...query, assets };
}

/** One asset: from the gallery pages when loaded, else fetched by id. */
export function useAsset(id: string | null) {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.asset(id ?? ''),
    queryFn: id && ready ? ({ signal }) => api.getAsset(id, signal) : skipToken,
    initialData: () => (id ? findItem(client.getQueryData<Pages<Asset>>(queryKeys.assets), id) : undefined),
  });
}
