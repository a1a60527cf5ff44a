import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent, type Ref } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { assetsByIds, loadedPages } from '../../events/galleryCache';
import { useAssetActions } from '../../hooks/useAssetActions';
import { useGalleryPages } from '../../hooks/useGallery';
import { useSettled } from '../../hooks/useSettled';
import type { GalleryFilters } from '../../lib/galleryFilters';
import { itemAt, loadedEntries, PAGE_SIZE, pagesForRange } from '../../lib/galleryPages';
import { gridGeometry, offsetForIndex, rowTop, toPhysical, toVirtual, visibleRows } from '../../lib/gridGeometry';
import { applyClick, clickMode, type ClickMode } from '../../lib/selectionRange';
import { useAssetSelection } from '../../state/assetSelection';
import { useSiteStudio } from '../../state/siteStudio';
import { useGalleryUi } from '../../state/gallery';
import { useSelection } from '../../state/selection';
import { AssetTile, TILE_CAPTION_PX } from '../AssetTile/AssetTile';
import styles from './AssetGrid.module.css';

const MIN_TILE = 150;
const MIN_TILE_NARROW = 110;
const GAP = 8;
const PAD = 8;
const OVERSCAN_ROWS = 2;
/** Wait this long after the window stops moving before fetching pages nobody has looked at yet. */
const FETCH_SETTLE_MS = 120;

export interface AssetGridHandle {
  /** Scrolls so the item at `index` is visible and gives it keyboard focus. */
  reveal: (index: number) => void;
}

interface Props {
  filters: GalleryFilters;
  /** Matching assets, once known. */
  total: number | undefined;
  /** A tile was chosen with a plain click or tap (the narrow layout then shows the Inspector). */
  onPick?: () => void;
  ref?: Ref<AssetGridHandle>;
}

/**
 * The gallery as a windowed grid of thumbnails. Only the rows in view (plus a little overscan) exist in
 * the DOM, and only the pages (by offset) behind them are fetched, so 100,000 assets scroll like 100.
 * The scroll area is capped in height (see gridGeometry). A multi-select listbox: arrows move, Shift
 * extends, Ctrl/Cmd toggles, Ctrl/Cmd+A selects what is loaded, Enter opens the viewer, Shift+F10 or
 * the Menu key opens the actions menu.
 */
export function AssetGrid({ filters, total, onPick, ref }: Props) {
  const client = useQueryClient();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  /** An index that should take focus as soon as its tile is rendered. */
  const focusIndex = useRef<number | null>(null);

  const selectedIds = useAssetSelection((s) => s.ids);
  const selectMode = useAssetSelection((s) => s.selectMode);
  const current = useSelection((s) => (s.selected?.kind === 'asset' ? s.selected.id : null));
  const select = useSelection((s) => s.select);
  const openGalleryViewer = useGalleryUi((s) => s.openViewer);
  const openSiteStudio = useSiteStudio((s) => s.open);
  // A site opens big in the site studio; everything else in the viewer.
  const openViewer = (target: { id: string; index: number }) => {
    if (assetAt(target.index)?.type === 'site') openSiteStudio(target.id);
    else openGalleryViewer(target);
  };
  const openMenu = useGalleryUi((s) => s.openMenu);
  const fit = useGalleryUi((s) => s.tileFit);
  const actions = useAssetActions();

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    // The bottom padding is room kept free under the job tray: not part of the view.
    const measure = () => setSize({ width: el.clientWidth, height: Math.max(0, el.clientHeight - (parseFloat(getComputedStyle(el).paddingBottom) || 0)) });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const count = total ?? 0;
  const g = useMemo(
    () => gridGeometry({ width: size.width, viewport: size.height, count, minTile: size.width < 500 ? MIN_TILE_NARROW : MIN_TILE, gap: GAP, pad: PAD, caption: TILE_CAPTION_PX }),
    [size.width, size.height, count],
  );
  const v = toVirtual(scrollTop, g);
  const { first, last } = size.height > 0 ? visibleRows(v, g, OVERSCAN_ROWS) : { first: 0, last: -1 };
  const start = first * g.cols;
  const end = Math.min(count, (last + 1) * g.cols);

  const wanted = pagesForRange(start, end, total, PAGE_SIZE / 2);
  const settledKey = useSettled(wanted.join(','), FETCH_SETTLE_MS);
  const fetchable = useMemo(() => new Set(settledKey.split(',').map(Number)), [settledKey]);
  const { pages, error } = useGalleryPages(filters, wanted, fetchable, total !== undefined);

  // Keep the first visible item in place when the column count changes (panel resized).
  const topItem = useRef(0);
  const prevCols = useRef(g.cols);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || prevCols.current === g.cols) return;
    prevCols.current = g.cols;
    el.scrollTop = toPhysical(offsetForIndex(topItem.current, 0, g, 'start'), g);
    setScrollTop(el.scrollTop);
  }, [g]);
  useEffect(() => {
    topItem.current = Math.floor(Math.max(0, v - PAD) / g.rowHeight) * g.cols;
  }, [v, g]);

  const scrollToIndex = useCallback(
    (index: number, align: 'auto' | 'center' = 'auto') => {
      const el = scrollRef.current;
      if (!el) return;
      const target = toPhysical(offsetForIndex(index, toVirtual(el.scrollTop, g), g, align), g);
      if (Math.abs(target - el.scrollTop) >= 1) {
        el.scrollTop = target;
        setScrollTop(el.scrollTop);
      }
    },
    [g],
  );

  useImperativeHandle(
    ref,
    () => ({
      reveal(index: number) {
        setActive(index);
        focusIndex.current = index;
        scrollToIndex(index, 'center');
      },
    }),
    [scrollToIndex],
  );

  // Give focus to the tile keyboard navigation moved to, once it exists (its page may still be loading).
  useEffect(() => {
    const index = focusIndex.current;
    if (index === null) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusIndex.current = null;
    }
  });

  // The active item must exist: after a delete near the end it may be past the last one.
  const activeIndex = count === 0 ? 0 : Math.min(active, count - 1);
  const idAt = () => {
    const all = loadedPages(client, filters);
    return (i: number) => itemAt(all, i)?.id;
  };
  const assetAt = (i: number): Asset | undefined => itemAt(pages, i);

  const choose = (asset: Asset, index: number, mode: ClickMode, additive: boolean, how: 'pointer' | 'keyboard') => {
    const state = useAssetSelection.getState();
    const effective = mode === 'replace' && state.selectMode ? 'toggle' : mode;
    const next = applyClick(state, asset.id, index, effective, idAt(), additive);
    state.set(next, { selectMode: state.selectMode && next.ids.size > 0 });
    setActive(index);
    if (effective !== 'toggle' || next.ids.has(asset.id)) select({ kind: 'asset', id: asset.id });
    if (how === 'pointer' && effective === 'replace') onPick?.();
  };

  const tileFrom = (target: EventTarget): { el: HTMLElement; index: number } | null => {
    const el = (target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!el || !scrollRef.current?.contains(el)) return null;
    return { el, index: Number(el.dataset.index) };
  };

  const menuAt = (index: number, x: number, y: number) => {
    const asset = assetAt(index);
    if (!asset) return;
    // Acting on an item outside the selection acts on that item alone (as file managers do).
    if (!useAssetSelection.getState().ids.has(asset.id)) choose(asset, index, 'replace', false, 'keyboard');
    openMenu({ id: asset.id, index, x, y });
  };

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const hit = tileFrom(e.target);
    if (!hit) return;
    const asset = assetAt(hit.index);
    if (!asset) return;
    if ((e.target as HTMLElement).closest('[data-action="menu"]')) {
      const r = (e.target as HTMLElement).getBoundingClientRect();
      menuAt(hit.index, r.left, r.bottom + 4);
      return;
    }
    choose(asset, hit.index, clickMode(e), e.shiftKey && (e.ctrlKey || e.metaKey), 'pointer');
  };

  const onDoubleClick = (e: MouseEvent<HTMLDivElement>) => {
    const hit = tileFrom(e.target);
    const asset = hit && assetAt(hit.index);
    if (hit && asset && !(e.target as HTMLElement).closest('[data-action="menu"]')) openViewer({ id: asset.id, index: hit.index });
  };

  const onContextMenu = (e: MouseEvent<HTMLDivElement>) => {
    const hit = tileFrom(e.target);
    if (!hit || !assetAt(hit.index)) return;
    e.preventDefault();
    menuAt(hit.index, e.clientX, e.clientY);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      const entries = loadedEntries(loadedPages(client, filters));
      useAssetSelection.getState().set({ ids: new Set(entries.map((x) => x.item.id)), anchor: activeIndex }, { loadedOnly: true });
      return;
    }
    if (e.key === 'Escape') {
      if (useAssetSelection.getState().ids.size === 0 && !current) return;
      e.preventDefault();
      useAssetSelection.getState().clear();
      select(null);
      return;
    }
    if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
      e.preventDefault();
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`);
      const r = el?.getBoundingClientRect();
      menuAt(activeIndex, r ? r.left + 8 : 0, r ? r.top + 8 : 0);
      return;
    }
    const asset = assetAt(activeIndex);
    if (e.key === 'Enter') {
      e.preventDefault();
      if (asset) openViewer({ id: asset.id, index: activeIndex });
      return;
    }
    if (e.key === ' ') {
      e.preventDefault();
      if (asset) choose(asset, activeIndex, mod ? 'toggle' : e.shiftKey ? 'range' : 'replace', mod && e.shiftKey, 'keyboard');
      return;
    }
    if (e.key === 'Delete' || (e.key === 'Backspace' && e.metaKey)) {
      e.preventDefault();
      const ids = useAssetSelection.getState().ids;
      const targets = ids.size > 0 ? assetsByIds(client, ids) : asset ? [asset] : [];
      void actions.confirmDelete(targets).then(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`)?.focus());
      return;
    }
    const pageRows = Math.max(1, Math.floor(g.viewport / g.rowHeight));
    const moves: Record<string, number> = {
      ArrowRight: activeIndex + 1,
      ArrowLeft: activeIndex - 1,
      ArrowDown: activeIndex + g.cols,
      ArrowUp: activeIndex - g.cols,
      PageDown: activeIndex + g.cols * pageRows,
      PageUp: activeIndex - g.cols * pageRows,
      Home: 0,
      End: count - 1,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const index = Math.max(0, Math.min(count - 1, target));
    setActive(index);
    focusIndex.current = index;
    scrollToIndex(index);
    const next = assetAt(index);
    // Ctrl/Cmd+arrow moves focus without selecting; Shift+arrow extends the range.
    if (next && !mod) choose(next, index, e.shiftKey ? 'range' : 'replace', false, 'keyboard');
  };

  const tiles = [];
  const tabStop = activeIndex >= start && activeIndex < end ? activeIndex : start;
  for (let row = first; row <= last; row++) {
    for (let col = 0; col < g.cols; col++) {
      const index = row * g.cols + col;
      if (index >= count) break;
      const asset = assetAt(index);
      tiles.push(
        <AssetTile
          key={index}
          asset={asset}
          index={index}
          total={count}
          selected={asset ? selectedIds.has(asset.id) : false}
          current={asset ? asset.id === current : false}
          tabbable={index === tabStop}
          fit={fit}
          style={tileStyle(g.pad + col * (g.tile + GAP), (row - first) * g.rowHeight, g.tile, g.tile + g.caption)}
        />,
      );
    }
  }
  // The rendered rows sit in one layer, placed where row `first` belongs in the (possibly scaled) scroll area.
  const layerTop = scrollTop + (rowTop(first, g) - v);

  return (
    <div
      ref={scrollRef}
      className={styles.scroller}
      data-testid="gallery-grid"
      data-total={total ?? ''}
      data-select-mode={selectMode || undefined}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      role="listbox"
      aria-label="Gallery"
      aria-multiselectable="true"
      aria-busy={total === undefined}
      onKeyDown={onKeyDown}
      onClick={onClick}
      onDoubleClick={onDoubleClick}
      onContextMenu={onContextMenu}
    >
      <div className={styles.sizer} style={{ height: g.physicalHeight }}>
        <div className={styles.layer} style={{ transform: `translateY(${layerTop}px)`, ['--tile-caption' as string]: `${TILE_CAPTION_PX}px` }}>
          {tiles}
        </div>
      </div>
      {total === undefined && !error && <p className={styles.message}>Loading gallery…</p>}
      {error && (
        <p className={styles.error} role="alert">
          Some items could not be loaded: {error.message}
        </p>
      )}
    </div>
  );
}

const styleCache = new Map<string, CSSProperties>();

/** Same numbers, same object: memoized tiles do not re-render when only the window moves. */
function tileStyle(left: number, top: number, width: number, height: number): CSSProperties {
  const key = `${left},${top},${width},${height}`;
  let style = styleCache.get(key);
  if (!style) {
    if (styleCache.size > 5000) styleCache.clear();
    style = { width, height, transform: `translate(${left}px, ${top}px)` };
    styleCache.set(key, style);
  }
  return style;
}
