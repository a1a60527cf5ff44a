import { describe, expect, it } from 'vitest';
import { clipTiming, DEFAULT_CLIP_FPS, DEFAULT_CLIP_MS, isImageClip, MIN_SLIDE_MS, slideDurationMs } from './clipTiming';

const clip = { type: 'video' as const, mimeType: 'image/webp' };

describe('clip timing', () => {
  it('uses the duration and frame count the index read from the file', () => {
    expect(clipTiming({ frames: 14, durationMs: 2800 })).toEqual({ frames: 14, fps: 5, durationMs: 2800, known: true });
  });

  it('falls back to frames / fps, then to frames at the default rate, then to a default length', () => {
    expect(clipTiming({ frames: 24, fps: 12 })).toEqual({ frames: 24, fps: 12, durationMs: 2000, known: true });
    expect(clipTiming({ frames: 12 })).toEqual({ frames: 12, fps: DEFAULT_CLIP_FPS, durationMs: (12 / DEFAULT_CLIP_FPS) * 1000, known: false });
    expect(clipTiming({})).toEqual({ fps: DEFAULT_CLIP_FPS, durationMs: DEFAULT_CLIP_MS, known: false });
    expect(clipTiming({ frames: 0, durationMs: 0, fps: Number.NaN })).toMatchObject({ durationMs: DEFAULT_CLIP_MS, known: false });
  });

  it('tells image-format clips from real videos and images', () => {
    expect(isImageClip(clip)).toBe(true);
    expect(isImageClip({ type: 'video', mimeType: 'video/mp4' })).toBe(false);
    expect(isImageClip({ type: 'image', mimeType: 'image/webp' })).toBe(false);
  });

  it('gives a slideshow a time for every item but a real video (which ends on its own)', () => {
    expect(slideDurationMs({ ...clip, frames: 14, durationMs: 2800 }, 5000)).toBe(2800);
    expect(slideDurationMs({ ...clip, frames: 2, durationMs: 100 }, 5000)).toBe(MIN_SLIDE_MS);
    expect(slideDurationMs(clip, 5000)).toBe(DEFAULT_CLIP_MS);
    expect(slideDurationMs({ type: 'image', mimeType: 'image/png' }, 5000)).toBe(5000);
    expect(slideDurationMs({ type: 'video', mimeType: 'video/mp4', durationMs: 3000 }, 5000)).toBeNull();
  });
});
