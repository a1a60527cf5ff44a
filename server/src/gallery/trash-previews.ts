/*
 * Thumbnails of trashed assets. A trashed file keeps its path in the record and its size and mtime on
 * disk (a rename), so the thumbnail the gallery cached for it (`<thumbs>/<id[0:2]>/<id>-<key>.webp`, see
 * thumbnails.ts) still shows it; nothing is decoded for the trash view. Purging an asset deletes them.
 */
import { readFile, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { newestFirst } from '@orchestrator/shared';

const ASSET_ID = /^[0-9a-f]{16}$/;

export class TrashPreviews {
  constructor(private readonly thumbsDir: string) {}

  /** The cached thumbnails of an asset, newest first (there is normally one; the sweep prunes older versions). */
  private async files(id: string): Promise<string[]> {
    if (!ASSET_ID.test(id)) return [];
    const dir = path.join(this.thumbsDir, id.slice(0, 2));
    const names = await readdir(dir).catch(() => [] as string[]);
    return newestFirst(names.filter((n) => n.startsWith(`${id}-`) && n.endsWith('.webp')).map((n) => path.join(dir, n)));
  }

  /** A cached WebP thumbnail of the asset, or null when the gallery never made one. */
  async cached(id: string): Promise<Buffer | null> {
    for (const file of await this.files(id)) {
      const body = await readFile(file).catch(() => null);
      if (body) return body;
    }
    return null;
  }

  /** Deletes the asset's cached thumbnails (after a purge: nothing will show them again). */
  async drop(id: string): Promise<void> {
    await Promise.all((await this.files(id)).map((f) => unlink(f).catch(() => undefined)));
  }
}
