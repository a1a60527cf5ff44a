/*
 * Zoom and pan of an image shown "contained" in a stage. `scale` 1 is the fitted size; x/y is the pan
 * in screen pixels of the image centre from the stage centre.
 */

export interface Zoom {
  scale: number;
  x: number;
  y: number;
}

export const FIT: Zoom = { scale: 1, x: 0, y: 0 };
const MIN_SCALE = 1;
const MAX_SCALE = 10;

export interface Box {
  width: number;
  height: number;
}

/** Keeps the image covering the stage centre: no panning it out of sight. */
export function clampPan(z: Zoom, image: Box, stage: Box): Zoom {
  const maxX = Math.max(0, (image.width * z.scale - stage.width) / 2);
  const maxY = Math.max(0, (image.height * z.scale - stage.height) / 2);
  return { scale: z.scale, x: Math.min(maxX, Math.max(-maxX, z.x)), y: Math.min(maxY, Math.max(-maxY, z.y)) };
}

/**
 * Zooms to `scale` keeping the point under (px, py) (offsets from the stage centre) where it is, the
 * way maps and photo viewers do.
 */
export function zoomAt(z: Zoom, scale: number, px: number, py: number, image: Box, stage: Box): Zoom {
  const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
  if (s === MIN_SCALE) return FIT;
  const k = s / z.scale;
  return clampPan({ scale: s, x: px - (px - z.x) * k, y: py - (py - z.y) * k }, image, stage);
}
