import { describe, expect, it } from 'vitest';
import { alphaFromMaskImage, alphaOf, coverage, featherAlpha, invertAlpha, maskImage, maskSize } from './maskCanvas';

const TINT = [255, 0, 128] as const;

describe('mask painter pixels', () => {
  it('exports the painted alpha as an opaque grey PNG body (white = repaint) and reads it back', () => {
    const rgba = new Uint8ClampedArray([255, 0, 128, 255, 255, 0, 128, 0]);
    const out = maskImage(alphaOf(rgba));
    expect([...out]).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    alphaFromMaskImage(out, TINT);
    expect([...alphaOf(out)]).toEqual([255, 0]);
  });

  it('inverts: what was kept is repainted', () => {
    const rgba = new Uint8ClampedArray([0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 100]);
    invertAlpha(rgba, TINT);
    expect([...alphaOf(rgba)]).toEqual([0, 255, 155]);
    expect([...rgba.slice(0, 3)]).toEqual([255, 0, 128]);
  });

  it('feathers a hard edge into a ramp, keeping the total and the far sides', () => {
    const w = 40;
    const alpha = new Uint8ClampedArray(w).map((_v, i) => (i >= 20 ? 255 : 0));
    const soft = featherAlpha(alpha, w, 1, 6);
    expect(soft[0]).toBe(0);
    expect(soft[w - 1]).toBe(255);
    expect(soft[19]).toBeGreaterThan(0);
    expect(soft[20]).toBeLessThan(255);
    expect(Math.abs(coverage(soft) - coverage(alpha))).toBeLessThan(0.02);
    expect([...featherAlpha(alpha, w, 1, 0)]).toEqual([...alpha]);
  });

  it('caps the mask size, keeping the aspect ratio', () => {
    expect(maskSize(4000, 3000)).toEqual({ width: 2048, height: 1536 });
    expect(maskSize(640, 480)).toEqual({ width: 640, height: 480 });
  });
});
