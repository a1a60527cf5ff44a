import { FLUX_DEFAULT_MODEL, FLUX_MODEL_RULES, type FluxJobRequest, type FluxModel, type FluxParamName } from '@orchestrator/shared';

/** Our param names → BFL's body fields (bfl-openapi.json). */
export const BFL_FIELDS: Readonly<Record<FluxParamName, string>> = {
  aspectRatio: 'aspect_ratio',
  raw: 'raw',
  imagePromptStrength: 'image_prompt_strength',
  width: 'width',
  height: 'height',
  steps: 'steps',
  guidance: 'guidance',
  seed: 'seed',
  safetyTolerance: 'safety_tolerance',
  outputFormat: 'output_format',
  promptUpsampling: 'prompt_upsampling',
};

export function fluxModel(request: FluxJobRequest): FluxModel {
  return request.model ?? FLUX_DEFAULT_MODEL;
}

/**
 * The submit body for the request's model: only the params that model takes (the caller has already
 * refused the others), BFL's defaults for the rest, and the input image (base64) in the model's field.
 */
export function bflRequestBody(request: FluxJobRequest, inputImageBase64?: string): Record<string, unknown> {
  const rule = FLUX_MODEL_RULES[fluxModel(request)];
  const body: Record<string, unknown> = { prompt: request.prompt };
  for (const name of rule.params) {
    const value = request.params?.[name];
    if (value !== undefined) body[BFL_FIELDS[name]] = value;
  }
  if (inputImageBase64 !== undefined) body[rule.inputField] = inputImageBase64;
  return body;
}
