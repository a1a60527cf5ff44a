import { useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { loadedPages } from '../../events/galleryCache';
import { canRerun, useAssetActions } from '../../hooks/useAssetActions';
import { galleryPageQuery, useAssetAt } from '../../hooks/useGallery';
import { isImageClip, slideDurationMs } from '../../lib/clipTiming';
import { formatDuration } from '../../lib/format';
import type { GalleryFilters } from '../../lib/galleryFilters';
import { indexOfId, PAGE_SIZE, pageOf } from '../../lib/galleryPages';
import { SLIDESHOW_INTERVALS, useGalleryUi, type ViewerTarget } from '../../state/gallery';
import { useSitePreview } from '../../hooks/useSite';
import { useSiteStudio } from '../../state/siteStudio';
import { ClipPlayer } from '../ClipPlayer/ClipPlayer';
import { SiteCard } from '../AssetTile/SiteCard';
import { ImageStage, type ImageStageHandle } from './ImageStage';
import styles from './Viewer.module.css';

interface Props {
  filters: GalleryFilters;
  total: number;
  target: ViewerTarget;
  /** Closed, showing `target` last. */
  onClose: (last: ViewerTarget) => void;
}

function Media({ asset, stageRef, onSwipe, slideshow, onEnded, onUnplayable }: {
  asset: Asset;
  stageRef: Ref<ImageStageHandle>;
  onSwipe: (d: -1 | 1) => void;
  slideshow: boolean;
  onEnded: () => void;
  onUnplayable: () => void;
}) {
  // An animated WebP/GIF clip (e.g. SVD output) is a video asset in an image format: no <video> plays it.
  if (isImageClip(asset)) return <ClipPlayer key={asset.id} ref={stageRef} asset={asset} onSwipe={onSwipe} />;
  if (asset.type === 'image' || asset.mimeType.startsWith('image/')) return <ImageStage key={asset.id} ref={stageRef} asset={asset} onSwipe={onSwipe} />;
  if (asset.type === 'video') {
    return (
      <div className={styles.stage}>
        {/* Slideshows play videos muted to their end; otherwise the user starts them. */}
        <video
          key={asset.id}
          className={styles.video}
          src={asset.url}
          poster={asset.thumbUrl}
          controls
          playsInline
          autoPlay={slideshow}
          muted={slideshow}
          onEnded={onEnded}
          onError={onUnplayable}
          aria-label={asset.meta.prompt ?? asset.fileName}
        />
      </div>
    );
  }
  return <SiteStage asset={asset} />;
}

/** A site: its picture, the site studio, and its live preview in a new tab (never the manifest JSON). */
function SiteStage({ asset }: { asset: Asset }) {
  const open = useSiteStudio((s) => s.open);
  const preview = useSitePreview(asset.id, undefined);
  return (
    <div className={styles.stage}>
      <div className={styles.site}>
        {asset.screenshot ? <img className={styles.sitePreview} src={asset.thumbUrl} alt="" /> : <SiteCard large title={asset.title ?? asset.meta.prompt ?? 'Site'} />}
        <button type="button" className={styles.tool} data-testid="viewer-open-studio" onClick={() => open(asset.id)}>
          Open in site studio
        </button>
        {preview.data && (
          <a className={styles.tool} href={preview.data.url} target="_blank" rel="noopener noreferrer" data-testid="viewer-open-site">
            Open the live site in a new tab
          </a>
        )}
      </div>
    </div>
  );
}

/**
 * Full-screen viewer over the current filtered list (a modal dialog). ←/→ move through the list,
 * Esc closes, +/−/0 zoom images and clips; a slideshow advances every 2, 5 or 10 s and pauses on any interaction.
 * Loaded lazily: it is not part of the initial bundle.
 */
export default function Viewer({ filters, total, target, onClose }: Props) {
  const client = useQueryClient();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const stageRef = useRef<ImageStageHandle>(null);
  const setViewer = useGalleryUi((s) => s.openViewer);
  const interval = useGalleryUi((s) => s.slideshowMs);
  const setInterval_ = useGalleryUi((s) => s.setSlideshowMs);
  const [playing, setPlaying] = useState(false);
  const actions = useAssetActions();

  const index = Math.min(target.index, Math.max(0, total - 1));
  const { asset: atIndex, isPending } = useAssetAt(filters, index);
  // An insert or delete above may have moved the asset: follow it by id while it is loaded.
  const moved = atIndex && target.id && atIndex.id !== target.id ? indexOfId(loadedPages(client, filters), target.id) : -1;
  const asset = moved >= 0 ? undefined : atIndex;

  useEffect(() => {
    if (moved >= 0) setViewer({ id: target.id, index: moved });
    else if (atIndex && atIndex.id !== target.id) setViewer({ id: atIndex.id, index });
  }, [moved, atIndex, target.id, index, setViewer]);

  const last = useRef(target);
  useEffect(() => {
    last.current = { id: asset?.id ?? target.id, index };
  }, [asset, target.id, index]);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.focus();
    return () => {
      if (dialog.open) dialog.close();
    };
  }, []);

  const go = (delta: number) => {
    const next = Math.max(0, Math.min(total - 1, index + delta));
    if (next !== index) setViewer({ id: '', index: next });
    return next !== index;
  };

  // Neighbours: their page is fetched and the next image decoded before it is needed.
  useEffect(() => {
    for (const i of [index - 1, index + 1]) {
      if (i < 0 || i >= total) continue;
      void client.prefetchQuery(galleryPageQuery(client, filters, pageOf(i)));
    }
    const next = loadedPages(client, filters).get(pageOf(index + 1))?.[(index + 1) % PAGE_SIZE];
    if (next?.type === 'image') new Image().src = next.url;
  }, [client, filters, index, total]);

  const atEnd = index >= total - 1;
  // How long a slide stays: an image the interval, an image-format clip one loop (slideDurationMs); a
  // real video plays to its `ended` (null here), unless it cannot play: then it gets the interval too.
  const [unplayable, setUnplayable] = useState<string | null>(null);
  const slideMs = asset && unplayable !== asset.id ? slideDurationMs(asset, interval) : interval;
  useEffect(() => {
    if (!playing || slideMs === null) return;
    const t = setTimeout(() => {
      if (atEnd) setPlaying(false);
      else setViewer({ id: '', index: index + 1 });
    }, slideMs);
    return () => clearTimeout(t);
  }, [playing, slideMs, atEnd, index, setViewer]);

  const close = () => onClose(last.current);

  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    const el = e.target as HTMLElement;
    const inControl = el.tagName === 'VIDEO' || el.tagName === 'SELECT' || el.tagName === 'INPUT';
    if (e.key === 'Escape') return; // the dialog's cancel event closes it
    if (!inControl) setPlaying(false);
    if (inControl) return;
    const keys: Record<string, () => void> = {
      ArrowRight: () => go(1),
      ArrowLeft: () => go(-1),
      Home: () => go(-index),
      End: () => go(total),
      '+': () => stageRef.current?.zoomBy(1.25),
      '=': () => stageRef.current?.zoomBy(1.25),
      '-': () => stageRef.current?.zoomBy(0.8),
      '0': () => stageRef.current?.reset(),
    };
    const run = keys[e.key];
    if (run && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      run();
    }
  };

  const name = asset?.fileName ?? 'Loading…';
  return (
    <dialog
      ref={dialogRef}
      className={styles.viewer}
      data-testid="viewer"
      aria-label={`Viewer: ${name}`}
      aria-describedby="viewer-position"
      tabIndex={-1}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        if (!(e.target as HTMLElement).closest('[data-slideshow]')) setPlaying(false);
      }}
      onWheel={() => setPlaying(false)}
    >
      <header className={styles.bar}>
        <div className={styles.title}>
          <span className={styles.name} data-testid="viewer-title" data-asset-id={asset?.id}>
            {name}
          </span>
          <span id="viewer-position" className={styles.position}>
            {(index + 1).toLocaleString()} / {total.toLocaleString()}
            {asset?.type === 'video' && asset.durationMs !== undefined ? ` · ${formatDuration(asset.durationMs)}` : ''}
          </span>
        </div>
        <div className={styles.tools} data-slideshow>
          <button
            type="button"
            className={styles.tool}
            data-testid="slideshow-toggle"
            aria-pressed={playing}
            onClick={() => setPlaying(!playing)}
            disabled={total < 2}
          >
            {playing ? '❚❚ Pause' : '▶ Slideshow'}
          </button>
          <select className={styles.interval} aria-label="Slideshow interval" data-testid="slideshow-interval" value={interval} onChange={(e) => setInterval_(Number(e.target.value))}>
            {SLIDESHOW_INTERVALS.map((ms) => (
              <option key={ms} value={ms}>
                {ms / 1000} s
              </option>
            ))}
          </select>
        </div>
        <div className={styles.tools}>
          {asset && (
            <>
              {canRerun(asset) && asset.type !== 'site' && (
                <button type="button" className={styles.tool} data-testid="viewer-variations" title="Queue the same request again with a new random seed" onClick={() => actions.variations(asset)}>
                  Variations
                </button>
              )}
              <button type="button" className={styles.tool} onClick={() => actions.download([asset])}>
                Download
              </button>
              <button type="button" className={styles.tool} data-tone="danger" data-testid="viewer-delete" onClick={() => void actions.confirmDelete([asset])}>
                Delete…
              </button>
            </>
          )}
          <button type="button" className={styles.tool} data-testid="viewer-close" aria-label="Close viewer" aria-keyshortcuts="Escape" onClick={close}>
            ✕
          </button>
        </div>
      </header>
      <div className={styles.body}>
        {asset ? (
          <Media asset={asset} stageRef={stageRef} onSwipe={(d) => go(d)} slideshow={playing} onEnded={() => playing && (atEnd ? setPlaying(false) : go(1))}
            onUnplayable={() => setUnplayable(asset.id)}
          />
        ) : (
          <div className={styles.stage}>
            <p className={styles.mediaError}>{isPending ? 'Loading…' : 'This item is no longer here.'}</p>
          </div>
        )}
        <button type="button" className={styles.nav} data-side="prev" data-testid="viewer-prev" aria-label="Previous" aria-keyshortcuts="ArrowLeft" onClick={() => go(-1)} disabled={index <= 0}>
          ‹
        </button>
        <button type="button" className={styles.nav} data-side="next" data-testid="viewer-next" aria-label="Next" aria-keyshortcuts="ArrowRight" onClick={() => go(1)} disabled={atEnd}>
          ›
        </button>
      </div>
      {asset?.meta.prompt && <p className={styles.caption}>{asset.meta.prompt}</p>}
    </dialog>
  );
}
