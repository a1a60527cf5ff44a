import { isFinal, type GenerationParams, type Job, type JobRequest } from '@orchestrator/shared';

const RANK = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 } as const;

/**
 * True when `a` is a later state of the same job than `b`. Job states only move forward, so when a
 * REST snapshot and an event disagree, the one further along is the truth.
 */
function isAhead(a: Job, b: Job): boolean {
  const ra = RANK[a.status];
  const rb = RANK[b.status];
  if (ra !== rb) return ra > rb;
  if (isFinal(a.status)) return false;
  return a.progress.percent > b.progress.percent || (a.progress.step ?? 0) > (b.progress.step ?? 0);
}

/** The later of two states of one job (the incoming one on a tie: it is the newer message). */
export function latest(existing: Job, incoming: Job): Job {
  return isAhead(existing, incoming) ? existing : incoming;
}

export function isActive(job: Job): boolean {
  return job.status === 'queued' || job.status === 'running';
}

export function jobTitle(job: Job): string {
  return job.request.prompt ? job.request.prompt : `${job.kind} job`;
}

/**
 * The ComfyUI-style generation parameters of a request, as far as its provider has them: the request
 * union now also holds FLUX and v0 requests, whose parameters differ.
 */
export function generationParams(r: JobRequest): GenerationParams & { negativePrompt?: string } {
  if (r.provider === 'comfyui') return { ...(r.params ?? {}), ...(r.negativePrompt !== undefined ? { negativePrompt: r.negativePrompt } : {}) };
  const params = 'params' in r && r.params ? (r.params as Record<string, unknown>) : {};
  const num = (k: string) => (typeof params[k] === 'number' ? (params[k] as number) : undefined);
  const out: GenerationParams = {};
  for (const k of ['seed', 'steps', 'width', 'height'] as const) {
    const v = num(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
