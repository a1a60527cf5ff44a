import { fluxRequestProblem, type Asset, type FileStore, type FluxJobRequest, type GenerationMeta, type QueuedJobData } from '@orchestrator/shared';
import { HandedBack, JobCancelled, JobFailure, RetryLater, isShutdownAbort, type JobFailureCode } from '../../errors.js';
import { imageSize, saveOutput, sniffImage } from '../../cloud/files.js';
import type { Provider, RunContext, RunResult } from '../provider.js';
import type { OutputThumbnails } from '../../storage/output-thumbnails.js';
import { BflError, type BflHttpClient, type PollResult } from './http-client.js';
import { loadInputImage, type InputImageRoots } from './input-image.js';
import { bflRequestBody, fluxModel } from './request-body.js';
import type { BflTaskStore } from './task-store.js';

/*
 * One FLUX job: submit to BFL (once: a submit that may have been billed is never blindly repeated),
 * persist the task id + polling_url at once, poll that exact URL with backoff until a deadline, then
 * download the signed result straight away (it expires in about 10 minutes) into OUTPUT_PATH with our
 * metadata. A retried job finds its persisted task and polls it instead of submitting again.
 */

export interface BflTuning {
  pollInitialMs: number;
  pollMaxMs: number;
  /** Counted from the submit: a task still pending after this fails the job. */
  deadlineMs: number;
  /** Delay before trying again after a 429 without Retry-After (a little jitter is added). */
  rateLimitRetryMs: number;
  /** Longest wait a Retry-After may ask for. */
  maxRetryAfterMs: number;
  /** Delay before trying again when BFL cannot be reached at all (nothing was sent). */
  unreachableRetryMs: number;
  maxResultBytes: number;
}

export const DEFAULT_BFL_TUNING: BflTuning = {
  pollInitialMs: 500,
  pollMaxMs: 5000,
  deadlineMs: 5 * 60_000,
  rateLimitRetryMs: 5000,
  maxRetryAfterMs: 5 * 60_000,
  unreachableRetryMs: 10_000,
  maxResultBytes: 64 * 1024 * 1024,
};

/** Statuses that mean "keep polling" (Pending per the spec; the others have been reported by clients). */
const IN_PROGRESS = new Set(['Pending', 'Queued', 'Reasoning', 'Generating']);

/** Every terminal status other than Ready, as the user reads it. */
const STATUS_FAILURES: Readonly<Record<string, { code: JobFailureCode; message: string }>> = {
  'Request Moderated': {
    code: 'request_moderated',
    message: "The prompt was blocked by the provider's moderation (BFL: Request Moderated); change the prompt or raise safetyTolerance",
  },
  'Content Moderated': {
    code: 'content_moderated',
    message: "The result was blocked by the provider's moderation (BFL: Content Moderated); try another prompt or seed, or raise safetyTolerance",
  },
  'Task not found': { code: 'provider_error', message: 'BFL no longer knows this task (it expired, or was never created)' },
  Error: { code: 'provider_error', message: 'FLUX could not generate the image (BFL: Error)' },
  Failed: { code: 'provider_error', message: 'FLUX could not generate the image (BFL: Failed)' },
};

const FAILURE_BY_KIND: Partial<Record<BflError['kind'], JobFailureCode>> = {
  auth: 'provider_auth',
  credits: 'out_of_credits',
  invalid: 'provider_error',
  not_found: 'provider_error',
  untrusted_host: 'provider_error',
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

function abortError(signal: AbortSignal): Error {
  return isShutdownAbort(signal) ? new HandedBack('Worker shutting down; job handed back') : new JobCancelled();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface BflProviderDeps {
  client: BflHttpClient;
  tasks: BflTaskStore;
  roots: InputImageRoots;
  /** OUTPUT_PATH, as this worker reaches it. */
  store: FileStore;
  /** Where output thumbnails go (none: the server makes them lazily). */
  thumbnails?: OutputThumbnails;
  tuning?: Partial<BflTuning>;
}

export class BflProvider implements Provider {
  private readonly t: BflTuning;

  constructor(private readonly d: BflProviderDeps) {
    this.t = { ...DEFAULT_BFL_TUNING, ...d.tuning };
  }

  async run(job: QueuedJobData, ctx: RunContext): Promise<RunResult> {
    const request = job.request;
    if (request.provider !== 'flux') throw new JobFailure('invalid_job', `Not a FLUX job (provider ${request.provider})`);
    const problem = fluxRequestProblem(request);
    if (problem) throw new JobFailure('validation_failed', `Invalid request at ${problem.path}: ${problem.message}`);
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    try {
      let task = await this.d.tasks.get(job.id);
      if (task?.state === 'submitting') {
        throw new JobFailure(
          'submit_uncertain',
          'An earlier attempt stopped while submitting this job to BFL, so a task may exist and have been billed; it was not sent again. Retry the job to generate anew.',
        );
      }
      if (task) {
        ctx.log.info({ bflTask: task.id }, 'resuming the BFL task of an earlier attempt');
        ctx.progress({ percent: 2, message: 'resuming the FLUX task' });
      } else {
        task = { state: 'submitted', ...(await this.submit(job.id, request, ctx)) };
      }
      const result = await this.pollUntilDone(task, ctx);
      const asset = await this.fetchResult(job.id, request, result, ctx);
      await this.d.tasks.clear(job.id);
      return { assets: [asset], backend: ctx.backend.id };
    } catch (err) {
      // A final outcome ends the task's record; a hand-back or a re-queue keeps it for the next attempt.
      if (!(err instanceof HandedBack) && !(err instanceof RetryLater)) await this.d.tasks.clear(job.id).catch(() => undefined);
      throw err;
    }
  }

  private async submit(jobId: string, request: FluxJobRequest, ctx: RunContext): Promise<{ model: string; at: number; id: string; pollingUrl: string }> {
    const model = fluxModel(request);
    const image = request.inputImage !== undefined ? await loadInputImage(request.inputImage, this.d.roots) : undefined;
    // A shutdown lets the submit finish (its answer must be kept); only a cancel aborts it.
    const cancelOnly = new AbortController();
    const onAbort = () => !isShutdownAbort(ctx.signal) && cancelOnly.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    await this.d.tasks.submitting(jobId, model);
    try {
      const at = Date.now();
      const { id, pollingUrl } = await this.d.client.submit(model, bflRequestBody(request, image), cancelOnly.signal);
      const task = { model, at, id, pollingUrl };
      await this.d.tasks.submitted(jobId, task);
      ctx.log.info({ bflTask: id, model }, 'submitted to BFL');
      ctx.progress({ percent: 2, message: 'submitted to FLUX' });
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      return task;
    } catch (err) {
      if (!(err instanceof BflError)) throw cancelOnly.signal.aborted ? new JobCancelled() : err;
      await this.d.tasks.clear(jobId);
      throw this.submitFailure(err);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private submitFailure(err: BflError): Error {
    switch (err.kind) {
      case 'rate_limited': {
        const delay = Math.min(err.retryAfterMs ?? jitter(this.t.rateLimitRetryMs), this.t.maxRetryAfterMs);
        return new RetryLater(`FLUX is at its concurrency limit; trying again in ${Math.ceil(delay / 1000)} s`, delay);
      }
      case 'unreachable':
        return new RetryLater(`${capitalize(err.message)}; nothing was sent, trying again in ${Math.ceil(this.t.unreachableRetryMs / 1000)} s`, this.t.unreachableRetryMs);
      case 'server':
      case 'timeout':
      case 'network':
      case 'bad_response':
        return new JobFailure(
          'submit_uncertain',
          `${capitalize(err.message)} while submitting; the task may still have been created and billed, so it was not sent again. Retry the job if no image appears.`,
        );
      default:
        return new JobFailure(FAILURE_BY_KIND[err.kind] ?? 'provider_error', capitalize(err.message));
    }
  }

  private async pollUntilDone(task: { id: string; pollingUrl: string; at: number }, ctx: RunContext): Promise<NonNullable<PollResult['result']>> {
    let delay = this.t.pollInitialMs;
    let percent = 2;
    const deadline = task.at + this.t.deadlineMs;
    for (;;) {
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      if (Date.now() > deadline) {
        throw new JobFailure('provider_timeout', `FLUX did not finish within ${Math.round(this.t.deadlineMs / 1000)} s; gave up waiting (the task may still be billed)`);
      }
      let res: PollResult | null = null;
      try {
        res = await this.d.client.poll(task.pollingUrl, ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        if (!(err instanceof BflError)) throw err;
        const code = FAILURE_BY_KIND[err.kind];
        if (code) throw new JobFailure(code, capitalize(err.message));
        ctx.log.warn({ bflTask: task.id, kind: err.kind, status: err.status }, 'poll failed; will poll again');
      }
      if (res?.status === 'Ready') {
        if (!res.result) throw new JobFailure('provider_error', 'BFL reported the task Ready without a result');
        return res.result;
      }
      if (res && !IN_PROGRESS.has(res.status)) {
        const failure = STATUS_FAILURES[res.status] ?? { code: 'provider_error' as const, message: `FLUX ended the task with status "${res.status.slice(0, 60)}"` };
        throw new JobFailure(failure.code, failure.message, { status: res.status });
      }
      if (res) {
        if (res.progress !== null && res.progress >= 0 && res.progress <= 1) percent = Math.max(percent, Math.min(95, Math.round(res.progress * 100)));
        ctx.progress({ percent, message: 'generating on FLUX' });
      }
      await sleep(jitter(delay), ctx.signal);
      delay = Math.min(this.t.pollMaxMs, Math.round(delay * 1.5));
    }
  }

  /** Downloads the signed sample at once (it expires), without ever keeping or showing its URL. */
  private async fetchResult(jobId: string, request: FluxJobRequest, result: NonNullable<PollResult['result']>, ctx: RunContext): Promise<Asset> {
    if (typeof result.sample !== 'string' || !URL.canParse(result.sample)) {
      throw new JobFailure('provider_error', 'BFL reported the task Ready without an image to download');
    }
    ctx.progress({ percent: 97, message: 'downloading the result' });
    let bytes: Uint8Array | null = null;
    for (let attempt = 1; bytes === null; attempt++) {
      try {
        bytes = await this.d.client.download(result.sample, this.t.maxResultBytes, ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        if (!(err instanceof BflError)) throw err;
        if (err.status === 403 || err.status === 404 || err.status === 410) {
          throw new JobFailure('result_expired', "The image's download link had expired before it could be fetched (BFL keeps results about 10 minutes); retry the job");
        }
        if (attempt >= 3 || err.kind === 'bad_response') throw new JobFailure('provider_error', `Could not download the result: ${err.message}`);
        await sleep(500 * attempt, ctx.signal);
      }
    }
    const type = sniffImage(bytes);
    if (!type) throw new JobFailure('provider_error', 'BFL returned a result that is not a PNG, JPEG or WebP image');
    const p = request.params ?? {};
    const size = imageSize(bytes);
    const seed = typeof result.seed === 'number' ? result.seed : p.seed;
    const meta: GenerationMeta = {
      jobId,
      provider: 'flux',
      model: fluxModel(request),
      prompt: request.prompt,
      backend: ctx.backend.id,
      ...(seed !== undefined ? { seed } : {}),
      ...(p.steps !== undefined ? { steps: p.steps } : {}),
      ...(p.guidance !== undefined ? { guidance: p.guidance } : {}),
      ...(p.aspectRatio !== undefined ? { aspectRatio: p.aspectRatio } : {}),
      ...(size ? size : p.width && p.height ? { width: p.width, height: p.height } : {}),
      ...(request.inputImage !== undefined ? { inputImage: request.inputImage } : {}),
    };
    return saveOutput({
      store: this.d.store,
      jobId,
      index: 1,
      count: 1,
      bytes,
      type,
      meta,
      owner: ctx.owner,
      ...(ctx.createdAt ? { jobCreatedAt: ctx.createdAt } : {}),
      ...(this.d.thumbnails ? { thumbnails: this.d.thumbnails } : {}),
      log: ctx.log,
    });
  }
}
