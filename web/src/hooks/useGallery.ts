import { queryOptions, skipToken, useQueries, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import type { GalleryFilters } from '../lib/galleryFilters';
import { PAGE_SIZE, pageOf, totalAfterFetch } from '../lib/galleryPages';
import { useConnection } from '../state/connection';

/** One page of a filtered view, fetched by offset. Each fetch also updates the view's total. */
export function galleryPageQuery(client: QueryClient, filters: GalleryFilters, page: number) {
  return queryOptions({
    queryKey: queryKeys.galleryPage(filters, page),
    queryFn: async ({ signal }): Promise<Asset[]> => {
      const offset = page * PAGE_SIZE;
      const res = await api.listAssets(filters, offset, PAGE_SIZE, signal);
      client.setQueryData<number>(queryKeys.galleryTotal(filters), (prev) => totalAfterFetch(res, offset, prev));
      return res.items;
    },
  });
}

/** How many assets the view holds; undefined until its first page arrives. */
export function useGalleryTotal(filters: GalleryFilters): number | undefined {
  const { data } = useQuery<number>({ queryKey: queryKeys.galleryTotal(filters), queryFn: skipToken, staleTime: Infinity });
  return data;
}

export interface GalleryWindow {
  pages: Map<number, Asset[]>;
  error: Error | null;
  /** Some wanted page is still on its way. */
  loading: boolean;
}

/**
 * The pages of a view that cover what is on screen. `wanted` pages render from cache at once; only
 * those in `fetchable` are fetched, so a fast scrollbar drag across 100,000 items does not ask for
 * every page it passes. Page 0 is always kept: new assets arrive at the top.
 */
export function useGalleryPages(filters: GalleryFilters, wanted: number[], fetchable: ReadonlySet<number>, totalKnown: boolean): GalleryWindow {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  const list = wanted.includes(0) ? wanted : [0, ...wanted];
  const results = useQueries({
    queries: list.map((page) => ({
      ...galleryPageQuery(client, filters, page),
      enabled: ready && (page === 0 || fetchable.has(page)),
      // The total is kept apart from the pages; if it was dropped from the cache, page 0 brings it back.
      ...(page === 0 && !totalKnown ? { staleTime: 0 } : {}),
    })),
  });
  const pages = new Map<number, Asset[]>();
  results.forEach((r, i) => {
    if (r.data) pages.set(list[i]!, r.data);
  });
  const error = results.find((r) => r.error)?.error ?? null;
  const loading = results.some((r) => r.isPending && r.fetchStatus === 'fetching');
  return { pages, error, loading };
}

/** The asset at an offset of a view (fetching its page if needed), for the viewer. */
export function useAssetAt(filters: GalleryFilters, index: number): { asset: Asset | undefined; isPending: boolean } {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  const page = pageOf(Math.max(0, index));
  const { data, isPending } = useQuery({ ...galleryPageQuery(client, filters, page), enabled: ready && index >= 0 });
  return { asset: index >= 0 ? data?.[index - page * PAGE_SIZE] : undefined, isPending };
}
