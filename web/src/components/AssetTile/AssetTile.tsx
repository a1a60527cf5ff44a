import { memo, useEffect, useState, type CSSProperties } from 'react';
import type { Asset } from '@orchestrator/shared';
import { formatDuration } from '../../lib/format';
import type { TileFit } from '../../state/gallery';
import { SiteCard } from './SiteCard';
import styles from './AssetTile.module.css';

/** Height of the caption line under each picture (px); the grid adds it to every row. */
export const TILE_CAPTION_PX = 22;

interface Props {
  /** undefined while its page is loading: a placeholder of the same size. */
  asset: Asset | undefined;
  index: number;
  total: number;
  selected: boolean;
  current: boolean;
  tabbable: boolean;
  /** The picture whole in its box (`fit`, aspect-true) or cropped to fill it (`fill`). */
  fit: TileFit;
  style: CSSProperties;
}

/** Retries a thumbnail that failed once (the server may still be making it), then gives up. */
const RETRY_MS = 1500;

function Thumb({ asset }: { asset: Asset }) {
  // A site shows v0's screenshot when there is one, else a card drawn from its title.
  if (asset.type === 'site' && !asset.screenshot) return <SiteCard title={asset.title ?? asset.meta.prompt ?? 'Site'} />;
  return <ThumbImage asset={asset} />;
}

function ThumbImage({ asset }: { asset: Asset }) {
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

/** What a tile says under its picture: the prompt's start, else the site's title, else the file name. */
export function tileCaption(asset: Asset): string {
  const prompt = asset.meta.prompt?.trim().replace(/\s+/g, ' ');
  return prompt || asset.title?.trim() || asset.fileName;
}

function label(asset: Asset): string {
  const what = asset.meta.prompt ? `${asset.fileName}: ${asset.meta.prompt}` : asset.fileName;
  return asset.type === 'image' ? what : `${asset.type}, ${what}`;
}

/**
 * One cell of the gallery grid. Pointer and keyboard handling is delegated to the grid (by
 * `data-index`), so a tile is a plain memoized leaf: scrolling re-renders only the cells that change.
 */
export const AssetTile = memo(function AssetTile({ asset, index, total, selected, current, tabbable, fit, style }: Props) {
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
      data-fit={fit}
      style={style}
    >
      <Thumb key={asset.id} asset={asset} />
      <span className={styles.caption} data-testid="tile-caption" aria-hidden="true">
        {tileCaption(asset)}
      </span>
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
