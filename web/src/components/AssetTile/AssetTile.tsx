import { memo, useEffect, useState, type CSSProperties } from 'react';
import type { Asset } from '@orchestrator/shared';
import { formatDuration } from '../../lib/format';
import styles from './AssetTile.module.css';

interface Props {
  /** undefined while its page is loading: a placeholder of the same size. */
  asset: Asset | undefined;
  index: number;
  total: number;
  selected: boolean;
  current: boolean;
  tabbable: boolean;
  style: CSSProperties;
}

/** Retries a thumbnail that failed once (the server may still be making it), then gives up. */
const RETRY_MS = 1500;

function Thumb({ asset }: { asset: Asset }) {
  const [state, setState] = useState<'loading' | 'loaded' | 'retry' | 'failed'>('loading');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (state !== 'retry') return;
    const t = setTimeout(() => {
      setAttempt(1);
      setState('loading');
    }, RETRY_MS);
    return () => clearTimeout(t);
  }, [state]);
  if (state === 'failed' || state === 'retry') {
    return <span className={styles.fallback}>{asset.type}</span>;
  }
  // A new element asks again (the thumbnail route may have answered 503 while busy).
  return (
    <img
      key={attempt}
      src={asset.thumbUrl}
      alt=""
      decoding="async"
      draggable={false}
      data-state={state}
      onLoad={() => setState('loaded')}
      onError={() => setState(attempt === 0 ? 'retry' : 'failed')}
    />
  );
}

function label(asset: Asset): string {
  const what = asset.meta.prompt ? `${asset.fileName}: ${asset.meta.prompt}` : asset.fileName;
  return asset.type === 'image' ? what : `${asset.type}, ${what}`;
}

/**
 * One cell of the gallery grid. Pointer and keyboard handling is delegated to the grid (by
 * `data-index`), so a tile is a plain memoized leaf: scrolling re-renders only the cells that change.
 */
export const AssetTile = memo(function AssetTile({ asset, index, total, selected, current, tabbable, style }: Props) {
  if (!asset) {
    return (
      <div
        role="option"
        aria-selected={false}
        aria-busy="true"
        aria-label="Loading"
        aria-posinset={index + 1}
        aria-setsize={total}
        tabIndex={tabbable ? 0 : -1}
        className={styles.tile}
        data-testid="asset-placeholder"
        data-index={index}
        style={style}
      />
    );
  }
  const duration = asset.type === 'video' && asset.durationMs !== undefined ? formatDuration(asset.durationMs) : null;
  return (
    <div
      role="option"
      aria-selected={selected}
      aria-current={current || undefined}
      aria-label={label(asset)}
      aria-posinset={index + 1}
      aria-setsize={total}
      tabIndex={tabbable ? 0 : -1}
      className={styles.tile}
      data-testid="asset-tile"
      data-asset-id={asset.id}
      data-index={index}
      data-type={asset.type}
      style={style}
    >
      <Thumb key={asset.id} asset={asset} />
      {asset.type !== 'image' && (
        <span className={styles.badge} aria-hidden="true">
          {asset.type === 'video' ? `▶ ${duration ?? 'video'}` : 'site'}
        </span>
      )}
      {/* For pointers only; keyboard users open the same menu with Shift+F10 or the Menu key. */}
      <button type="button" className={styles.more} data-action="menu" tabIndex={-1} aria-hidden="true" title="Actions">
        ⋯
      </button>
    </div>
  );
});
