/*
 * The gallery's part of the query cache: for every filtered view the page queries
 * (`['assets','gallery', filters, 'page', n]`) and the view's total. Events and the delete/restore
 * actions change it through addToGallery / removeFromGallery, which keep every cached view in order
 * and refetch only what cannot be known locally.
 */
import { hashKey, type Query, type QueryClient } from '@tanstack/react-query';
import type { Asset, ModelCount } from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { compareAssets, matchesFilters, type GalleryFilters } from '../lib/galleryFilters';
import { indexOfId, insertAt, pageOf, insertIndex, removeAt, type LoadedPages, type PageChange } from '../lib/galleryPages';
import { recentAssets } from './recentChanges';

function isPageQuery(q: Query): boolean {
  return q.queryKey[0] === 'assets' && q.queryKey[1] === 'gallery' && q.queryKey[3] === 'page';
}

/** The filter sets of every gallery view in the cache. */
function cachedViews(client: QueryClient): GalleryFilters[] {
  const out = new Map<string, GalleryFilters>();
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.gallery })) {
    const f = q.queryKey[2] as GalleryFilters | undefined;
    if (f && typeof f === 'object') out.set(hashKey([f]), f);
  }
  return [...out.values()];
}

/** The loaded pages of one view, by page number. */
export function loadedPages(client: QueryClient, filters: GalleryFilters): Map<number, Asset[]> {
  const out = new Map<number, Asset[]>();
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.galleryView(filters) })) {
    if (!isPageQuery(q)) continue;
    const data = q.state.data as Asset[] | undefined;
    if (Array.isArray(data)) out.set(q.queryKey[4] as number, data);
  }
  return out;
}

/** An asset found in any cached view. */
export function findInGallery(client: QueryClient, id: string): Asset | undefined {
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.gallery })) {
    if (!isPageQuery(q)) continue;
    const found = (q.state.data as Asset[] | undefined)?.find((a) => a.id === id);
    if (found) return found;
  }
  return undefined;
}

/** The cached assets with these ids (those not loaded anywhere are left out). */
export function assetsByIds(client: QueryClient, ids: Iterable<string>): Asset[] {
  const wanted = new Set(ids);
  const out = new Map<string, Asset>();
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.gallery })) {
    if (!isPageQuery(q)) continue;
    for (const a of (q.state.data as Asset[] | undefined) ?? []) if (wanted.has(a.id)) out.set(a.id, a);
    if (out.size === wanted.size) break;
  }
  return [...out.values()];
}

/** A fetch already on the wire answers from before this change: restart it. */
function restartInFlight(client: QueryClient, filters: GalleryFilters): void {
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.galleryView(filters) })) {
    if (isPageQuery(q) && q.state.fetchStatus === 'fetching') {
      void client.refetchQueries({ queryKey: q.queryKey, exact: true }, { cancelRefetch: true });
    }
  }
}

/** Refetches the view's pages on screen and marks the others stale (they refetch when next shown). */
function invalidateView(client: QueryClient, filters: GalleryFilters): void {
  void client.invalidateQueries({ queryKey: queryKeys.galleryView(filters), predicate: isPageQuery });
}

function commit(client: QueryClient, filters: GalleryFilters, change: PageChange<Asset>, totalDelta: number): void {
  restartInFlight(client, filters);
  for (const [page, items] of change.pages) client.setQueryData(queryKeys.galleryPage(filters, page), items);
  if (totalDelta !== 0) client.setQueryData<number>(queryKeys.galleryTotal(filters), (t) => (t === undefined ? t : Math.max(0, t + totalDelta)));
  for (const page of change.stale) void client.invalidateQueries({ queryKey: queryKeys.galleryPage(filters, page), exact: true });
}

function removeFromView(client: QueryClient, filters: GalleryFilters, pages: LoadedPages<Asset>, index: number): void {
  const total = client.getQueryData<number>(queryKeys.galleryTotal(filters)) ?? index + 1;
  commit(client, filters, removeAt(pages, index, total), -1);
}

/** A new asset (`asset.added`), placed in every cached view it belongs to (replaced where it is already). */
export function addToGallery(client: QueryClient, asset: Asset): void {
  recentAssets.record(asset.id, asset);
  for (const filters of cachedViews(client)) {
    const pages = loadedPages(client, filters);
    const at = indexOfId(pages, asset.id);
    const match = matchesFilters(asset, filters);
    if (at >= 0) {
      if (match === false) {
        removeFromView(client, filters, pages, at);
        continue;
      }
      // Changed in place; if its sort key changed, the order is the server's again at the next fetch.
      const page = pageOf(at);
      const items = pages.get(page)!;
      client.setQueryData(queryKeys.galleryPage(filters, page), items.map((a) => (a.id === asset.id ? asset : a)));
      continue;
    }
    if (match === false) continue;
    const total = client.getQueryData<number>(queryKeys.galleryTotal(filters));
    const index = match === null || total === undefined ? null : insertIndex(pages, total, asset, compareAssets(filters.sort, filters.order));
    if (index === null) {
      invalidateView(client, filters);
      continue;
    }
    commit(client, filters, insertAt(pages, index, asset), 1);
  }
  client.setQueryData(queryKeys.asset(asset.id), asset);
  const model = asset.meta.model;
  if (model) {
    client.setQueryData<ModelCount[]>(queryKeys.assetModels, (data) => (data && !data.some((m) => m.model === model) ? [...data, { model, count: 1 }] : data));
  }
  // Counts per model moved; the list is refetched when the model filter is next opened.
  void client.invalidateQueries({ queryKey: queryKeys.assetModels, refetchType: 'none' });
}

/**
 * A known asset whose record changed (`asset.updated`): replaced where it is loaded. It is not new, so
 * no total moves; a view it is not loaded in is refetched only when it may have joined or left it.
 */
export function updateInGallery(client: QueryClient, asset: Asset): void {
  const before = client.getQueryData<Asset>(queryKeys.asset(asset.id)) ?? recentAssets.latest(asset.id) ?? findInGallery(client, asset.id);
  recentAssets.record(asset.id, asset);
  for (const filters of cachedViews(client)) {
    const pages = loadedPages(client, filters);
    const at = indexOfId(pages, asset.id);
    const match = matchesFilters(asset, filters);
    if (at >= 0) {
      if (match === false) {
        removeFromView(client, filters, pages, at);
        continue;
      }
      const page = pageOf(at);
      client.setQueryData(queryKeys.galleryPage(filters, page), pages.get(page)!.map((a) => (a.id === asset.id ? asset : a)));
      continue;
    }
    const was = before ? matchesFilters(before, filters) : null;
    if (match === false && was === false) continue;
    if (match === true && was === true) continue; // in the view before and after, on a page not loaded
    invalidateView(client, filters);
  }
  client.setQueryData(queryKeys.asset(asset.id), asset);
  void client.invalidateQueries({ queryKey: queryKeys.assetModels, refetchType: 'none' });
}

/** A removed asset (`asset.removed`, or a delete this page made), taken out of every cached view. */
export function removeFromGallery(client: QueryClient, id: string): void {
  if (recentAssets.latest(id) === null) return; // already applied (our own delete, then its event)
  const known = client.getQueryData<Asset>(queryKeys.asset(id)) ?? findInGallery(client, id);
  recentAssets.record(id, null);
  for (const filters of cachedViews(client)) {
    const pages = loadedPages(client, filters);
    const at = indexOfId(pages, id);
    if (at >= 0) removeFromView(client, filters, pages, at);
    else if (!known || matchesFilters(known, filters) !== false) invalidateView(client, filters);
  }
  client.removeQueries({ queryKey: queryKeys.asset(id), exact: true });
  void client.invalidateQueries({ queryKey: queryKeys.assetModels, refetchType: 'none' });
}
