import { useImperativeHandle, useRef, useState, type PointerEvent, type Ref, type RefObject, type WheelEvent } from 'react';
import { clampPan, FIT, zoomAt, type Box, type Zoom } from '../lib/zoom';

/** What the viewer's keyboard handler drives: +/−/0. */
export interface ZoomHandle {
  zoomBy: (factor: number) => void;
  reset: () => void;
}

export const ZOOM_STEP = 1.25;
const SWIPE_PX = 60;

interface Options {
  /** The element the media is fitted (object-fit: contain / scale-down) and centred in. */
  stageRef: RefObject<HTMLElement | null>;
  /** The media's own pixel size (0 × 0 while unknown: the stage's size is used). */
  natural: () => Box;
  /** A horizontal swipe at fitted size: -1 previous, +1 next. */
  onSwipe?: (direction: -1 | 1) => void;
  /** Exposes zoomBy/reset to a parent's keyboard handler. */
  ref?: Ref<ZoomHandle>;
}

/**
 * Zoom and pan of media fitted in a stage, as photo viewers do it: wheel and trackpad pinch around the
 * pointer, two-finger pinch, drag to pan when zoomed, double-click to zoom in or back to fit, and
 * zoomBy/reset for buttons and keys. The image viewer and the clip player share it.
 */
export function useZoomPan({ stageRef, natural, onSwipe, ref }: Options) {
  const [zoom, setZoom] = useState<Zoom>(FIT);
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ startZoom: Zoom; startDist: number; startMid: { x: number; y: number }; start: { x: number; y: number }; moved: boolean } | null>(null);

  const boxes = () => {
    const rect = stageRef.current?.getBoundingClientRect();
    const stage = { width: rect?.width ?? 0, height: rect?.height ?? 0 };
    const own = natural();
    const nw = own.width || stage.width;
    const nh = own.height || stage.height;
    const fit = nw > 0 && nh > 0 ? Math.min(1, stage.width / nw, stage.height / nh) : 1;
    return {
      stage,
      image: { width: nw * fit, height: nh * fit },
      center: { x: (rect?.left ?? 0) + stage.width / 2, y: (rect?.top ?? 0) + stage.height / 2 },
    };
  };

  /** Zooms to `scale` around a point of the screen (default: the stage centre). */
  const zoomTo = (scale: number, clientX?: number, clientY?: number) => {
    const { stage, image, center } = boxes();
    setZoom((z) => zoomAt(z, scale, clientX === undefined ? 0 : clientX - center.x, clientY === undefined ? 0 : clientY - center.y, image, stage));
  };
  const zoomBy = (factor: number) => {
    const { stage, image } = boxes();
    setZoom((z) => zoomAt(z, z.scale * factor, 0, 0, image, stage));
  };
  const reset = () => setZoom(FIT);

  useImperativeHandle(ref, () => ({ zoomBy, reset }));

  const onWheel = (e: WheelEvent<HTMLElement>) => {
    const { stage, image, center } = boxes();
    // Trackpad pinches arrive as ctrl+wheel with small deltas; mouse wheels in bigger steps.
    const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015));
    setZoom((z) => zoomAt(z, z.scale * factor, e.clientX - center.x, e.clientY - center.y, image, stage));
  };

  const onPointerDown = (e: PointerEvent<HTMLElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const pts = [...pointers.current.values()];
    const mid = pts.length === 2 ? { x: (pts[0]!.x + pts[1]!.x) / 2, y: (pts[0]!.y + pts[1]!.y) / 2 } : { x: e.clientX, y: e.clientY };
    const dist = pts.length === 2 ? Math.hypot(pts[0]!.x - pts[1]!.x, pts[0]!.y - pts[1]!.y) : 0;
    gesture.current = { startZoom: zoom, startDist: dist, startMid: mid, start: { x: e.clientX, y: e.clientY }, moved: false };
  };

  const onPointerMove = (e: PointerEvent<HTMLElement>) => {
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

  const onPointerUp = (e: PointerEvent<HTMLElement>) => {
    const g = gesture.current;
    const wasSingle = pointers.current.size === 1;
    pointers.current.delete(e.pointerId);
    if (g && wasSingle && onSwipe && g.startZoom.scale === 1 && zoom.scale === 1) {
      const dx = e.clientX - g.start.x;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(e.clientY - g.start.y)) onSwipe(dx < 0 ? 1 : -1);
    }
    // A pinch that ends with one finger down continues as a pan from where it is.
    if (pointers.current.size === 1) {
      const [rest] = pointers.current.values();
      gesture.current = { startZoom: zoom, startDist: 0, startMid: rest!, start: rest!, moved: true };
    } else if (pointers.current.size === 0) gesture.current = null;
  };

  const onDoubleClick = (e: { clientX: number; clientY: number }) => (zoom.scale > 1 ? reset() : zoomTo(2.5, e.clientX, e.clientY));

  return {
    zoom,
    zoomTo,
    zoomBy,
    reset,
    /** `translate(…) scale(…)` for the fitted media (transform-origin: center). */
    transform: `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})`,
    stageProps: { onWheel, onPointerDown, onPointerMove, onPointerUp, onPointerCancel: onPointerUp, onDoubleClick, 'data-zoomed': zoom.scale > 1 || undefined },
  };
}
