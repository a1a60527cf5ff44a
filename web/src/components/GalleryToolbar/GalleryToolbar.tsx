import { useState } from 'react';
import { useAssetModels } from '../../hooks/useAssets';
import { useAccess } from '../../hooks/useAuth';
import { setGalleryFilters } from '../../hooks/useGalleryFilters';
import { DEFAULT_FILTERS, isNarrowed, naturalOrder, SORT_FIELDS, type GalleryFilters, type SortField, type TypeFilter } from '../../lib/galleryFilters';
import { friendlyModelLabels } from '../../lib/modelNames';
import { useGalleryUi, type TileFit } from '../../state/gallery';
import { SearchBox } from '../SearchBox/SearchBox';
import styles from './GalleryToolbar.module.css';

const TYPES: { id: TypeFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'image', label: 'Images' },
  { id: 'video', label: 'Videos' },
  { id: 'site', label: 'Sites' },
];

const SORT_LABEL: Record<SortField, string> = { date: 'Date', name: 'Name', size: 'Size' };

const ORDER_LABEL: Record<SortField, { asc: string; desc: string }> = {
  date: { desc: 'Newest first', asc: 'Oldest first' },
  name: { asc: 'A → Z', desc: 'Z → A' },
  size: { desc: 'Largest first', asc: 'Smallest first' },
};

/** Team mode: "Mine" narrows the gallery to what your own jobs made; a link to someone else's view shows their name. */
function MineFilter({ value }: { value: string }) {
  const { team, user } = useAccess();
  if (!team || !user) return null;
  const mine = value === user.name;
  return (
    <button
      type="button"
      className={styles.order}
      data-testid="filter-mine"
      aria-pressed={value !== ''}
      title={mine ? 'Showing only what your jobs made' : value ? `Showing only ${value}'s` : 'Show only what your jobs made'}
      onClick={() => setGalleryFilters({ owner: value ? '' : user.name })}
    >
      {value && !mine ? `${value}'s` : 'Mine'}
    </button>
  );
}

function ModelFilter({ value }: { value: string }) {
  const { data, isStale, refetch, error } = useAssetModels();
  const models = data ?? [];
  // Friendly names to read (no folder, no extension); the real name is what the filter sends.
  const labels = friendlyModelLabels([...models.map((m) => m.model), ...(value ? [value] : [])]);
  // Events mark the counts stale; they are refreshed when the list is about to be used.
  const refresh = () => {
    if (isStale) void refetch();
  };
  return (
    <select
      className={styles.select}
      data-testid="model-filter"
      aria-label="Filter by model"
      value={value}
      onChange={(e) => setGalleryFilters({ model: e.target.value })}
      onFocus={refresh}
      onPointerDown={refresh}
      title={error ? `Models unavailable: ${error.message}` : undefined}
    >
      <option value="">All models</option>
      {value && !models.some((m) => m.model === value) && <option value={value}>{labels.get(value) ?? value}</option>}
      {[...models].sort((a, b) => labels.get(a.model)!.localeCompare(labels.get(b.model)!)).map((m) => (
        <option key={m.model} value={m.model} title={m.model}>
          {labels.get(m.model)} ({m.count.toLocaleString()})
        </option>
      ))}
    </select>
  );
}

const FITS: { id: TileFit; label: string; title: string }[] = [
  { id: 'fit', label: 'Fit', title: 'Whole pictures in their true shape' },
  { id: 'fill', label: 'Fill', title: 'Pictures cropped to fill their tiles' },
];

/** How thumbnails sit in their tiles; remembered across reloads. */
function TileFitToggle() {
  const fit = useGalleryUi((s) => s.tileFit);
  const setFit = useGalleryUi((s) => s.setTileFit);
  return (
    <div className={styles.segmented} role="group" aria-label="Thumbnails">
      {FITS.map((f) => (
        <button key={f.id} type="button" className={styles.segment} data-testid={`tile-fit-${f.id}`} aria-pressed={fit === f.id} title={f.title} onClick={() => setFit(f.id)}>
          {f.label}
        </button>
      ))}
    </div>
  );
}

/**
 * Type, search, model, dates and order of the gallery. Every change goes to the URL; the gallery
 * reads it back from there. On a narrow canvas the less used controls fold behind "Filters".
 */
export function GalleryToolbar({ filters }: { filters: GalleryFilters }) {
  const [open, setOpen] = useState(false);
  const extra = [filters.model, filters.owner, filters.from, filters.to].filter(Boolean).length + (filters.sort !== 'date' || filters.order !== 'desc' ? 1 : 0);
  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Gallery filters">
      <div className={styles.primary}>
        <div className={styles.segmented} role="group" aria-label="Type">
          {TYPES.map((t) => (
            <button
              key={t.id}
              type="button"
              className={styles.segment}
              data-testid={`filter-type-${t.id}`}
              aria-pressed={filters.type === t.id}
              onClick={() => setGalleryFilters({ type: t.id })}
            >
              {t.label}
            </button>
          ))}
        </div>
        <SearchBox value={filters.q} onCommit={(q, options) => setGalleryFilters({ q }, options)} />
        {(isNarrowed(filters) || filters.sort !== 'date' || filters.order !== 'desc') && (
          <button type="button" className={styles.reset} title="Show everything, newest first" onClick={() => setGalleryFilters({ ...DEFAULT_FILTERS })}>
            Reset
          </button>
        )}
        <TileFitToggle />
        <button type="button" className={styles.more} aria-expanded={open} aria-controls="gallery-filters-more" onClick={() => setOpen(!open)}>
          Filters{extra > 0 ? ` (${extra})` : ''}
        </button>
      </div>
      <div className={styles.secondary} id="gallery-filters-more" data-open={open || undefined}>
        <MineFilter value={filters.owner} />
        <ModelFilter value={filters.model} />
        <label className={styles.date}>
          <span>From</span>
          <input
            type="date"
            data-testid="date-from"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => setGalleryFilters({ from: e.target.value })}
          />
        </label>
        <label className={styles.date}>
          <span>To</span>
          <input type="date" data-testid="date-to" value={filters.to} min={filters.from || undefined} onChange={(e) => setGalleryFilters({ to: e.target.value })} />
        </label>
        <div className={styles.sort}>
          <select
            className={styles.select}
            data-testid="sort-select"
            aria-label="Sort by"
            value={filters.sort}
            onChange={(e) => {
              const sort = e.target.value as SortField;
              setGalleryFilters({ sort, order: naturalOrder(sort) });
            }}
          >
            {SORT_FIELDS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABEL[s]}
              </option>
            ))}
          </select>
          <button
            type="button"
            className={styles.order}
            data-testid="order-toggle"
            aria-label={`Order: ${ORDER_LABEL[filters.sort][filters.order]}. Reverse`}
            title="Reverse the order"
            onClick={() => setGalleryFilters({ order: filters.order === 'asc' ? 'desc' : 'asc' })}
          >
            <span aria-hidden="true">{filters.order === 'asc' ? '↑' : '↓'}</span> {ORDER_LABEL[filters.sort][filters.order]}
          </button>
        </div>
      </div>
    </div>
  );
}
