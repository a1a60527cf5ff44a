import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';

/**
 * A site's manifest (versions, preview and chat URLs). Keyed also by the newest version the gallery
 * asset names, so a version that arrives by event refetches it.
 */
export function useSite(assetId: string, newestVersion: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.site(assetId), newestVersion ?? ''],
    queryFn: ({ signal }) => api.getSite(assetId, signal),
  });
}

/** A version's saved file names. */
export function useSiteFiles(assetId: string, versionId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.siteFiles(assetId, versionId ?? ''),
    queryFn: ({ signal }) => api.siteFiles(assetId, versionId!, signal),
    enabled: versionId !== undefined,
    select: (data) => data.version.files,
  });
}

/** One saved file of a version, as text. */
export function useSiteFile(assetId: string, versionId: string | undefined, file: string | null) {
  return useQuery({
    queryKey: queryKeys.siteFile(assetId, versionId ?? '', file ?? ''),
    queryFn: ({ signal }) => api.siteFileText(assetId, versionId!, file!, signal),
    enabled: versionId !== undefined && file !== null,
    staleTime: Infinity,
  });
}

/** POST /api/sites/:assetId/messages: ask v0 for a change; the new version joins the asset. */
export function useSiteMessage(assetId: string) {
  // The queued job reaches the job list through its `job.queued` event.
  return useMutation({ mutationFn: (message: string) => api.sendSiteMessage(assetId, message) });
}
