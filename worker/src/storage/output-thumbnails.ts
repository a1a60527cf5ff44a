import type { Logger } from 'pino';
import { VideoPosters, makeThumbnail } from '@orchestrator/shared';
import { errorMessage } from '../errors.js';
import type { ThumbnailSink } from './thumbnail-sink.js';

/*
 * The thumbnails of this worker's own outputs, made from the bytes it has in hand before their job
 * completes, so the gallery never waits on a cold thumbnail of something we made. Same recipe as the
 * server's (shared/src/thumbnails), so the bytes are the ones the server would have made. Encoding starts
 * as soon as the output's bytes are there, alongside its upload; filing it waits for the stored file (its
 * size and mtime are the cache key). Nothing here ever fails a job: a thumbnail that cannot be made or
 * stored is logged, and the server makes it when first asked, as for any other file.
 *
 * Videos (mp4/webm) get their poster as the server makes it, the first frame through ffmpeg, when ffmpeg
 * runs here; without it they are left to the server. Animated WebP/GIF clips are images to sharp (first
 * frame), as on the server.
 */

export type ThumbnailInput = { bytes: Uint8Array } | { file: string; video: boolean };

export interface PendingThumbnail {
  /** Files the thumbnail for the output now stored at `relPath`. Never rejects. */
  finish(relPath: string): Promise<void>;
  /** Resolves once the making is over (its input no longer read), whatever came of it. */
  settled(): Promise<void>;
}

export class OutputThumbnails {
  private readonly posters: VideoPosters;

  constructor(
    private readonly sink: ThumbnailSink,
    private readonly log: Logger,
    o: { ffmpegPath?: string | null } = {},
  ) {
    this.posters = new VideoPosters(o.ffmpegPath === undefined ? 'ffmpeg' : o.ffmpegPath);
  }

  /** Starts making the thumbnail of an output (a file must stay until `finish` has resolved). `log`: the job's. */
  begin(input: ThumbnailInput, log: Logger = this.log): PendingThumbnail {
    const made = this.make(input).catch((err: unknown) => {
      log.warn({ err: errorMessage(err) }, 'could not make the thumbnail of an output; the server will make it when asked');
      return null;
    });
    return {
      settled: () => made.then(() => undefined),
      finish: async (relPath) => {
        const body = await made;
        if (!body) return;
        await this.sink.put(relPath, body).catch((err: unknown) => {
          log.warn({ file: relPath, err: errorMessage(err) }, 'could not store the thumbnail of an output; the server will make it when asked');
        });
      },
    };
  }

  /** Null when only the server can (a video without ffmpeg here). */
  private async make(input: ThumbnailInput): Promise<Buffer | null> {
    if ('bytes' in input) return makeThumbnail(input.bytes);
    if (!input.video) return makeThumbnail(input.file);
    const frame = await this.posters.firstFrame(input.file);
    return frame ? makeThumbnail(frame) : null;
  }
}
