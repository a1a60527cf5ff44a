import { api } from '../api/endpoints';
import { toast } from '../state/toasts';
import { applySettings } from './applySettings';
import { MODE_LABEL, planFromRequest, type SettingsPlan } from './reuseSettings';
import { withCatalogueModel } from './settingsForAsset';

/** Files larger than this are not read for settings (a PNG's text sits in its first kilobytes anyway). */
const MAX_BYTES = 200 * 1024 * 1024;

/**
 * Loads the settings a dropped PNG, JPEG or WebP carries into the right form and says what could not be used. A file
 * made here whose job the server still has gives that job's exact request.
 */
export async function loadSettingsFromFile(file: File): Promise<void> {
  if (file.size > MAX_BYTES) return void toast.error(`${file.name}: too large to read settings from`);
  const { readImageSettings } = await import('./imageSettings');
  const read = readImageSettings(new Uint8Array(await file.arrayBuffer()));
  if (!read.ok) return void toast.error(`Nothing loaded from ${file.name}: ${read.message}`);
  let plan: SettingsPlan = read.plan;
  const job = read.source === 'orchestrator' && read.meta.jobId ? await api.getJob(read.meta.jobId).catch(() => null) : null;
  if (job) plan = planFromRequest(job.request, read.meta.seed !== undefined ? { actualSeed: read.meta.seed } : {});
  else plan = await withCatalogueModel(plan);
  applySettings(plan, { title: `Loaded the settings of ${file.name} (${read.label}) into ${MODE_LABEL[plan.mode]}.` });
}
