import type { Asset, ModelInfo } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { loaderName } from '../hooks/useModels';
import type { ModelFolder } from '../state/formDraft';
import { friendlyModelName } from './modelNames';
import { planFromMeta, planFromRequest, type PlanOptions, type SettingsPlan } from './reuseSettings';

const IMAGE_FOLDERS = new Set(['checkpoints', 'diffusion_models']);

/**
 * The catalogue's file for a model name from a file's metadata: itself, or the file it names without
 * folder or extension (A1111 writes `Model: dreamshaper_8`). Null when no backend has it.
 */
async function findImageModel(name: string): Promise<{ model: string; folder: ModelFolder } | null> {
  const wanted = friendlyModelName(name);
  const page = await api.listModels({ q: wanted, limit: 100 });
  const candidates = page.items.filter((m: ModelInfo) => IMAGE_FOLDERS.has(m.folder));
  const hit = candidates.find((m) => loaderName(m) === name) ?? candidates.find((m) => friendlyModelName(loaderName(m)) === wanted);
  return hit ? { model: loaderName(hit), folder: hit.folder as ModelFolder } : null;
}

/** An Image plan whose model is matched against the catalogue, with a note when nothing matches. */
export async function withCatalogueModel(plan: SettingsPlan): Promise<SettingsPlan> {
  if (plan.mode !== 'image' || !plan.image.model) return plan;
  const name = plan.image.model;
  const found = await findImageModel(name).catch(() => undefined);
  if (found === undefined) return plan; // the catalogue did not answer: leave the name to the form
  if (found) return { ...plan, image: { ...plan.image, model: found.model, modelFolder: found.folder } };
  return { ...plan, notes: [...plan.notes, `No backend has the model “${name}”: choose one before generating`] };
}

/**
 * The plan for an asset: its job's request when the server still has it (exact, FLUX and workflow
 * runs included), else its metadata.
 */
export async function planForAsset(asset: Asset, o: PlanOptions = {}): Promise<SettingsPlan> {
  const jobId = asset.meta.jobId;
  const job = jobId ? await api.getJob(jobId).catch(() => null) : null;
  if (job) return planFromRequest(job.request, { ...o, ...(asset.meta.seed !== undefined ? { actualSeed: asset.meta.seed } : {}) });
  return withCatalogueModel(planFromMeta(asset.meta, asset.type, {}, o));
}
