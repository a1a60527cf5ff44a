import { access } from 'node:fs/promises';
import path from 'node:path';
import {
  AssetStore,
  FLUX_DEFAULT_MODEL,
  fluxInputImageKind,
  fluxRequestProblem,
  type Config,
  type FluxJobRequest,
  type JobRequest,
} from '@orchestrator/shared';
import type { Redis } from 'ioredis';
import { HttpError, badRequest } from '../errors.js';

/*
 * What `POST /api/jobs` checks for provider "flux" beyond the schema: that BFL is configured, that
 * the model takes every param given (the shared rules table), and that the input image exists.
 * The model default is written into the request, so the job record says what will run.
 */

/** Upload files are `<DATA_PATH>/uploads/<id>.<ext>` (the uploads route's layout). */
const UPLOAD_EXTS = ['.png', '.jpg', '.webp', '.jpeg', ''];

async function uploadExists(dataPath: string, id: string): Promise<boolean> {
  for (const ext of UPLOAD_EXTS) {
    try {
      await access(path.join(dataPath, 'uploads', id + ext));
      return true;
    } catch {}
  }
  return false;
}

export function fluxRequestResolver(config: Config, redis: Redis): (request: JobRequest) => Promise<JobRequest> {
  const assets = new AssetStore(redis, config.keyPrefix);
  return async (request) => {
    if (request.provider !== 'flux') return request;
    if (!config.bflApiKey) {
      throw badRequest('provider_not_configured', 'FLUX is not configured on this server: set BFL_API_KEY (your Black Forest Labs API key) and restart');
    }
    const problem = fluxRequestProblem(request);
    if (problem) {
      const where = `body${problem.path}`;
      throw new HttpError('validation_failed', `Invalid request: ${where} ${problem.message}`, [{ path: where, message: problem.message }]);
    }
    const id = request.inputImage;
    if (id !== undefined) {
      const found = fluxInputImageKind(id) === 'asset' ? (await assets.get(id)) !== null : await uploadExists(config.dataPath, id);
      if (!found) throw badRequest('input_image_not_found', `inputImage: no gallery asset or upload has the id ${id}`, { inputImage: id });
    }
    const resolved: FluxJobRequest = { ...request, model: request.model ?? FLUX_DEFAULT_MODEL };
    return resolved;
  };
}
