import {
  TemplateChoiceError,
  imageSources,
  prepareWorkflow,
  slotValueProblems,
  type BackendModels,
  type ComfyJobRequest,
  type SlotSpec,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { badRequest } from '../errors.js';

/*
 * The checks a ComfyUI request gets before it is queued, beyond its schema (issue 14): the template can
 * carry it out (no LoRAs on SVD, no mask without a picture, a ControlNet of the checkpoint's family…),
 * every image its graph loads is named (and exists), the ControlNet and upscale model files exist on a backend, and a
 * custom workflow's slot values fit their slots. Each failure is a 400 naming the field or slot.
 */

/** Prepares the request's graph; what its template cannot do, or an image it lacks, is the request's fault. Returns the graph's template. */
export function assertTemplateFits(request: ComfyJobRequest, template?: WorkflowTemplate): WorkflowTemplate {
  let prepared;
  try {
    prepared = prepareWorkflow(request, { seed: 0, ...(template ? { template } : {}) });
  } catch (err) {
    if (err instanceof TemplateChoiceError) throw badRequest('template_unsupported', err.message);
    throw err;
  }
  for (const source of imageSources(request, prepared.template)) {
    if (source.id) continue;
    const what = source.field === 'inputImage' ? 'starts from an image' : `needs an image for ${source.field}`;
    throw badRequest('input_image_required', `${prepared.template.title} ${what}: set ${source.field} to an upload or gallery asset id`, { field: source.field });
  }
  return prepared.template;
}

/** Every image the graph loads must be an upload or a gallery asset: a 400 naming the field otherwise. */
export async function assertImagesExist(request: ComfyJobRequest, template: WorkflowTemplate, exists: (id: string) => Promise<boolean>): Promise<void> {
  for (const source of imageSources(request, template)) {
    if (source.id === undefined || (await exists(source.id))) continue;
    throw badRequest('input_image_not_found', `${source.field}: no upload or gallery asset has the id "${source.id}" (upload it first: POST /api/uploads)`, {
      field: source.field,
      id: source.id,
    });
  }
}

const normalize = (name: string) => name.replace(/\\/g, '/');

/**
 * The ControlNet and upscale model files a request names must be in that folder on some backend (once
 * the backends have reported their lists; before that the worker's own check speaks).
 */
export function assertFolderModels(request: ComfyJobRequest, models: readonly BackendModels[]): void {
  const check = (folder: string, name: string, label: string) => {
    const known = new Set(models.flatMap((m) => (m.folders[folder] ?? []).map(normalize)));
    if (!models.some((m) => m.folders[folder] !== undefined) || known.has(normalize(name))) return;
    const available = [...known].slice(0, 5);
    throw badRequest(
      'model_unavailable',
      `${label} "${name}" is not in the ${folder} folder of any ComfyUI backend${available.length > 0 ? `; available: ${available.join(', ')}${known.size > 5 ? ', …' : ''}` : ' (the folder is empty)'}`,
      { model: name, folder, available },
    );
  };
  request.params?.controlNets?.forEach((cn, i) => check('controlnet', cn.model, `ControlNet ${i + 1}`));
  const upscale = request.params?.upscale?.model;
  if (upscale) check('upscale_models', upscale, 'Upscale model');
}

/** A custom workflow's slot values against its slots' specs: an unknown slot or a bad value is a 400 naming it. */
export function assertSlotValues(request: ComfyJobRequest, specs: readonly SlotSpec[], workflowName: string): void {
  const problems = slotValueProblems(specs, request.slots, workflowName);
  if (problems.length > 0) throw badRequest('invalid_slot', problems[0]!.message, { problems });
}
