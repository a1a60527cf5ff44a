/*
 * What the gallery shows, as it travels in the page URL (`?type=image&q=fox&sort=name&order=asc`) and
 * as it is sent to GET /api/assets. The URL is the only place the filters live, so a reload or a shared
 * link shows the same view and back/forward walk through earlier views.
 */
import type { Asset } from '@orchestrator/shared';

export const TYPE_FILTERS = ['all', 'image', 'video', 'site'] as const;
export type TypeFilter = (typeof TYPE_FILTERS)[number];
export const SORT_FIELDS = ['date', 'name', 'size'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

export interface GalleryFilters {
  type: TypeFilter;
  /** Free-text search (prompt, file name, model: the server decides). */
  q: string;
  model: string;
  /** Team mode: only what this user's jobs made ('' everyone's); the toolbar's "Mine" sets it to you. */
  owner: string;
  /** Local calendar days, `YYYY-MM-DD`, both inclusive; '' for open ends. */
  from: string;
  to: string;
  sort: SortField;
  order: SortOrder;
}

export const DEFAULT_FILTERS: GalleryFilters = Object.freeze({ type: 'all', q: '', model: '', owner: '', from: '', to: '', sort: 'date', order: 'desc' });

/** The URL parameters this module owns, in the order they are written. */
const KEYS = ['type', 'q', 'model', 'owner', 'from', 'to', 'sort', 'order'] as const satisfies ReadonlyArray<keyof GalleryFilters>;

export const MAX_QUERY_LENGTH = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00`);
  return !Number.isNaN(d.getTime()) && localDay(d) === value;
}

function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function oneOf<T extends string>(list: readonly T[], value: string | null, fallback: T): T {
  return value !== null && (list as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Filters from a query string; anything unknown or malformed falls back to the default. */
export function parseFilters(search: string): GalleryFilters {
  const p = new URLSearchParams(search);
  const day = (key: string) => {
    const v = p.get(key) ?? '';
    return isDay(v) ? v : '';
  };
  return {
    type: oneOf(TYPE_FILTERS, p.get('type'), DEFAULT_FILTERS.type),
    q: (p.get('q') ?? '').trim().slice(0, MAX_QUERY_LENGTH),
    model: (p.get('model') ?? '').slice(0, 512),
    owner: USER_NAME.test(p.get('owner') ?? '') ? p.get('owner')! : '',
    from: day('from'),
    to: day('to'),
    sort: oneOf(SORT_FIELDS, p.get('sort'), DEFAULT_FILTERS.sort),
    order: oneOf(['asc', 'desc'] as const, p.get('order'), DEFAULT_FILTERS.order),
  };
}

/**
 * The query string for `filters`, keeping parameters of `current` this module does not own. Defaults
 * are left out, so the plain view has a plain URL. Returns '' or a string starting with '?'.
 */
export function filtersToSearch(filters: GalleryFilters, current = ''): string {
  const p = new URLSearchParams(current);
  for (const key of KEYS) p.delete(key);
  for (const key of KEYS) {
    const value = key === 'q' ? filters.q.trim() : filters[key];
    if (value !== '' && value !== DEFAULT_FILTERS[key]) p.set(key, value);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** True when the view is narrowed (sorting alone narrows nothing). */
export function isNarrowed(f: GalleryFilters): boolean {
  return f.type !== 'all' || f.q !== '' || f.model !== '' || f.owner !== '' || f.from !== '' || f.to !== '';
}

/** First and last millisecond of the chosen local days, or undefined for an open end. */
export function dateBounds(f: Pick<GalleryFilters, 'from' | 'to'>): { from?: number; to?: number } {
  const out: { from?: number; to?: number } = {};
  if (f.from) out.from = new Date(`${f.from}T00:00:00`).getTime();
  if (f.to) {
    const end = new Date(`${f.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    out.to = end.getTime() - 1;
  }
  return out;
}

/**
 * Query parameters for GET /api/assets. Dates go as ISO instants of the local day bounds, so "today"
 * means the user's today whatever the server's time zone.
 */
export function toApiParams(f: GalleryFilters): Record<string, string | undefined> {
  const { from, to } = dateBounds(f);
  return {
    type: f.type === 'all' ? undefined : f.type,
    model: f.model || undefined,
    owner: f.owner || undefined,
    from: from === undefined ? undefined : new Date(from).toISOString(),
    to: to === undefined ? undefined : new Date(to).toISOString(),
    q: f.q || undefined,
    sort: f.sort,
    order: f.order,
  };
}

/**
 * Whether an asset belongs in the filtered view: true/false, or null when only the server can tell
 * (free-text search: its matching rules are the server's).
 */
export function matchesFilters(asset: Asset, f: GalleryFilters): boolean | null {
  if (f.type !== 'all' && asset.type !== f.type) return false;
  if (f.model && asset.meta.model !== f.model) return false;
  if (f.owner && asset.owner !== f.owner) return false;
  if (f.from || f.to) {
    const at = Date.parse(asset.createdAt);
    const { from, to } = dateBounds(f);
    if (Number.isNaN(at)) return null;
    if (from !== undefined && at < from) return false;
    if (to !== undefined && at > to) return false;
  }
  return f.q ? null : true;
}

/** The gallery's order as a comparator (negative: `a` comes first), as the server sorts. */
export function compareAssets(sort: SortField, order: SortOrder): (a: Asset, b: Asset) => number {
  const dir = order === 'asc' ? 1 : -1;
  const byKey =
    sort === 'name'
      ? (a: Asset, b: Asset) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0)
      : sort === 'size'
        ? (a: Asset, b: Asset) => a.size - b.size
        : (a: Asset, b: Asset) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);
  return (a, b) => dir * byKey(a, b);
}

/** The order a sort field is usually wanted in when first chosen: A→Z for names, largest/newest first. */
export function naturalOrder(sort: SortField): SortOrder {
  return sort === 'name' ? 'asc' : 'desc';
}
