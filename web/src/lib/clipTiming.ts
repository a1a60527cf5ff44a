import type { Asset } from '@orchestrator/shared';

/*
 * How long an animated-image clip (an animated WebP/GIF/APNG indexed as a video: SVD saves its output
 * this way) plays. Such a clip shows in an <img> or on a canvas, never in a <video>, so nothing fires
 * `ended`: the slideshow and the player go by these numbers instead.
 */

/** Frame rate assumed when the file says nothing (SVD's default output rate). */
export const DEFAULT_CLIP_FPS = 6;
/** Play time assumed when neither the duration nor the frame count is known. */
export const DEFAULT_CLIP_MS = 4000;
/** A clip shorter than this still shows this long in a slideshow (a blink is not a slide). */
export const MIN_SLIDE_MS = 1000;

export interface ClipTiming {
  /** Frames in one loop, when known. */
  frames?: number;
  fps: number;
  /** One loop. */
  durationMs: number;
  /** False when the numbers are the defaults, not the file's. */
  known: boolean;
}

/** Whether an asset is a clip in an image format: a video that plays in an <img>, not a <video>. */
export function isImageClip(asset: Pick<Asset, 'type' | 'mimeType'>): boolean {
  return asset.type === 'video' && asset.mimeType.startsWith('image/');
}

const positive = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0;

/** One loop's timing from what the index read: duration and frames, else frames and fps, else defaults. */
export function clipTiming(asset: Pick<Asset, 'durationMs' | 'frames' | 'fps'>): ClipTiming {
  const frames = positive(asset.frames) ? Math.round(asset.frames) : undefined;
  if (positive(asset.durationMs)) {
    const fps = frames ? frames / (asset.durationMs / 1000) : positive(asset.fps) ? asset.fps : DEFAULT_CLIP_FPS;
    return { ...(frames ? { frames } : {}), fps, durationMs: asset.durationMs, known: true };
  }
  if (frames) {
    const known = positive(asset.fps);
    const fps = known ? asset.fps! : DEFAULT_CLIP_FPS;
    return { frames, fps, durationMs: (frames / fps) * 1000, known };
  }
  return { fps: positive(asset.fps) ? asset.fps : DEFAULT_CLIP_FPS, durationMs: DEFAULT_CLIP_MS, known: false };
}

/**
 * How long a slideshow stays on an item before moving on: an image-format clip plays one loop (at least
 * MIN_SLIDE_MS); anything else the chosen interval. Null for a real video, which ends on its own.
 */
export function slideDurationMs(asset: Pick<Asset, 'type' | 'mimeType' | 'durationMs' | 'frames' | 'fps'>, intervalMs: number): number | null {
  if (isImageClip(asset)) return Math.max(MIN_SLIDE_MS, clipTiming(asset).durationMs);
  return asset.type === 'video' ? null : intervalMs;
}
