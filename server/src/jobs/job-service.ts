import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import {
  JobStore,
  TemplateChoiceError,
  isFinal,
  newJob,
  prepareWorkflow,
  redisKeys,
  type ComfyJobRequest,
  type Job,
  type JobRequest,
  type JobStatus,
  type PageOf,
  type Provider,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { badRequest, conflict, notFound } from '../errors.js';
import { readPage } from '../pagination.js';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { JobQueues } from './queues.js';
import { assertBackendsConfigured, resolveComfyModel, type ModelLookup } from './model-resolver.js';
import type { WorkflowCheckResult, WorkflowChecker } from './workflow-check.js';
import type { WorkflowService } from '../workflows/workflow-service.js';

export interface JobListQuery {
  status?: JobStatus | undefined;
  provider?: Provider | undefined;
  limit: number;
  cursor?: string | undefined;
}

export type CancelOutcome = { id: string; status: 'cancelled'; cancelRequested: false } | { id: string; status: 'running'; cancelRequested: true };

export interface JobServiceDeps {
  redis: Redis;
  keyPrefix: string;
  queues: JobQueues;
  backends: BackendRegistry;
  log: FastifyBaseLogger;
  /** Checks and defaults for other providers' requests (flux, v0), keyed by provider; may throw HttpError. */
  resolvers?: Partial<Record<Provider, (request: JobRequest) => Promise<JobRequest>>>;
  now?: () => Date;
  /** Pre-submit check of ComfyUI graphs against a backend's object_info (422 workflow_invalid). */
  checker?: WorkflowChecker;
  /** The model catalogue: fills a ComfyUI request's missing `family` with the detected one. */
  models?: ModelLookup;
  /** Saved custom workflows, for requests that name one. */
  workflows?: Pick<WorkflowService, 'template'>;
}

/**
 * A request its template cannot carry out (LoRAs on SVD, a non-FLUX diffusion model…), or that lacks
 * the input image its template loads, is a 400.
 */
function assertTemplateFits(request: ComfyJobRequest, template?: WorkflowTemplate): void {
  let prepared;
  try {
    prepared = prepareWorkflow(request, { seed: 0, ...(template ? { template } : {}) });
  } catch (err) {
    if (err instanceof TemplateChoiceError) throw badRequest('template_unsupported', err.message);
    throw err;
  }
  if (prepared.template.bindings.image && !request.inputImage) {
    throw badRequest('input_image_required', `${prepared.template.title} starts from an image: set inputImage to an upload or gallery asset id`);
  }
}

/** Submitting, listing, cancelling and retrying jobs. The routes only parse and shape replies. */
export class JobService {
  private readonly store: JobStore;
  private readonly cancelChannel: string;
  private readonly now: () => Date;

  constructor(private readonly deps: JobServiceDeps) {
    this.store = new JobStore(deps.redis, deps.keyPrefix);
    this.cancelChannel = redisKeys(deps.keyPrefix).cancelChannel;
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Resolves defaults, stores the job (appending `job.queued`) and enqueues it. Both commands go out
   * back to back on the same connection, which Redis runs in order: the record always exists before
   * a worker can take the job, without waiting a round trip in between.
   */
  async submit(request: JobRequest, retryOf?: string): Promise<Job> {
    const { request: resolved, template } = await this.prepare(request);
    if (resolved.provider === 'comfyui' && this.deps.checker) await this.deps.checker.assertValid(resolved, await this.deps.backends.list(), template);
    const job = newJob(randomUUID(), resolved, this.now(), retryOf);
    const [stored, queued] = await Promise.allSettled([
      this.store.create(job),
      this.deps.queues.add(job.provider, { id: job.id, request: job.request }, job.request.priority),
    ]);
    if (stored.status === 'rejected') {
      if (queued.status === 'fulfilled') await this.deps.queues.remove(job.provider, job.id);
      throw stored.reason;
    }
    if (queued.status === 'rejected') {
      // The record exists but no worker will ever see it: end it rather than leave it queued forever.
      await this.store
        .update(job.id, 'job.failed', (j) => ({
          ...j,
          status: 'failed',
          finishedAt: this.now().toISOString(),
          error: { code: 'enqueue_failed', message: 'The job could not be added to the queue' },
        }))
        .catch(() => undefined);
      throw queued.reason;
    }
    this.deps.log.debug({ jobId: job.id, provider: job.provider, retryOf }, 'job queued');
    return job;
  }

  /** POST /api/jobs/validate: the same checks as a submit, without queueing anything. */
  async validate(request: JobRequest): Promise<WorkflowCheckResult> {
    const { request: resolved, template } = await this.prepare(request);
    if (resolved.provider !== 'comfyui' || !this.deps.checker) return { checked: false, problems: [] };
    return this.deps.checker.assertValid(resolved, await this.deps.backends.list(), template);
  }

  /**
   * The request with its defaults, and the custom workflow's template when it names one. A custom
   * workflow keeps the model its graph loads (the pre-submit check vouches for it) and sets the kind.
   */
  private async prepare(request: JobRequest): Promise<{ request: JobRequest; template?: WorkflowTemplate }> {
    if (request.provider !== 'comfyui') return { request: await this.resolve(request) };
    const custom = request.workflow !== undefined && request.workflow !== 'txt2img' ? request.workflow : undefined;
    if (!custom) {
      if (request.kind === 'image' && !request.prompt) throw badRequest('prompt_required', 'Describe the image: prompt is required');
      const resolved = await this.resolve(request);
      if (resolved.provider === 'comfyui') assertTemplateFits(resolved);
      return { request: resolved };
    }
    if (!this.deps.workflows) throw badRequest('unknown_workflow', `No saved workflow with id "${custom}"`);
    assertBackendsConfigured(await this.deps.backends.list());
    const template = await this.deps.workflows.template(custom);
    if (template.bindings.prompt && !request.prompt) throw badRequest('prompt_required', `"${template.title}" takes a prompt: prompt is required`);
    const resolved: ComfyJobRequest = { ...request, kind: template.kind };
    assertTemplateFits(resolved, template);
    return { request: resolved, template };
  }

  private async resolve(request: JobRequest): Promise<JobRequest> {
    switch (request.provider) {
      case 'comfyui': {
        // Without the per-folder lists (Redis hiccup, older worker) only checkpoints are known.
        const [views, models] = await Promise.all([this.deps.backends.list(), this.deps.backends.models().catch(() => [])]);
        return resolveComfyModel(request, views, { models, ...(this.deps.models ? { catalogue: this.deps.models } : {}) });
      }
      default:
        return this.deps.resolvers?.[request.provider]?.(request) ?? request;
    }
  }

  async get(id: string): Promise<Job> {
    const job = await this.store.get(id);
    if (!job) throw notFound('job', id);
    return job;
  }

  list(q: JobListQuery): Promise<PageOf<Job>> {
    const filter =
      q.status || q.provider ? (j: Job) => (!q.status || j.status === q.status) && (!q.provider || j.provider === q.provider) : undefined;
    return readPage(this.store, { limit: q.limit, cursor: q.cursor, ...(filter ? { filter } : {}) });
  }

  /**
   * A job no worker holds is removed from its queue and ends `cancelled` here. A job a worker holds is
   * signalled over pub/sub; that worker interrupts the backend and writes `cancelled` itself.
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const job = await this.get(id);
    if (isFinal(job.status)) throw alreadyFinished(job);
    const state = await this.deps.queues.state(job.provider, id);
    if (state === 'finished') throw alreadyFinished(job);
    const removable = state === 'missing' || (state === 'waiting' && (await this.deps.queues.remove(job.provider, id)));
    if (removable) {
      const res = await this.store.update(id, 'job.cancelled', (j) => ({ ...j, status: 'cancelled', finishedAt: this.now().toISOString() }));
      if (res.ok) {
        this.deps.log.info({ jobId: id, provider: job.provider }, 'job cancelled while queued');
        return { id, status: 'cancelled', cancelRequested: false };
      }
      if (res.reason === 'missing') throw notFound('job', id);
      throw alreadyFinished(await this.get(id));
    }
    await this.deps.redis.publish(this.cancelChannel, id);
    this.deps.log.info({ jobId: id, provider: job.provider }, 'cancel requested from the worker holding the job');
    return { id, status: 'running', cancelRequested: true };
  }

  /** A new job with the same request; the old one stays as it was. */
  async retry(id: string): Promise<Job> {
    const job = await this.get(id);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw conflict('not_retryable', `Only failed or cancelled jobs can be retried; job ${id} is ${job.status}`, { status: job.status });
    }
    return this.submit(job.request, id);
  }
}

function alreadyFinished(job: Job) {
  return conflict('already_finished', `Job ${job.id} already finished (${job.status})`, { status: job.status });
}
