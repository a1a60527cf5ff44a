import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Asset } from '@orchestrator/shared';
import styles from './AssetGrid.module.css';

const MIN_TILE = 150;
const GAP = 8;
const OVERSCAN_ROWS = 2;
/** Ask for the next page when the rendered rows come this close to the end. */
const PREFETCH_ROWS = 4;

interface Props {
  assets: Asset[];
  selectedId: string | null;
  onSelect: (asset: Asset, how: 'pointer' | 'keyboard') => void;
  hasMore: boolean;
  loadMore: () => void;
}

interface Metrics {
  width: number;
  height: number;
}

/**
 * The gallery as a windowed grid: only the rows in view (plus a little overscan) are in the DOM, so a
 * 100k-asset gallery scrolls with a few dozen tiles. A listbox: arrow keys move the selection.
 */
export const AssetGrid = memo(function AssetGrid({ assets, selectedId, onSelect, hasMore, loadMore }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [metrics, setMetrics] = useState<Metrics>({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const focusPending = useRef<string | null>(null);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setMetrics({ width: el.clientWidth - 2 * GAP, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const cols = Math.max(1, Math.floor((metrics.width + GAP) / (MIN_TILE + GAP)));
  const tile = Math.max(0, (metrics.width - GAP * (cols - 1)) / cols);
  const rowHeight = tile + GAP;
  const rows = Math.ceil(assets.length / cols);
  const firstRow = rowHeight > 0 ? Math.max(0, Math.floor((scrollTop - GAP) / rowHeight) - OVERSCAN_ROWS) : 0;
  const lastRow = rowHeight > 0 ? Math.min(rows - 1, Math.ceil((scrollTop + metrics.height) / rowHeight) + OVERSCAN_ROWS) : -1;
  const visible = assets.slice(firstRow * cols, (lastRow + 1) * cols);

  useEffect(() => {
    if (hasMore && rows > 0 && lastRow >= rows - PREFETCH_ROWS) loadMore();
  }, [hasMore, lastRow, rows, loadMore]);

  useEffect(() => {
    const id = focusPending.current;
    if (!id) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-asset-id="${CSS.escape(id)}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = null;
    }
  });

  const selectedIndex = selectedId ? assets.findIndex((a) => a.id === selectedId) : -1;
  const tabStop = selectedIndex >= 0 ? selectedIndex : 0;

  const scrollToIndex = (index: number) => {
    const el = scrollRef.current;
    if (!el) return;
    const top = GAP + Math.floor(index / cols) * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top - GAP;
    else if (top + tile > el.scrollTop + el.clientHeight) el.scrollTop = top + tile - el.clientHeight + GAP;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (assets.length === 0) return;
    const from = selectedIndex >= 0 ? selectedIndex : 0;
    const pageRows = Math.max(1, Math.floor(metrics.height / Math.max(1, rowHeight)));
    const moves: Record<string, number> = {
      ArrowRight: from + 1,
      ArrowLeft: from - 1,
      ArrowDown: from + cols,
      ArrowUp: from - cols,
      PageDown: from + cols * pageRows,
      PageUp: from - cols * pageRows,
      Home: 0,
      End: assets.length - 1,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const index = Math.max(0, Math.min(assets.length - 1, target));
    const asset = assets[index]!;
    focusPending.current = asset.id;
    scrollToIndex(index);
    onSelect(asset, 'keyboard');
  };

  return (
    <div
      ref={scrollRef}
      className={styles.scroller}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      role="listbox"
      aria-label="Gallery"
      onKeyDown={onKeyDown}
    >
      <div className={styles.sizer} style={{ height: rows > 0 ? rows * rowHeight - GAP : 0 }}>
        {visible.map((asset, i) => {
          const index = firstRow * cols + i;
          const row = Math.floor(index / cols);
          const col = index % cols;
          const selected = asset.id === selectedId;
          return (
            <div
              key={asset.id}
              role="option"
              aria-selected={selected}
              aria-setsize={hasMore ? -1 : assets.length}
              aria-posinset={index + 1}
              aria-label={asset.meta.prompt ? `${asset.fileName}: ${asset.meta.prompt}` : asset.fileName}
              tabIndex={index === tabStop ? 0 : -1}
              className={styles.tile}
              data-testid="asset-tile"
              data-asset-id={asset.id}
              style={{ width: tile, height: tile, transform: `translate(${col * (tile + GAP)}px, ${row * rowHeight}px)` }}
              onClick={() => onSelect(asset, 'pointer')}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(asset, 'pointer');
                }
              }}
            >
              {asset.type === 'image' ? (
                <img src={asset.thumbUrl} alt="" loading="lazy" decoding="async" draggable={false} />
              ) : (
                <span className={styles.kind}>{asset.type}</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
});
