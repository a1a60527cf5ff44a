import type { Redis } from 'ioredis';
import { AssetStore, type Asset, type PageOf } from '@orchestrator/shared';
import { notFound } from '../errors.js';
import { readPage } from '../pagination.js';
import { resolveInside } from '../files/safe-path.js';

/** The gallery as far as this issue goes: pages of the index and the files behind it. */
export class AssetService {
  private readonly store: AssetStore;

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly outputPath: string,
  ) {
    this.store = new AssetStore(redis, keyPrefix);
  }

  list(q: { limit: number; cursor?: string | undefined }): Promise<PageOf<Asset>> {
    return readPage(this.store, q);
  }

  async get(id: string): Promise<Asset> {
    const asset = await this.store.get(id);
    if (!asset) throw notFound('asset', id);
    return asset;
  }

  /** Real path of the asset's file, refused when the index points outside OUTPUT_PATH. */
  async filePath(asset: Asset): Promise<string> {
    return resolveInside(this.outputPath, asset.relPath);
  }

  /** Real path of `OUTPUT_PATH/<fileName>` for the legacy canvas route, with the same guards. */
  legacyFilePath(fileName: string): Promise<string> {
    return resolveInside(this.outputPath, fileName);
  }
}
