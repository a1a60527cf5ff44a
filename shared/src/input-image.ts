/*
 * One set of limits for an image a job takes as input (an upload, or a gallery image used as one), so an
 * upload the server accepts is one every provider can use: the uploads route refuses what is over them,
 * and the providers check the same numbers before sending an image on (BFL refuses input images over
 * 20 MB; a 50000×50000 PNG would take ComfyUI's decoder down with it).
 */

/** Bytes of one input image: BFL's own limit, and above any real photo or render. */
export const MAX_INPUT_IMAGE_BYTES = 20 * 1024 * 1024;

/** Pixels of one input image (40 MP: an 8K×5K photo), far above what any model takes in. */
export const MAX_INPUT_IMAGE_PIXELS = 40_000_000;

/** Whether a width × height is a real image within the pixel limit. */
export function inputImagePixelsOk(width: number, height: number, maxPixels = MAX_INPUT_IMAGE_PIXELS): boolean {
  return Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width * height <= maxPixels;
}

/** "50000×50000 (2500 MP)", for messages. */
export function describePixels(width: number, height: number): string {
  return `${width}×${height} (${Math.round((width * height) / 1e6)} MP)`;
}
