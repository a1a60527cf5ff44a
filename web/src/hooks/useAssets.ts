import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { findInGallery } from '../events/galleryCache';
import { useConnection } from '../state/connection';

/** One asset: from the gallery pages when loaded, else fetched by id. Kept current by events. */
export function useAsset(id: string | null) {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  return useQuery<Asset>({
    queryKey: queryKeys.asset(id ?? ''),
    queryFn: id && ready ? ({ signal }) => api.getAsset(id, signal) : skipToken,
    initialData: () => (id ? findInGallery(client, id) : undefined),
  });
}

/** Models that appear in the gallery, with counts, for the model filter. */
export function useAssetModels() {
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.assetModels,
    queryFn: async ({ signal }) => (await api.assetModels(signal)).items,
    select: (items) => [...items].sort((a, b) => a.model.localeCompare(b.model)),
    enabled: ready,
  });
}
