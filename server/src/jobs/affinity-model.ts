import type { ComfyJobRequest, WorkflowTemplate } from '@orchestrator/shared';

/** Loader nodes whose model input decides which model a graph puts on the GPU. */
const MODEL_LOADERS: Record<string, string> = {
  CheckpointLoaderSimple: 'ckpt_name',
  ImageOnlyCheckpointLoader: 'ckpt_name',
  UNETLoader: 'unet_name',
};

/**
 * The model a ComfyUI job loads, which picks its lane (the backends that have it run it; the one
 * that has it loaded prefers it): the request's model, else what a custom workflow's graph loads.
 */
export function affinityModel(request: ComfyJobRequest, template?: WorkflowTemplate): string | undefined {
  if (request.model) return request.model;
  if (!template) return undefined;
  const bound = template.defaults.model;
  if (typeof bound === 'string' && bound) return bound;
  for (const node of Object.values(template.graph)) {
    const input = MODEL_LOADERS[node.class_type];
    const value = input ? node.inputs[input] : undefined;
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}
