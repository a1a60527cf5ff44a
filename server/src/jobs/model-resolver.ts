import { TEMPLATE_FAMILIES, templateFamilyFromName, type BackendModels, type ComfyJobRequest, type ModelInfo, type TemplateFamily } from '@orchestrator/shared';
import { badRequest } from '../errors.js';
import type { BackendView } from '../backends/backend-registry.js';

/** Where a ComfyUI request's `model` may live: a checkpoint, or a bare diffusion model (FLUX loads it with UNETLoader). */
export const MODEL_SOURCE_FOLDERS = ['checkpoints', 'diffusion_models'] as const;

/** The model catalogue as the resolver uses it (ModelCatalog.lookup). */
export interface ModelLookup {
  lookup(file: string, folders: readonly string[]): Promise<Pick<ModelInfo, 'folder' | 'family'> | null>;
}

export interface ResolveSources {
  /** The backends' per-folder model lists (BackendRegistry.models()); without them only checkpoints are known. */
  models?: readonly BackendModels[];
  /** Fills a missing `family` with the one the catalogue detected (header, else name). */
  catalogue?: ModelLookup;
}

const normalize = (name: string) => name.replace(/\\/g, '/');

/** Every checkpoint and diffusion model a backend reports, `/`-separated, with its folder (checkpoints first). */
function knownModels(views: BackendView[], models: readonly BackendModels[]): Map<string, string> {
  const known = new Map<string, string>();
  const add = (folder: string, name: string) => {
    const key = normalize(name);
    if (!known.has(key)) known.set(key, folder);
  };
  for (const v of views) for (const c of v.record?.checkpoints ?? []) add('checkpoints', c);
  for (const folder of MODEL_SOURCE_FOLDERS) for (const m of models) for (const f of m.folders[folder] ?? []) add(folder, f);
  return known;
}

/** A ComfyUI job needs at least one backend in COMFYUI_URLS, online or not. */
export function assertBackendsConfigured(views: readonly BackendView[]): void {
  if (views.length === 0) {
    throw badRequest('provider_not_configured', 'No ComfyUI backend is configured: set COMFYUI_URLS (e.g. http://127.0.0.1:8188) and restart');
  }
}

const isSourceFolder = (f: string | undefined): f is (typeof MODEL_SOURCE_FOLDERS)[number] => (MODEL_SOURCE_FOLDERS as readonly string[]).includes(f ?? '');
const isTemplateFamily = (f: string | undefined): f is TemplateFamily => (TEMPLATE_FAMILIES as readonly string[]).includes(f ?? '');

/**
 * Fills in and checks `model` against the checkpoints and diffusion models the ComfyUI backends report,
 * and fills a missing `family` from the catalogue, so the worker runs the detected family's template
 * rather than guessing from the name. Nothing known yet (no monitor has run) means nothing to check
 * against: the worker will report a bad model itself.
 */
export async function resolveComfyModel(request: ComfyJobRequest, views: BackendView[], sources: ResolveSources = {}): Promise<ComfyJobRequest> {
  assertBackendsConfigured(views);
  const known = knownModels(views, sources.models ?? []);

  if (request.model === undefined) {
    const online = views.find((v) => v.status.online && v.status.checkpoints.length > 0);
    // A video job wants an image-to-video checkpoint, not merely the first one listed.
    const first =
      request.kind === 'video' || request.family === 'svd'
        ? online?.status.checkpoints.find((c) => templateFamilyFromName(c) === 'svd')
        : online?.status.checkpoints[0];
    return first ? withFamily({ ...request, model: first }, known, sources.catalogue) : request;
  }
  if (known.size > 0 && !known.has(normalize(request.model))) {
    const available = [...known.keys()].slice(0, 5);
    throw badRequest(
      'model_unavailable',
      `Model "${request.model}" is not a checkpoint or diffusion model on any ComfyUI backend; available: ${available.join(', ')}${known.size > 5 ? ', …' : ''}`,
      { model: request.model, available },
    );
  }
  return withFamily(request, known, sources.catalogue);
}

/**
 * The request with the folder its model is in (which decides the loader: a FLUX checkpoint is
 * all-in-one) and the catalogue's family when it names none. A catalogue failure just leaves it unset.
 */
async function withFamily(request: ComfyJobRequest, known: Map<string, string>, catalogue: ModelLookup | undefined): Promise<ComfyJobRequest> {
  if (request.model === undefined) return request;
  const folder = known.get(normalize(request.model));
  const located: ComfyJobRequest = request.modelFolder === undefined && isSourceFolder(folder) ? { ...request, modelFolder: folder } : request;
  if (located.family !== undefined || !catalogue) return located;
  const hit = await catalogue.lookup(located.model!, folder ? [folder] : MODEL_SOURCE_FOLDERS).catch(() => null);
  return isTemplateFamily(hit?.family) ? { ...located, family: hit.family } : located;
}
