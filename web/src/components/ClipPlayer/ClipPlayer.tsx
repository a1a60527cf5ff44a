import { useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { Asset } from '@orchestrator/shared';
import { useZoomPan, ZOOM_STEP, type ZoomHandle } from '../../hooks/useZoomPan';
import { clipTiming } from '../../lib/clipTiming';
import { canDecodeFrames, FrameSource } from './frameSource';
import { PauseIcon, PlayIcon, StepBackIcon, StepForwardIcon } from './icons';
import styles from './ClipPlayer.module.css';

interface Props {
  /** An animated WebP/GIF/APNG video asset (isImageClip). */
  asset: Asset;
  /** Start playing once loaded (a clip in an <img> always would). */
  autoPlay?: boolean;
  /** A horizontal swipe at fitted size: -1 previous, +1 next. */
  onSwipe?: (direction: -1 | 1) => void;
  /** +/−/0 from the viewer's keyboard handler, as for images. */
  ref?: Ref<ZoomHandle>;
}

type Mode = 'loading' | 'frames' | 'fallback';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * An animated-image clip with the controls a <video> would have: play/pause, a scrubber and frame
 * steps (←/→ while paused, with focus on the player), and the image viewer's zoom (useZoomPan: wheel,
 * pinch, double-click, −/%/+ buttons, the viewer's +/−/0 keys; drag pans when zoomed). Frames come from WebCodecs' ImageDecoder; where
 * the browser has none, the clip plays in an <img> on its own and the controls say why they are absent.
 */
export function ClipPlayer({ asset, autoPlay = true, onSwipe, ref }: Props) {
  const timing = clipTiming(asset);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imgRef = useRef<HTMLImageElement>(null);
  // The clip's own size: the canvas once a frame is drawn, the <img> in fallback, else the asset's record.
  const natural = () => {
    const el = canvasRef.current?.width ? { width: canvasRef.current.width, height: canvasRef.current.height } : null;
    const img = imgRef.current?.naturalWidth ? { width: imgRef.current.naturalWidth, height: imgRef.current.naturalHeight } : null;
    return el ?? img ?? { width: asset.width ?? asset.meta.width ?? 0, height: asset.height ?? asset.meta.height ?? 0 };
  };
  const zoomPan = useZoomPan({ stageRef, natural, ...(onSwipe && { onSwipe }), ref });
  const percent = Math.round(zoomPan.zoom.scale * 100);
  const sourceRef = useRef<FrameSource | null>(null);
  const durations = useRef(new Map<number, number>());
  const [mode, setMode] = useState<Mode>('loading');
  const [count, setCount] = useState(timing.frames ?? 1);
  const [index, setIndex] = useState(0);
  const [shown, setShown] = useState(-1);
  const [playing, setPlaying] = useState(autoPlay);

  useEffect(() => {
    const ac = new AbortController();
    void (async () => {
      if (!(await canDecodeFrames(asset.mimeType))) return setMode('fallback');
      try {
        const source = await FrameSource.open(asset.url, asset.mimeType, ac.signal);
        if (ac.signal.aborted) return source.close();
        sourceRef.current = source;
        setCount(source.frameCount);
        setMode('frames');
      } catch {
        if (!ac.signal.aborted) setMode('fallback');
      }
    })();
    return () => {
      ac.abort();
      sourceRef.current?.close();
      sourceRef.current = null;
    };
  }, [asset.url, asset.mimeType]);

  // Draw the current frame; `shown` says which one is on the canvas (the play timer waits for it).
  useEffect(() => {
    const source = sourceRef.current;
    if (mode !== 'frames' || !source) return;
    let stale = false;
    void source.frame(index).then(
      (frame) => {
        const canvas = canvasRef.current;
        if (!stale && canvas) {
          if (canvas.width !== frame.bitmap.width || canvas.height !== frame.bitmap.height) {
            canvas.width = frame.bitmap.width;
            canvas.height = frame.bitmap.height;
          }
          canvas.getContext('2d')?.drawImage(frame.bitmap, 0, 0);
          if (frame.durationMs) durations.current.set(index, frame.durationMs);
          setShown(index);
        }
        if (!source.isCached(index)) frame.bitmap.close();
      },
      () => undefined, // closed while decoding (the viewer moved on)
    );
    return () => {
      stale = true;
    };
  }, [mode, index]);

  const frameMs = (i: number) => durations.current.get(i) ?? 1000 / timing.fps;
  useEffect(() => {
    if (!playing || mode !== 'frames' || shown !== index || count < 2) return;
    const t = setTimeout(() => setIndex((i) => (i + 1) % count), frameMs(index));
    return () => clearTimeout(t);
  });

  const step = (delta: number) => {
    setPlaying(false);
    setIndex((i) => (i + delta + count) % count);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (mode !== 'frames') return;
    const arrow = e.key === 'ArrowLeft' || e.key === 'ArrowRight';
    if ((e.target as HTMLElement).tagName === 'INPUT') {
      // The scrubber moves by itself; the viewer must not take the arrow as "next item".
      if (arrow) e.stopPropagation();
      return;
    }
    if (arrow && !playing) {
      e.preventDefault();
      e.stopPropagation();
      step(e.key === 'ArrowRight' ? 1 : -1);
    } else if (e.key === 'k' || e.key === 'K') {
      e.preventDefault();
      setPlaying(!playing);
    }
  };

  const label = asset.meta.prompt ?? asset.fileName;
  const at = index * (timing.durationMs / Math.max(1, count));
  return (
    <div className={styles.player} data-testid="clip-player" data-state={mode === 'frames' ? (playing ? 'playing' : 'paused') : mode} data-frame={index} onKeyDown={onKeyDown}>
      <div ref={stageRef} className={styles.stage} data-testid="clip-stage" {...zoomPan.stageProps}>
        {mode === 'fallback' ? (
          <img ref={imgRef} className={styles.media} style={{ transform: zoomPan.transform }} src={asset.url} alt={label} draggable={false} />
        ) : (
          <canvas ref={canvasRef} className={styles.media} style={{ transform: zoomPan.transform }} role="img" aria-label={label} data-testid="clip-canvas" />
        )}
      </div>
      {mode === 'fallback' ? (
        <p className={styles.note}>This browser cannot decode the clip frame by frame (no ImageDecoder): it plays on its own, without controls.</p>
      ) : (
        <div className={styles.controls} role="group" aria-label="Playback">
          <button type="button" className={styles.button} data-testid="clip-step-back" aria-label="Previous frame" aria-keyshortcuts="ArrowLeft" onClick={() => step(-1)} disabled={mode !== 'frames'}>
            <StepBackIcon />
          </button>
          <button
            type="button"
            className={styles.button}
            data-testid="clip-play"
            aria-label={playing ? 'Pause' : 'Play'}
            aria-keyshortcuts="K"
            onClick={() => setPlaying(!playing)}
            disabled={mode !== 'frames'}
          >
            {playing ? <PauseIcon /> : <PlayIcon />}
          </button>
          <button type="button" className={styles.button} data-testid="clip-step-forward" aria-label="Next frame" aria-keyshortcuts="ArrowRight" onClick={() => step(1)} disabled={mode !== 'frames'}>
            <StepForwardIcon />
          </button>
          <input
            type="range"
            className={styles.scrub}
            data-testid="clip-scrub"
            aria-label="Frame"
            aria-valuetext={`Frame ${index + 1} of ${count}`}
            min={0}
            max={Math.max(0, count - 1)}
            step={1}
            value={index}
            disabled={mode !== 'frames'}
            onChange={(e) => {
              setPlaying(false);
              setIndex(Number(e.target.value));
            }}
          />
          <span className={styles.position} data-testid="clip-position">
            {index + 1} / {count} · {seconds(at)} / {seconds(timing.durationMs)}
          </span>
          <span className={styles.zoom} role="group" aria-label="Zoom">
            <button type="button" className={styles.button} data-testid="clip-zoom-out" aria-label="Zoom out" aria-keyshortcuts="-" onClick={() => zoomPan.zoomTo(zoomPan.zoom.scale / ZOOM_STEP)} disabled={zoomPan.zoom.scale <= 1}>
              −
            </button>
            <button type="button" className={styles.button} data-testid="clip-zoom-reset" aria-label={`Zoom ${percent}%. Reset to fit`} aria-keyshortcuts="0" onClick={zoomPan.reset}>
              {percent}%
            </button>
            <button type="button" className={styles.button} data-testid="clip-zoom-in" aria-label="Zoom in" aria-keyshortcuts="+" onClick={() => zoomPan.zoomTo(zoomPan.zoom.scale * ZOOM_STEP)}>
              +
            </button>
          </span>
        </div>
      )}
    </div>
  );
}
