import type { Redis } from 'ioredis';
import pLimit from 'p-limit';
import { AssetStore, JobStore, MAX_RESOLUTION, UPSCALE_DEFAULT_FACTOR, assetIdForPath, upscaledSize, type Asset, type Job, type JobPriority, type UpscaleParams } from '@orchestrator/shared';
import { forbidden } from '../auth/auth-service.js';
import { mayManage, type Principal } from '../auth/principal.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { GalleryQuery, type AssetListPage, type AssetListQuery, type IdPage } from '../gallery/gallery-query.js';
import type { GalleryIndexing } from '../gallery/gallery-indexing.js';
import { regenerateRequest, type SeedChoice } from '../gallery/regenerate.js';
import type { TrashedAsset } from '../gallery/trash.js';
import type { JobService } from '../jobs/job-service.js';

export interface AssetServiceDeps {
  /** The index's maintenance (trash, re-index after restore); without it delete/restore answer 503. */
  gallery?: GalleryIndexing;
  jobs?: JobService;
}

export interface DeleteOutcome {
  deleted: string[];
  missing: string[];
  forbidden?: string[];
}
export interface RestoreOutcome {
  restored: string[];
  missing: string[];
  conflicts: string[];
  forbidden?: string[];
}

function notYours(asset: Asset): Error {
  return forbidden(`Asset ${asset.id} is ${asset.owner ? `${asset.owner}'s` : 'not yours'}: only its owner or an admin may move it`);
}

const BULK_CONCURRENCY = 8;
/** The trash list's cursor tag (cursors of one list are refused by the other). */
const TRASH_VIEW = '7a500000';

/** The gallery for the routes: pages and search over the index, one asset, trash, restore, regenerate. */
export class AssetService {
  private readonly store: AssetStore;
  private readonly jobStore: JobStore;
  readonly query: GalleryQuery;

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly outputPath: string,
    private readonly deps: AssetServiceDeps = {},
  ) {
    this.store = new AssetStore(redis, keyPrefix);
    this.jobStore = new JobStore(redis, keyPrefix);
    this.query = new GalleryQuery(redis, keyPrefix);
  }

  list(q: AssetListQuery): Promise<AssetListPage> {
    if (q.cursor !== undefined && q.offset !== undefined) throw badRequest('cursor_and_offset', 'Send either cursor or offset, not both');
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw badRequest('invalid_date_range', '`from` is after `to`');
    return this.query.list(q);
  }

  async get(id: string): Promise<Asset> {
    const asset = await this.store.get(id);
    if (!asset) throw notFound('asset', id);
    return asset;
  }

  models(): Promise<{ model: string; count: number }[]> {
    return this.query.models();
  }

  private gallery(): GalleryIndexing {
    if (!this.deps.gallery) throw new Error('gallery indexing is not configured');
    return this.deps.gallery;
  }

  /** Moves one asset to the trash; 404 when there is no such asset, 403 when it is not `by`'s to move. */
  async remove(id: string, by?: Principal): Promise<void> {
    if (by) {
      const asset = await this.get(id);
      if (!mayManage(by, asset.owner)) throw notYours(asset);
    }
    if ((await this.gallery().trash.trash(id)) === 'missing') throw notFound('asset', id);
  }

  /** Moves the assets `by` may move to the trash; the others are listed under `forbidden`. */
  async removeMany(ids: string[], by?: Principal): Promise<DeleteOutcome> {
    const out: DeleteOutcome = { deleted: [], missing: [] };
    await pLimit(BULK_CONCURRENCY).map([...new Set(ids)], async (id) => {
      if (by) {
        const asset = await this.store.get(id);
        if (asset && !mayManage(by, asset.owner)) return void (out.forbidden ??= []).push(id);
      }
      out[(await this.gallery().trash.trash(id)) === 'deleted' ? 'deleted' : 'missing'].push(id);
    });
    return out;
  }

  async restoreMany(ids: string[], by?: Principal): Promise<RestoreOutcome> {
    const out: RestoreOutcome = { restored: [], missing: [], conflicts: [] };
    await pLimit(BULK_CONCURRENCY).map([...new Set(ids)], async (id) => {
      if (by) {
        const trashed = await this.gallery().trash.get(id);
        if (trashed && !mayManage(by, trashed.asset.owner)) return void (out.forbidden ??= []).push(id);
      }
      const r = await this.gallery().trash.restore(id);
      out[r === 'conflict' ? 'conflicts' : r].push(id);
    });
    return out;
  }

  async listTrash(q: { limit: number; cursor?: string | undefined; offset?: number | undefined }): Promise<{ items: TrashedAsset[]; nextCursor?: string; total: number }> {
    if (q.cursor !== undefined && q.offset !== undefined) throw badRequest('cursor_and_offset', 'Send either cursor or offset, not both');
    const keys = this.store.keys.gallery;
    const page: IdPage = await this.query.rangeOf(keys.trash, q, TRASH_VIEW);
    const items = await this.gallery().trash.getMany(page.ids);
    return { items, total: page.total, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** Enqueues the request that made the asset again (optionally with another seed). */
  async regenerate(id: string, seed: SeedChoice, by?: Principal): Promise<Job> {
    if (!this.deps.jobs) throw new Error('jobs are not configured');
    const asset = await this.get(id);
    const job = asset.meta.jobId ? await this.jobStore.get(asset.meta.jobId) : null;
    return this.deps.jobs.submit(regenerateRequest(asset, job, seed), undefined, by);
  }

  /**
   * Enqueues an upscale of a gallery image as a new job of `by` (anyone may upscale anyone's image: the
   * result is theirs). The size is checked here when the index knows it; the worker checks it anyway.
   */
  async upscale(id: string, body: UpscaleParams & { priority?: JobPriority | undefined }, by?: Principal): Promise<Job> {
    if (!this.deps.jobs) throw new Error('jobs are not configured');
    const asset = await this.get(id);
    if (asset.type !== 'image' || asset.animated) {
      throw conflict('not_an_image', `Asset ${id} is ${asset.animated ? 'an animated image' : `a ${asset.type}`}: only still images can be upscaled`);
    }
    // The indexed size, else the metadata's (which records the file's own size since issue 14).
    const width = asset.width ?? asset.meta.width;
    const height = asset.height ?? asset.meta.height;
    // A model without a factor keeps the model's own scale (unknown here); a plain resize defaults to ×2.
    const factor = body.factor ?? (body.model === undefined ? UPSCALE_DEFAULT_FACTOR : undefined);
    if (factor !== undefined && width && height) {
      const size = upscaledSize(width, height, factor);
      if (size.width > MAX_RESOLUTION || size.height > MAX_RESOLUTION) {
        const problem = `${width}×${height} × ${factor} is ${size.width}×${size.height}; ComfyUI takes at most ${MAX_RESOLUTION} pixels a side`;
        throw badRequest('validation_failed', problem, [{ path: 'body/factor', message: problem }]);
      }
    }
    const upscale: UpscaleParams = { ...(body.model !== undefined ? { model: body.model } : {}), ...(body.factor !== undefined ? { factor: body.factor } : {}) };
    return this.deps.jobs.submit(
      {
        provider: 'comfyui',
        kind: 'image',
        workflow: 'upscale',
        inputImage: id,
        // The picture's prompt goes along: the job tray, the metadata and the file name say what was upscaled.
        ...(asset.meta.prompt?.trim() ? { prompt: asset.meta.prompt.slice(0, 20000) } : {}),
        params: { upscale },
        ...(body.priority ? { priority: body.priority } : {}),
      },
      undefined,
      by,
    );
  }

  /** The asset behind a legacy `/api/canvas/image/:filename`, looked up in the index. */
  async byFileName(fileName: string): Promise<Asset> {
    const id = await this.query.idForFileName(fileName, assetIdForPath(fileName));
    const asset = id ? await this.store.get(id) : null;
    if (!asset) throw notFound('file', fileName);
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
