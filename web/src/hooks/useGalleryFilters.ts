import { useSyncExternalStore } from 'react';
import { DEFAULT_FILTERS, filtersToSearch, parseFilters, type GalleryFilters } from '../lib/galleryFilters';

/** Fired after this page changes the URL itself (pushState sends no popstate). */
const URL_CHANGED = 'orchestrator:urlchange';

let snapshot: { search: string | null; filters: GalleryFilters } = { search: null, filters: DEFAULT_FILTERS };

function read(): GalleryFilters {
  const search = window.location.search;
  if (search !== snapshot.search) snapshot = { search, filters: parseFilters(search) };
  return snapshot.filters;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(URL_CHANGED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(URL_CHANGED, onChange);
  };
}

/** The gallery filters, read from the page URL (the one place they live). */
export function useGalleryFilters(): GalleryFilters {
  return useSyncExternalStore(subscribe, read, () => DEFAULT_FILTERS);
}

export function currentGalleryFilters(): GalleryFilters {
  return read();
}

/**
 * Changes some filters by writing the URL. A new history entry by default, so Back returns to the
 * previous view; `replace` for refinements that should not each be a step (typing in the search box).
 */
export function setGalleryFilters(patch: Partial<GalleryFilters>, { replace = false }: { replace?: boolean } = {}): void {
  const search = filtersToSearch({ ...read(), ...patch }, window.location.search);
  if (search === window.location.search) return;
  const url = `${window.location.pathname}${search}${window.location.hash}`;
  if (replace) window.history.replaceState(window.history.state, '', url);
  else window.history.pushState(window.history.state, '', url);
  window.dispatchEvent(new Event(URL_CHANGED));
}
