/*
 * The frames of an animated image (WebP, GIF, APNG) one by one, through WebCodecs' ImageDecoder:
 * what an <img> cannot give (pause, seek, step). Decoded frames are kept as ImageBitmaps while they fit
 * a memory budget, so stepping back and looping do not decode again.
 */

/** Bitmaps kept per clip: 25 frames of 1024×576 are ~60 MB. */
const CACHE_BYTES = 256 * 1024 * 1024;

export interface ClipFrame {
  bitmap: ImageBitmap;
  /** How long this frame shows (ms), as the file says; undefined when it does not. */
  durationMs?: number;
}

/** Whether this browser can decode frames of this type (false: show the <img> as it plays itself). */
export async function canDecodeFrames(type: string): Promise<boolean> {
  if (typeof ImageDecoder === 'undefined') return false;
  try {
    return await ImageDecoder.isTypeSupported(type);
  } catch {
    return false;
  }
}

export class FrameSource {
  private readonly cache = new Map<number, ClipFrame>();
  private cachedBytes = 0;
  private closed = false;

  private constructor(
    private readonly decoder: ImageDecoder,
    readonly frameCount: number,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Fetches the file and reads its track; throws when it cannot be decoded. */
  static async open(url: string, type: string, signal: AbortSignal): Promise<FrameSource> {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    const decoder = new ImageDecoder({ data: await res.arrayBuffer(), type });
    try {
      await decoder.completed;
      await decoder.tracks.ready; // selectedTrack is null until then
      const track = decoder.tracks.selectedTrack;
      if (!track || track.frameCount < 1) throw new Error('no frames');
      const first = await decoder.decode({ frameIndex: 0 });
      const source = new FrameSource(decoder, track.frameCount, first.image.displayWidth, first.image.displayHeight);
      await source.keep(0, first.image);
      return source;
    } catch (err) {
      decoder.close();
      throw err;
    }
  }

  /** Frame `index` (0-based), decoded once and then served from the cache while it fits. */
  async frame(index: number): Promise<ClipFrame> {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const { image } = await this.decoder.decode({ frameIndex: index });
    return this.keep(index, image);
  }

  private async keep(index: number, image: VideoFrame): Promise<ClipFrame> {
    try {
      const frame: ClipFrame = { bitmap: await createImageBitmap(image), ...(image.duration ? { durationMs: image.duration / 1000 } : {}) };
      const bytes = frame.bitmap.width * frame.bitmap.height * 4;
      if (!this.closed && this.cachedBytes + bytes <= CACHE_BYTES) {
        this.cache.set(index, frame);
        this.cachedBytes += bytes;
      }
      return frame;
    } finally {
      image.close();
    }
  }

  /** Whether a bitmap of `frame` may be closed by its user (it is not kept in the cache). */
  isCached(index: number): boolean {
    return this.cache.has(index);
  }

  close(): void {
    this.closed = true;
    for (const f of this.cache.values()) f.bitmap.close();
    this.cache.clear();
    this.decoder.close();
  }
}
