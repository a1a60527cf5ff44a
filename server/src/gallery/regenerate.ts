/*
 * The job request that made an asset, to run again: the original request when the job record is still
 * there (meta.jobId), else one rebuilt from the file's metadata when it came from ComfyUI and names at
 * least a prompt. Anything else cannot be re-run faithfully and says so (409).
 */
import { randomInt } from 'node:crypto';
import { ComfyJobRequest, GenerationParams, checked, parseLoraMeta, type Asset, type Job, type JobRequest } from '@orchestrator/shared';
import { conflict } from '../errors.js';

export type SeedChoice = number | 'random' | undefined;

const comfyRequest = checked(ComfyJobRequest);
const comfyParams = checked(GenerationParams);
/** Seeds drawn for `random`: 48 bits, which every backend accepts. */
const RANDOM_SEED_LIMIT = 2 ** 48 - 1;

function withSeed(request: JobRequest, seed: SeedChoice): JobRequest {
  if (seed === undefined) return request;
  const value = seed === 'random' ? randomInt(0, RANDOM_SEED_LIMIT) : seed;
  switch (request.provider) {
    case 'comfyui':
    case 'flux':
      return { ...request, params: { ...request.params, seed: value } } as JobRequest;
    default:
      return request; // requests without a seed (sites) run again as they were
  }
}

/** A ComfyUI request from an asset's metadata; params the request schema would refuse are left out. */
function comfyFromMeta(asset: Asset): ComfyJobRequest | null {
  const m = asset.meta;
  if (!m.prompt || m.prompt.trim() === '') return null;
  const params: Record<string, unknown> = {};
  for (const key of ['seed', 'steps', 'cfg', 'sampler', 'scheduler', 'width', 'height'] as const) {
    const value = m[key];
    if (value === undefined) continue;
    const candidate = { [key]: value };
    if (comfyParams.check(candidate)) params[key] = value; // e.g. a width that is not a multiple of 8 is dropped
  }
  const loras = parseLoraMeta(m.loras);
  if (loras.length > 0 && comfyParams.check({ loras })) params.loras = loras;
  const request = {
    provider: 'comfyui' as const,
    kind: asset.type === 'video' ? ('video' as const) : ('image' as const),
    prompt: m.prompt.slice(0, 20000),
    ...(m.model ? { model: m.model } : {}),
    ...(m.negativePrompt ? { negativePrompt: m.negativePrompt.slice(0, 20000) } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
  };
  return comfyRequest.check(request) ? request : null;
}

/** The request to enqueue for "regenerate", or a 409 explaining why there is none. */
export function regenerateRequest(asset: Asset, job: Job | null, seed: SeedChoice): JobRequest {
  if (job) return withSeed(job.request, seed);
  if (asset.meta.provider === 'comfyui') {
    const rebuilt = comfyFromMeta(asset);
    if (rebuilt) return withSeed(rebuilt, seed);
    throw conflict('not_regenerable', 'This file came from ComfyUI but its metadata has no usable prompt, so it cannot be generated again');
  }
  if (asset.type === 'site') throw conflict('not_regenerable', 'Sites are changed through their chat, not regenerated from the gallery');
  const from = asset.meta.provider ? `from "${asset.meta.provider}"` : 'without generation metadata';
  throw conflict('not_regenerable', `This file was not made by a job of ours and is ${from}: there is no request to run again`, {
    provider: asset.meta.provider ?? null,
  });
}
