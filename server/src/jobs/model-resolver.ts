import { templateFamilyFromName, type ComfyJobRequest } from '@orchestrator/shared';
import { badRequest } from '../errors.js';
import type { BackendView } from '../backends/backend-registry.js';

/**
 * Fills in and checks `model` against the checkpoints the ComfyUI backends report. Nothing known yet
 * (no monitor has run) means nothing to check against: the worker will report a bad model itself.
 */
export function resolveComfyModel(request: ComfyJobRequest, views: BackendView[]): ComfyJobRequest {
  if (views.length === 0) {
    throw badRequest('no_backend', 'No ComfyUI backend is configured: set COMFYUI_URLS (e.g. http://127.0.0.1:8188) and restart');
  }
  const known = new Set<string>();
  for (const v of views) for (const c of v.record?.checkpoints ?? []) known.add(c);

  if (request.model === undefined) {
    const online = views.find((v) => v.status.online && v.status.checkpoints.length > 0);
    // A video job wants an image-to-video checkpoint, not merely the first one listed.
    const first =
      request.kind === 'video' || request.family === 'svd'
        ? online?.status.checkpoints.find((c) => templateFamilyFromName(c) === 'svd')
        : online?.status.checkpoints[0];
    return first ? { ...request, model: first } : request;
  }
  if (known.size > 0 && !known.has(request.model)) {
    const available = [...known].slice(0, 5);
    throw badRequest(
      'unknown_model',
      `Model "${request.model}" is not on any ComfyUI backend; available: ${available.join(', ')}${known.size > 5 ? ', …' : ''}`,
      { model: request.model, available },
    );
  }
  return request;
}
