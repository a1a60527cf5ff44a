import { useMemo } from 'react';
import { keepPreviousData, skipToken, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { templateFamilyFromName, TEMPLATE_FAMILIES, type ModelInfo, type TemplateFamily } from '@orchestrator/shared';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { useConnection } from '../state/connection';

/** Models per request: a few screens of rows, and 25 requests for 5,000 LoRAs at most. */
const MODEL_PAGE = 200;

/** The catalogue changes when files are copied in; a list this old is fetched again on the next open. */
const MODELS_STALE_MS = 30_000;

/** What one model list shows. */
export interface ModelListFilters {
  /** Where "All" looks, in catalogue order; undefined or empty: every folder, in one listing. */
  folders?: readonly string[] | undefined;
  /** One folder key chosen among them. */
  folder?: string | undefined;
  family?: string | undefined;
  q: string;
}

/** Where the next page starts: a folder of the walk, and the cursor within it. */
interface PageParam {
  folder: number;
  cursor?: string;
}

interface ModelListPage {
  items: ModelInfo[];
  /** On the first page: the models matching over every folder of the walk. */
  total: number;
  next?: PageParam;
}

/** The folders a list walks through in turn: the chosen one, else the allowed set, else all at once. */
function walkOf(filters: ModelListFilters): (string | undefined)[] {
  if (filters.folder) return [filters.folder];
  return filters.folders && filters.folders.length > 0 ? [...filters.folders] : [undefined];
}

/**
 * One page of a list that may span several folders (the API filters by one folder or none): each
 * folder is paged by its cursor, then the next folder starts. The first page also counts the other
 * folders, so the list knows its whole length (and the scrollbar its size) from the start.
 */
async function fetchModelPage(filters: ModelListFilters, param: PageParam, signal: AbortSignal): Promise<ModelListPage> {
  const walk = walkOf(filters);
  const base = { family: filters.family, q: filters.q || undefined };
  const page = await api.listModels({ ...base, folder: walk[param.folder], cursor: param.cursor, limit: MODEL_PAGE }, signal);
  let total = page.total;
  if (param.folder === 0 && !param.cursor && walk.length > 1) {
    const counts = await Promise.all(walk.slice(1).map((folder) => api.listModels({ ...base, folder, limit: 1 }, signal)));
    total += counts.reduce((sum, c) => sum + c.total, 0);
  }
  const next: PageParam | undefined = page.nextCursor
    ? { folder: param.folder, cursor: page.nextCursor }
    : param.folder + 1 < walk.length
      ? { folder: param.folder + 1 }
      : undefined;
  return next ? { items: page.items, total, next } : { items: page.items, total };
}

/** A filtered model list, fetched a page at a time as the picker scrolls. */
export function useModelList(filters: ModelListFilters) {
  const ready = useConnection((s) => s.ready);
  const query = useInfiniteQuery({
    queryKey: queryKeys.modelList(filters),
    queryFn: ({ pageParam, signal }) => fetchModelPage(filters, pageParam, signal),
    initialPageParam: { folder: 0 } as PageParam,
    getNextPageParam: (last) => last.next,
    enabled: ready,
    staleTime: MODELS_STALE_MS,
    // While a search is typed, the previous results stay on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const total = Math.max(query.data?.pages[0]?.total ?? 0, items.length);
  return { ...query, items, total };
}

/**
 * How to name a chosen file to GET /api/models/:id: with its folder when the picker allows one folder
 * (exact), else the bare name, which the server looks up in catalogue folder order.
 */
export function modelLookup(file: string, folders: readonly string[] | undefined): string {
  return file && folders?.length === 1 ? `${folders[0]}/${file}` : file;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/** The catalogue entry of a chosen file (`modelLookup`); a 404 means it is in no folder we know. */
export function useModel(lookup: string) {
  const ready = useConnection((s) => s.ready);
  return useQuery<ModelInfo>({
    queryKey: queryKeys.model(lookup),
    queryFn: lookup && ready ? ({ signal }) => api.getModel(lookup, signal) : skipToken,
    staleTime: MODELS_STALE_MS,
    retry: (failures, err) => !isNotFound(err) && failures < 2,
  });
}

/** Stores a model picked from a list as its catalogue entry, so the form need not ask for it again. */
export function useRememberModel() {
  const client = useQueryClient();
  return (lookup: string, model: ModelInfo) => client.setQueryData(queryKeys.model(lookup), model);
}

/** The name ComfyUI's loaders take for a listed model: relative to its folder. */
export function loaderName(model: ModelInfo): string {
  return model.file ?? model.id.slice(model.folder.length + 1);
}

function isTemplateFamily(f: string | undefined): f is TemplateFamily {
  return f !== undefined && (TEMPLATE_FAMILIES as readonly string[]).includes(f);
}

/** The template family of a model: what the catalogue detected, else a hint in the file name. */
export function templateFamilyOf(model: ModelInfo | undefined, file: string): TemplateFamily | undefined {
  if (isTemplateFamily(model?.family)) return model.family;
  return file ? templateFamilyFromName(file) : undefined;
}
