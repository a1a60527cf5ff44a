import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import {
  JobStore,
  isBuiltInWorkflow,
  isFinal,
  newJob,
  priorityLevel,
  redisKeys,
  type ComfyJobRequest,
  type Job,
  type JobPriority,
  type JobRequest,
  type JobStatus,
  type PageOf,
  type Provider,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { badRequest, conflict, notFound } from '../errors.js';
import { forbidden } from '../auth/auth-service.js';
import { mayManage, type Principal } from '../auth/principal.js';
import { readPage } from '../pagination.js';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { JobQueues } from './queues.js';
import { affinityModel } from './affinity-model.js';
import { assertBackendsConfigured, resolveComfyModel, type ModelLookup } from './model-resolver.js';
import type { WorkflowCheckResult, WorkflowChecker } from './workflow-check.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import { assertFolderModels, assertImagesExist, assertSlotValues, assertTemplateFits } from './comfy-request-check.js';

export interface JobListQuery {
  status?: JobStatus | undefined;
  provider?: Provider | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A cancelled job reads `cancelled` at once; `cancelRequested` says a worker was told to stop it. */
export type CancelOutcome = { id: string; status: 'cancelled'; cancelRequested: boolean };

export interface JobServiceDeps {
  redis: Redis;
  keyPrefix: string;
  queues: JobQueues;
  backends: BackendRegistry;
  log: FastifyBaseLogger;
  /** Checks and defaults for other providers' requests (flux, v0), keyed by provider; may throw HttpError. */
  resolvers?: Partial<Record<Provider, (request: JobRequest) => Promise<JobRequest>>>;
  now?: () => Date;
  /** Pre-submit check of ComfyUI graphs against a backend's object_info (400 invalid_workflow). */
  checker?: WorkflowChecker;
  /** The model catalogue: fills a ComfyUI request's missing `family` with the detected one. */
  models?: ModelLookup;
  /** Saved custom workflows, for requests that name one. */
  workflows?: Pick<WorkflowService, 'template' | 'slotSpecs'>;
  /** Fills in a queued job's place in the queue and why it waits (QueueService). */
  places?: { annotate(jobs: readonly Job[]): Promise<Job[]> };
  /** Whether an upload or gallery asset has this id: a ComfyUI job's images are checked on submit. */
  imageExists?: (id: string) => Promise<boolean>;
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
  async submit(request: JobRequest, retryOf?: string, by?: Principal): Promise<Job> {
    // A legacy 0..100 priority is stored as its level; no priority means normal.
    const leveled = request.priority === undefined ? request : ({ ...request, priority: priorityLevel(request.priority) } as JobRequest);
    const { request: resolved, template, graphTemplate } = await this.prepare(leveled);
    if (resolved.provider === 'comfyui' && graphTemplate && this.deps.imageExists) await assertImagesExist(resolved, graphTemplate, this.deps.imageExists);
    if (resolved.provider === 'comfyui' && this.deps.checker) await this.deps.checker.assertValid(resolved, await this.deps.backends.list(), template);
    const job = newJob(randomUUID(), resolved, this.now(), retryOf, by && by.via !== 'local' ? by.user.name : undefined);
    await this.deps.queues.enqueue(job, resolved.provider === 'comfyui' ? affinityModel(resolved, template) : undefined);
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
   * `graphTemplate`: the template the ComfyUI graph is built from (with img2img, ControlNets… applied).
   */
  private async prepare(request: JobRequest): Promise<{ request: JobRequest; template?: WorkflowTemplate; graphTemplate?: WorkflowTemplate }> {
    if (request.provider !== 'comfyui') return { request: await this.resolve(request) };
    if (request.slots !== undefined && isBuiltInWorkflow(request.workflow)) {
      throw badRequest('template_unsupported', 'slots belong to a saved custom workflow: set workflow to its id', { field: 'slots' });
    }
    if (request.workflow === 'upscale') {
      // No checkpoint: the picture goes through an upscale model (or a plain resize) on any backend.
      assertBackendsConfigured(await this.deps.backends.list());
      if (request.kind !== 'image') throw badRequest('template_unsupported', 'An upscale job makes an image: kind must be "image"');
      assertFolderModels(request, await this.deps.backends.models().catch(() => []));
      return { request, graphTemplate: assertTemplateFits(request) };
    }
    const custom = !isBuiltInWorkflow(request.workflow) ? request.workflow : undefined;
    if (!custom) {
      if (request.kind === 'image' && !request.prompt) throw badRequest('prompt_required', 'Describe the image: prompt is required');
      const resolved = await this.resolve(request);
      if (resolved.provider !== 'comfyui') return { request: resolved };
      const graphTemplate = assertTemplateFits(resolved);
      assertFolderModels(resolved, await this.deps.backends.models().catch(() => []));
      return { request: resolved, graphTemplate };
    }
    if (!this.deps.workflows) throw badRequest('unknown_workflow', `No saved workflow with id "${custom}"`);
    assertBackendsConfigured(await this.deps.backends.list());
    const template = await this.deps.workflows.template(custom);
    if (template.bindings.prompt && !request.prompt) throw badRequest('prompt_required', `"${template.title}" takes a prompt: prompt is required`);
    if (request.slots !== undefined) assertSlotValues(request, await this.deps.workflows.slotSpecs(custom), template.title);
    const resolved: ComfyJobRequest = { ...request, kind: template.kind };
    return { request: resolved, template, graphTemplate: assertTemplateFits(resolved, template) };
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

  /** The job as the routes answer it: a queued one says where it is in the queue and why it waits. */
  async describe(id: string): Promise<Job> {
    const job = await this.get(id);
    return this.deps.places ? ((await this.deps.places.annotate([job]))[0] ?? job) : job;
  }

  async list(q: JobListQuery): Promise<PageOf<Job>> {
    const filter =
      q.status || q.provider ? (j: Job) => (!q.status || j.status === q.status) && (!q.provider || j.provider === q.provider) : undefined;
    const page = await readPage(this.store, { limit: q.limit, cursor: q.cursor, ...(filter ? { filter } : {}) });
    return this.deps.places ? { ...page, items: await this.deps.places.annotate(page.items) } : page;
  }

  /**
   * Every cancel reads `cancelled` at once. A waiting job loses its ticket and leaves its BullMQ queue
   * (if a worker popped it meanwhile, that worker finds the record final and lets it go). A job a
   * worker holds is also signalled over pub/sub: the worker stops it on its backend, whose slot stays
   * busy until ComfyUI has really stopped.
   */
  async cancel(id: string, by?: Principal): Promise<CancelOutcome> {
    const job = await this.get(id);
    assertMayManage(job, by);
    if (isFinal(job.status)) throw alreadyFinished(job);
    const schedule = this.deps.queues.schedule;
    const lane = await this.deps.queues.laneOf(job);
    // Removed from BullMQ only while nobody holds it; a held job (even one taken off its ticket's turn) is signalled.
    const removed = (await schedule.unqueue(job.provider, lane.lane, id)) && (await this.deps.queues.remove(lane.queue, id));
    const res = await this.store.update(id, 'job.cancelled', (j) => ({
      ...j,
      status: 'cancelled',
      finishedAt: this.now().toISOString(),
      progress: { percent: j.progress.percent, message: removed ? 'cancelled' : `cancelled; stopping it on ${j.backend ?? 'its backend'}` },
    }));
    if (!res.ok) {
      if (res.reason === 'missing') throw notFound('job', id);
      throw alreadyFinished(await this.get(id));
    }
    if (removed) {
      await schedule.finish(id);
      this.deps.log.info({ jobId: id, provider: job.provider }, 'job cancelled while queued');
      return { id, status: 'cancelled', cancelRequested: false };
    }
    await this.deps.redis.publish(this.cancelChannel, id);
    this.deps.log.info({ jobId: id, provider: job.provider }, 'job cancelled; its worker was told to stop it');
    return { id, status: 'cancelled', cancelRequested: true };
  }

  /** A queued job's new priority level; it keeps its submission order within the level. */
  async setPriority(id: string, level: JobPriority, by?: Principal): Promise<Job> {
    return this.rerank(id, level, () => this.deps.queues.enqueuer.setLevel(id, level), by);
  }

  /** A queued job starts before every job not moved to the front before it (it becomes high priority). */
  async moveToFront(id: string, by?: Principal): Promise<Job> {
    return this.rerank(id, 'high', () => this.deps.queues.enqueuer.moveToFront(id), by);
  }

  private async rerank(id: string, level: JobPriority, rerank: () => Promise<number | null>, by?: Principal): Promise<Job> {
    const job = await this.get(id);
    assertMayManage(job, by);
    if (job.status !== 'queued' || (await rerank()) === null) {
      throw conflict('not_queued', `Job ${id} is ${job.status === 'queued' ? 'being started' : job.status}; only a queued job can be moved or re-prioritised`, { status: job.status });
    }
    const res = await this.store.update(id, 'job.progress', (j) => ({ ...j, request: { ...j.request, priority: level } }));
    if (!res.ok) return this.describe(id);
    return this.deps.places ? ((await this.deps.places.annotate([res.job]))[0] ?? res.job) : res.job;
  }

  /** A new job with the same request; the old one stays as it was. */
  async retry(id: string, by?: Principal): Promise<Job> {
    const job = await this.get(id);
    assertMayManage(job, by);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw conflict('not_retryable', `Only failed or cancelled jobs can be retried; job ${id} is ${job.status}`, { status: job.status });
    }
    return this.submit(job.request, id, by);
  }
}

/** A member changes only their own jobs; an admin anyone's (no principal: an internal caller). */
function assertMayManage(job: Job, by: Principal | undefined): void {
  if (by && !mayManage(by, job.owner)) throw forbidden(`Job ${job.id} is ${job.owner ? `${job.owner}'s` : 'not yours'}: only its owner or an admin may change it`);
}

function alreadyFinished(job: Job) {
  return conflict('already_finished', `Job ${job.id} already finished (${job.status})`, { status: job.status });
}
