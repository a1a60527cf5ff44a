/*
 * The mask painter's pixel work, pure so it can be tested without a canvas. The painter keeps the mask
 * in the alpha channel of an RGBA buffer (painted = opaque, shown tinted over the picture); what is
 * uploaded is an opaque PNG whose grey value is that alpha — white = repaint, black = keep — which
 * ComfyUI's LoadImageMask reads from its red channel.
 */

/** Alpha → 255 − alpha (what was kept is repainted and the other way round); the tint stays. */
export function invertAlpha(rgba: Uint8ClampedArray, tint: readonly [number, number, number]): void {
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = tint[0];
    rgba[i + 1] = tint[1];
    rgba[i + 2] = tint[2];
    rgba[i + 3] = 255 - rgba[i + 3]!;
  }
}

/** The alpha channel as its own array. */
export function alphaOf(rgba: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4 + 3]!;
  return out;
}

/** One box-blur pass along the rows, or along the columns. */
function blurPass(src: Uint8ClampedArray, dst: Uint8ClampedArray, w: number, h: number, r: number, horizontal: boolean): void {
  const len = horizontal ? w : h;
  const lines = horizontal ? h : w;
  const at = (line: number, k: number) => (horizontal ? line * w + k : k * w + line);
  const span = 2 * r + 1;
  for (let line = 0; line < lines; line++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[at(line, Math.min(len - 1, Math.max(0, k)))]!;
    for (let k = 0; k < len; k++) {
      dst[at(line, k)] = Math.round(sum / span);
      sum += src[at(line, Math.min(len - 1, k + r + 1))]! - src[at(line, Math.max(0, k - r))]!;
    }
  }
}

/** A soft edge: three box-blur passes each way (close to a Gaussian of about `radius`), edges clamped. */
export function featherAlpha(alpha: Uint8ClampedArray, w: number, h: number, radius: number): Uint8ClampedArray {
  const r = Math.max(0, Math.round(radius / 2));
  if (r === 0 || w === 0 || h === 0) return alpha.slice();
  const a = alpha.slice();
  const b = new Uint8ClampedArray(alpha.length);
  for (let pass = 0; pass < 3; pass++) {
    blurPass(a, b, w, h, r, true);
    blurPass(b, a, w, h, r, false);
  }
  return a;
}

/** An opaque grey RGBA image of the alpha: white = repaint, black = keep. */
export function maskImage(alpha: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(alpha.length * 4);
  for (let i = 0; i < alpha.length; i++) {
    const v = alpha[i]!;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** A grey mask image read back into the painter's tinted alpha (its red channel is the mask). */
export function alphaFromMaskImage(rgba: Uint8ClampedArray, tint: readonly [number, number, number]): void {
  for (let i = 0; i < rgba.length; i += 4) {
    const v = rgba[i]!;
    rgba[i] = tint[0];
    rgba[i + 1] = tint[1];
    rgba[i + 2] = tint[2];
    rgba[i + 3] = v;
  }
}

/** The share of the picture marked for repainting (0–1), for the "nothing painted yet" check. */
export function coverage(alpha: Uint8ClampedArray): number {
  if (alpha.length === 0) return 0;
  let sum = 0;
  for (const v of alpha) sum += v;
  return sum / (alpha.length * 255);
}

/** The mask's size for a picture: its own, scaled down so the long side is at most `max`. */
export function maskSize(width: number, height: number, max = 2048): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
