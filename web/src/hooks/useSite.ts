import { useMutation, useQuery } from '@tanstack/react-query';
import type { DesignEditsRequest } from '@orchestrator/shared';
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

/** The preview URL of a version (served through the preview origin, with the design overlay). */
export function useSitePreview(assetId: string, versionId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.sitePreview(assetId, versionId ?? ''),
    queryFn: ({ signal }) => api.sitePreview(assetId, versionId, signal),
    staleTime: 5 * 60_000,
  });
}

/** POST /api/sites/:assetId/design-edits: one follow-up job listing every pending edit. */
export function useApplyDesignEdits(assetId: string) {
  return useMutation({ mutationFn: (body: DesignEditsRequest) => api.applyDesignEdits(assetId, body) });
}

/** POST /api/sites/:assetId/deploy: a deploy job; the URL lands on the site when it ends. */
export function useDeploySite(assetId: string) {
  return useMutation({ mutationFn: (versionId: string) => api.deploySite(assetId, versionId) });
}
