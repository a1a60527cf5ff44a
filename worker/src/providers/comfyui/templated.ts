import { formatLoraMeta, prepareWorkflow as prepareShared, type ComfyJobRequest, type GenerationMeta, type PreparedWorkflow, type WorkflowTemplate } from '@orchestrator/shared';
import { randomSeed } from './workflow.js';

/*
 * A ComfyUI request as a filled-in template: the family (from the request, else the checkpoint's name),
 * its template, and the values bound into it. `image` (the name the backend gave the uploaded input
 * image) is set later, once the upload is done.
 */

export type { PreparedWorkflow };

/** `custom`: the template of the saved workflow the request names, if it names one. */
export function prepareWorkflow(
  jobId: string,
  request: ComfyJobRequest,
  o: { fallbackModel?: string | undefined; ran?: Record<string, unknown> | undefined; custom?: WorkflowTemplate | undefined } = {},
): PreparedWorkflow {
  return prepareShared(request, {
    seed: randomSeed(),
    filenamePrefix: `orchestrator/${jobId}`,
    ...(o.fallbackModel !== undefined ? { fallbackModel: o.fallbackModel } : {}),
    ...(o.ran ? { ran: o.ran } : {}),
    ...(o.custom ? { template: o.custom } : {}),
  });
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function templatedMeta(jobId: string, request: ComfyJobRequest, w: PreparedWorkflow, backend: string): GenerationMeta {
  const v = w.values;
  const meta: GenerationMeta = { jobId, provider: 'comfyui', prompt: request.prompt, backend };
  const put = <K extends keyof GenerationMeta>(k: K, x: GenerationMeta[K] | undefined) => {
    if (x !== undefined) meta[k] = x;
  };
  put('model', str(v.model));
  put('negativePrompt', str(v.negativePrompt));
  put('seed', num(v.seed));
  put('steps', num(v.steps));
  put('cfg', num(v.cfg));
  put('guidance', num(v.guidance));
  put('sampler', str(v.sampler));
  put('scheduler', str(v.scheduler));
  put('width', num(v.width));
  put('height', num(v.height));
  put('inputImage', request.inputImage);
  if (request.workflow && request.workflow !== 'txt2img') put('workflow', w.template.title);
  const loras = request.params?.loras;
  if (loras?.length) put('loras', formatLoraMeta(loras));
  return meta;
}
