import { useRef, useState, type Ref } from 'react';
import type { Asset } from '@orchestrator/shared';
import { useZoomPan, ZOOM_STEP, type ZoomHandle } from '../../hooks/useZoomPan';
import styles from './Viewer.module.css';

export type ImageStageHandle = ZoomHandle;

interface Props {
  asset: Asset;
  /** A horizontal swipe at fitted size: -1 previous, +1 next. */
  onSwipe: (direction: -1 | 1) => void;
  ref?: Ref<ImageStageHandle>;
}

/**
 * An image fitted to the stage, with zoom (wheel, pinch, buttons, keys, double-click) around the
 * pointer and drag to pan (useZoomPan). The thumbnail shows until the full file has loaded.
 */
export function ImageStage({ asset, onSwipe, ref }: Props) {
  const stageRef = useRef<HTMLDivElement>(null);
  const imgRef = useRef<HTMLImageElement>(null);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  // The picture's box as object-fit: scale-down draws it inside the stage.
  const natural = () => ({
    width: imgRef.current?.naturalWidth || asset.width || asset.meta.width || 0,
    height: imgRef.current?.naturalHeight || asset.height || asset.meta.height || 0,
  });
  const { zoom, zoomTo, reset, transform, stageProps } = useZoomPan({ stageRef, natural, onSwipe, ref });

  const percent = Math.round(zoom.scale * 100);
  return (
    <>
      <div ref={stageRef} className={styles.stage} {...stageProps}>
        {failed ? (
          <p className={styles.mediaError}>The image could not be loaded.</p>
        ) : (
          <div className={styles.frame} style={{ transform }}>
            {!loaded && <img className={styles.image} src={asset.thumbUrl} alt="" draggable={false} />}
            <img
              ref={imgRef}
              className={styles.image}
              src={asset.url}
              alt={asset.meta.prompt ?? asset.fileName}
              draggable={false}
              data-loaded={loaded || undefined}
              onLoad={() => setLoaded(true)}
              onError={() => setFailed(true)}
            />
          </div>
        )}
      </div>
      <div className={styles.zoomBar} role="group" aria-label="Zoom">
        <button type="button" className={styles.tool} aria-label="Zoom out" aria-keyshortcuts="-" onClick={() => zoomTo(zoom.scale / ZOOM_STEP)} disabled={zoom.scale <= 1}>
          −
        </button>
        <button type="button" className={styles.tool} aria-label={`Zoom ${percent}%. Reset to fit`} aria-keyshortcuts="0" onClick={reset} data-testid="zoom-reset">
          {percent}%
        </button>
        <button type="button" className={styles.tool} aria-label="Zoom in" aria-keyshortcuts="+" onClick={() => zoomTo(zoom.scale * ZOOM_STEP)} data-testid="zoom-in">
          +
        </button>
      </div>
    </>
  );
}
