import { useImperativeHandle, useRef, useState, type PointerEvent, type Ref, type WheelEvent } from 'react';
import type { Asset } from '@orchestrator/shared';
import { clampPan, FIT, zoomAt, type Zoom } from '../../lib/zoom';
import styles from './Viewer.module.css';

export interface ImageStageHandle {
  /** +/−/0 from the viewer's keyboard handler. */
  zoomBy: (factor: number) => void;
  reset: () => void;
}

interface Props {
  asset: Asset;
  /** A horizontal swipe at fitted size: -1 previous, +1 next. */
  onSwipe: (direction: -1 | 1) => void;
  ref?: Ref<ImageStageHandle>;
}

const STEP = 1.25;
const SWIPE_PX = 60;

/**
 * An image fitted to the stage, with zoom (wheel, pinch, buttons, keys, double-click) around the
 * pointer and drag to pan. The thumbnail shows until the full file has loaded.
 */
export function ImageStage({ asset, onSwipe, ref }: Props) {
  const stageRef = useRef<HTMLDivElement>(null);
  const imgRef = useRef<HTMLImageElement>(null);
  const [zoom, setZoom] = useState<Zoom>(FIT);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ startZoom: Zoom; startDist: number; startMid: { x: number; y: number }; start: { x: number; y: number }; moved: boolean } | null>(null);

  const boxes = () => {
    const rect = stageRef.current?.getBoundingClientRect();
    const stage = { width: rect?.width ?? 0, height: rect?.height ?? 0 };
    // The picture's box as object-fit: scale-down draws it inside the stage.
    const nw = imgRef.current?.naturalWidth || asset.width || asset.meta.width || stage.width;
    const nh = imgRef.current?.naturalHeight || asset.height || asset.meta.height || stage.height;
    const fit = nw > 0 && nh > 0 ? Math.min(1, stage.width / nw, stage.height / nh) : 1;
    return {
      stage,
      image: { width: nw * fit, height: nh * fit },
      center: { x: (rect?.left ?? 0) + stage.width / 2, y: (rect?.top ?? 0) + stage.height / 2 },
    };
  };

  const zoomTo = (scale: number, clientX?: number, clientY?: number) => {
    const { stage, image, center } = boxes();
    setZoom((z) => zoomAt(z, scale, clientX === undefined ? 0 : clientX - center.x, clientY === undefined ? 0 : clientY - center.y, image, stage));
  };

  useImperativeHandle(ref, () => ({
    zoomBy: (factor: number) => {
      const { stage, image } = boxes();
      setZoom((z) => zoomAt(z, z.scale * factor, 0, 0, image, stage));
    },
    reset: () => setZoom(FIT),
  }));

  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    const { stage, image, center } = boxes();
    // Trackpad pinches arrive as ctrl+wheel with small deltas; mouse wheels in bigger steps.
    const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015));
    setZoom((z) => zoomAt(z, z.scale * factor, e.clientX - center.x, e.clientY - center.y, image, stage));
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const pts = [...pointers.current.values()];
    const mid = pts.length === 2 ? { x: (pts[0]!.x + pts[1]!.x) / 2, y: (pts[0]!.y + pts[1]!.y) / 2 } : { x: e.clientX, y: e.clientY };
    const dist = pts.length === 2 ? Math.hypot(pts[0]!.x - pts[1]!.x, pts[0]!.y - pts[1]!.y) : 0;
    gesture.current = { startZoom: zoom, startDist: dist, startMid: mid, start: { x: e.clientX, y: e.clientY }, moved: false };
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!pointers.current.has(e.pointerId) || !gesture.current) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const g = gesture.current;
    const pts = [...pointers.current.values()];
    const { stage, image, center } = boxes();
    if (pts.length === 2 && g.startDist > 0) {
      const dist = Math.hypot(pts[0]!.x - pts[1]!.x, pts[0]!.y - pts[1]!.y);
      const mid = { x: (pts[0]!.x + pts[1]!.x) / 2, y: (pts[0]!.y + pts[1]!.y) / 2 };
      const z = zoomAt(g.startZoom, g.startZoom.scale * (dist / g.startDist), g.startMid.x - center.x, g.startMid.y - center.y, image, stage);
      setZoom(clampPan({ ...z, x: z.x + mid.x - g.startMid.x, y: z.y + mid.y - g.startMid.y }, image, stage));
      g.moved = true;
    } else if (pts.length === 1) {
      const dx = e.clientX - g.start.x;
      const dy = e.clientY - g.start.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) g.moved = true;
      if (g.startZoom.scale > 1) setZoom(clampPan({ ...g.startZoom, x: g.startZoom.x + dx, y: g.startZoom.y + dy }, image, stage));
    }
  };

  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    const wasSingle = pointers.current.size === 1;
    pointers.current.delete(e.pointerId);
    if (g && wasSingle && g.startZoom.scale === 1 && zoom.scale === 1) {
      const dx = e.clientX - g.start.x;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(e.clientY - g.start.y)) onSwipe(dx < 0 ? 1 : -1);
    }
    // A pinch that ends with one finger down continues as a pan from where it is.
    if (pointers.current.size === 1) {
      const [rest] = pointers.current.values();
      gesture.current = { startZoom: zoom, startDist: 0, startMid: rest!, start: rest!, moved: true };
    } else if (pointers.current.size === 0) gesture.current = null;
  };

  const percent = Math.round(zoom.scale * 100);
  return (
    <>
      <div
        ref={stageRef}
        className={styles.stage}
        data-zoomed={zoom.scale > 1 || undefined}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onDoubleClick={(e) => (zoom.scale > 1 ? setZoom(FIT) : zoomTo(2.5, e.clientX, e.clientY))}
      >
        {failed ? (
          <p className={styles.mediaError}>The image could not be loaded.</p>
        ) : (
          <div className={styles.frame} style={{ transform: `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})` }}>
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
        <button type="button" className={styles.tool} aria-label="Zoom out" aria-keyshortcuts="-" onClick={() => zoomTo(zoom.scale / STEP)} disabled={zoom.scale <= 1}>
          −
        </button>
        <button type="button" className={styles.tool} aria-label={`Zoom ${percent}%. Reset to fit`} aria-keyshortcuts="0" onClick={() => setZoom(FIT)} data-testid="zoom-reset">
          {percent}%
        </button>
        <button type="button" className={styles.tool} aria-label="Zoom in" aria-keyshortcuts="+" onClick={() => zoomTo(zoom.scale * STEP)} data-testid="zoom-in">
          +
        </button>
      </div>
    </>
  );
}
