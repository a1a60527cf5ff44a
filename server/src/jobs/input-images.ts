import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { AssetStore, fluxInputImageKind, type Config } from '@orchestrator/shared';
import type { ObjectFiles } from '../storage/object-files.js';

/*
 * Whether an image id a job names (inputImage, mask, a control image…) is there: a gallery asset (its
 * record) or an upload (`<DATA_PATH>/uploads/<id>.<ext>`, the uploads route's layout). A missing one is
 * the request's fault, answered before the job is queued rather than by a failed job.
 */

const UPLOAD_EXTS = ['.png', '.jpg', '.webp', '.jpeg', ''];

export type ImageExists = (id: string) => Promise<boolean>;

export function imageExistence(config: Pick<Config, 'dataPath' | 'keyPrefix'>, redis: Redis, objects: ObjectFiles | null = null): ImageExists {
  const assets = new AssetStore(redis, config.keyPrefix);
  return async (id) => {
    if (fluxInputImageKind(id) === 'asset' && (await assets.get(id)) !== null) return true;
    for (const ext of UPLOAD_EXTS) {
      if (objects) {
        if ((await objects.uploads.stat(id + ext)) !== null) return true;
        continue;
      }
      try {
        await access(path.join(config.dataPath, 'uploads', id + ext));
        return true;
      } catch {}
    }
    return false;
  };
}
