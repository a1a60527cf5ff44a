import { s3ThumbRelPath, type S3FileStore, type S3Listed } from '@orchestrator/shared';
import type { LiveAssetIds, ThumbnailPruner } from './thumbnail-sweep.js';

/*
 * The sweep's work when STORAGE=s3. The bucket's `thumbs/` holds `<recipe>/<asset id>.webp`
 * (s3ThumbRelPath). What goes: thumbnails of assets in neither the gallery nor the trash (objects
 * deleted outside the app), and anything that is not a thumbnail of the current recipe (a recipe change
 * leaves the old folder behind). Nothing younger than an hour: a worker files an output's thumbnail
 * before the gallery records the output. The listing is read a page at a time and answered in batches,
 * so a million thumbnails never sit in memory at once.
 */

const BATCH = 500;
const ASSET_ID = /^[0-9a-f]{16}$/;

/** The asset a listed object is the current recipe's thumbnail of, or null for anything else. */
function currentThumbOf(rel: string): string | null {
  const id = rel.slice(rel.lastIndexOf('/') + 1, -'.webp'.length);
  return ASSET_ID.test(id) && rel === s3ThumbRelPath(id) ? id : null;
}

export class ObjectThumbnailPruner implements ThumbnailPruner {
  constructor(
    private readonly thumbs: Pick<S3FileStore, 'walk' | 'removeMany'>,
    private readonly minAgeMs = 3600_000,
  ) {}

  async prune(liveOf: LiveAssetIds): Promise<number> {
    let deleted = 0;
    let batch: S3Listed[] = [];
    for await (const listed of this.thumbs.walk()) {
      batch.push(listed);
      if (batch.length >= BATCH) {
        deleted += await this.settle(batch, liveOf);
        batch = [];
      }
    }
    return deleted + (await this.settle(batch, liveOf));
  }

  private async settle(listed: readonly S3Listed[], liveOf: LiveAssetIds): Promise<number> {
    const old = listed.filter((o) => Date.now() - o.mtime.getTime() > this.minAgeMs);
    const ids = old.map((o) => currentThumbOf(o.rel));
    const live = await liveOf([...new Set(ids.filter((id): id is string => id !== null))]);
    const doomed = old.filter((_o, i) => ids[i] === null || !live.has(ids[i]!)).map((o) => o.rel);
    await this.thumbs.removeMany(doomed);
    return doomed.length;
  }
}
