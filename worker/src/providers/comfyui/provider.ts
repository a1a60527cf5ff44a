import type { Logger } from 'pino';
import {
  MAX_RESOLUTION,
  MissingTemplateParam,
  TemplateChoiceError,
  UPSCALE_DEFAULT_FACTOR,
  UPSCALE_MODEL_TEMPLATE,
  alignComboValues,
  buildWorkflow,
  imageSources,
  isBuiltInWorkflow,
  upscaledSize,
  summarizeWorkflowProblems,
  templateFromWorkflow,
  validateWorkflowAgainstObjectInfo,
  type ApiGraph,
  type AssetStore,
  type ComfyJobRequest,
  type FileStore,
  type QueuedJobData,
  type WorkflowStore,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { HandedBack, JobCancelled, JobFailure, PromptLost, isShutdownAbort } from '../../errors.js';
import type { Provider, RunContext, RunResult } from '../provider.js';
import type { OutputThumbnails } from '../../storage/output-thumbnails.js';
import type { BackendRef, ComfyConnections } from './connections.js';
import { executionFailure, httpFailure, interruptedFailure, validationFailure } from './errors.js';
import { ComfyHttpError, type ComfyHttpClient, type HistoryEntry } from './http-client.js';
import { saveOutputs } from './outputs.js';
import { ProgressTranslator } from './progress.js';
import { PromptTracker, outcomeFromHistory, type PromptOutcome, type TrackerOptions } from './prompt-tracker.js';
import { resolveInputImage, uploadToBackend } from './input-image.js';
import { imageSize } from '../../cloud/files.js';
import { webpSize } from './output-meta.js';
import { ObjectInfoCache } from './object-info-cache.js';
import { prepareWorkflow, templatedMeta, type PreparedWorkflow } from './templated.js';

/*
 * The ComfyUI job logic. The job id is the prompt_id, so a retried job first asks the backend what
 * became of its prompt: finished → collect the outputs, still queued or running → follow it, unknown
 * → submit. No GPU work is done twice after a crash.
 */

export interface ComfyProviderOptions {
  /**
   * The server's output and uploads folders, as this worker reaches them (outputs go to the first; input
   * images come from both), and where the thumbnails of outputs go (none: the server makes them lazily).
   */
  storage: { output: FileStore; uploads: FileStore; thumbnails?: OutputThumbnails };
  /** Gallery records, to find an asset used as an input image. */
  assets?: Pick<AssetStore, 'get'>;
  /** Saved custom workflows, for jobs that name one. */
  workflows?: Pick<WorkflowStore, 'get'>;
  connections: ComfyConnections;
  /** Checkpoint to use when the request names none (the monitor's first known checkpoint). */
  defaultModel?: (backendId: string) => string | undefined;
  tracker?: Pick<TrackerOptions, 'pollMs' | 'safetyPollMs' | 'unreachableGraceMs' | 'historyWaitMs'>;
  /** After a cancel, at most how long to wait for the backend to have stopped the prompt (default 5 min). */
  cancelWaitMs?: number;
  previewIntervalMs?: number;
  /** How long to wait for the socket before submitting anyway (then polling covers the gap). */
  connectWaitMs?: number;
}

const ABORTED = Symbol('aborted');

/** The filled-in template of a job, with what it came from. */
interface Bound extends PreparedWorkflow {
  jobId: string;
  request: ComfyJobRequest;
}

function abortPromise(signal: AbortSignal): { promise: Promise<typeof ABORTED>; dispose(): void } {
  let onAbort: () => void = () => undefined;
  const promise = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    if (signal.aborted) resolve(ABORTED);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function abortError(signal: AbortSignal): Error {
  return isShutdownAbort(signal) ? new HandedBack('Worker shutting down; job handed back') : new JobCancelled();
}

/** The template filled in; a value the request lacks (e.g. no prompt) fails the job, naming it. */
function filledGraph(bound: Bound): ApiGraph {
  try {
    return buildWorkflow(bound.template, bound.values);
  } catch (err) {
    if (err instanceof MissingTemplateParam) throw new JobFailure('invalid_job', `${bound.template.title} needs a ${err.param} (node ${err.nodeId}, input ${err.input})`);
    throw err;
  }
}

/** The graph that ran: the backend's own record of it, else the one the template builds. */
function graphOf(bound: Bound, entry: HistoryEntry): ApiGraph | undefined {
  const ran = historyGraph(entry);
  if (ran) return ran as ApiGraph;
  try {
    return buildWorkflow(bound.template, bound.values);
  } catch {
    return undefined;
  }
}

function historyGraph(entry: HistoryEntry): Record<string, unknown> | undefined {
  const g = entry.prompt?.[2];
  return typeof g === 'object' && g !== null ? (g as Record<string, unknown>) : undefined;
}

export class ComfyUiProvider implements Provider {
  private readonly o: Required<Omit<ComfyProviderOptions, 'defaultModel' | 'tracker' | 'assets' | 'workflows'>> &
    Pick<ComfyProviderOptions, 'defaultModel' | 'tracker' | 'assets' | 'workflows'>;
  private readonly objectInfo = new ObjectInfoCache();

  constructor(options: ComfyProviderOptions) {
    this.o = { cancelWaitMs: 300_000, previewIntervalMs: 250, connectWaitMs: 2000, ...options };
  }

  async run(job: QueuedJobData, ctx: RunContext): Promise<RunResult> {
    const request = job.request;
    if (request.provider !== 'comfyui') throw new JobFailure('invalid_job', `Not a ComfyUI job (provider ${request.provider})`);
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    const custom = await this.customTemplate(request);
    if (ctx.attempt > 1 || ctx.previousBackend) {
      const reconciled = await this.reconcile(job.id, request, ctx, custom);
      if (reconciled) return reconciled;
    }
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    return this.submitAndFollow(job.id, request, ctx, custom);
  }

  /** The template of the saved workflow the request names; undefined for the built-in ones. */
  private async customTemplate(request: ComfyJobRequest): Promise<WorkflowTemplate | undefined> {
    const id = request.workflow;
    if (id === undefined || isBuiltInWorkflow(id)) return undefined;
    const saved = this.o.workflows ? await this.o.workflows.get(id) : null;
    if (!saved) throw new JobFailure('unknown_workflow', `The saved workflow "${id}" no longer exists (deleted after the job was queued)`);
    try {
      return templateFromWorkflow({ id: saved.id, name: saved.name, graph: saved.graph, slots: saved.slots });
    } catch (err) {
      throw new JobFailure('invalid_workflow', `The saved workflow "${saved.name}" cannot be run: ${(err as Error).message}`);
    }
  }

  private bindings(jobId: string, request: ComfyJobRequest, backend: BackendRef, custom: WorkflowTemplate | undefined, ran?: Record<string, unknown>): Bound {
    try {
      return { ...prepareWorkflow(jobId, request, { fallbackModel: this.o.defaultModel?.(backend.id), ran, custom }), jobId, request };
    } catch (err) {
      if (err instanceof TemplateChoiceError) throw new JobFailure('invalid_job', err.message);
      throw err;
    }
  }

  /**
   * The images the graph loads (input image, mask, control images, IP-Adapter reference, a custom
   * workflow's image slots) go to the backend first; each LoadImage gets the name it was stored as.
   */
  private async uploadImages(bound: Bound, client: ComfyHttpClient): Promise<void> {
    const sources = { ...this.o.storage, ...(this.o.assets ? { assets: this.o.assets } : {}) };
    for (const source of imageSources(bound.request, bound.template)) {
      if (!source.id) throw new JobFailure('invalid_input', `${bound.template.title} needs an image for ${source.field} (an upload or asset id)`);
      const image = await resolveInputImage(source.id, sources);
      if (source.param === 'image') this.sizeUpscale(bound, image.bytes);
      bound.values[source.param] = await uploadToBackend(client, `orchestrator-${source.id}`, image);
    }
  }

  /** An upscale through a model to `factor` × the picture: ImageScale's width and height, within ComfyUI's limit. */
  private sizeUpscale(bound: Bound, bytes: Buffer): void {
    if (bound.request.workflow !== 'upscale') return;
    // A model without a factor keeps the model's own scale; a plain resize defaults to ×2.
    const up = bound.request.params?.upscale;
    const factor = up?.factor ?? (up?.model === undefined ? UPSCALE_DEFAULT_FACTOR : undefined);
    if (factor === undefined) return;
    const size = imageSize(bytes) ?? webpSize(bytes);
    if (!size) {
      // A plain resize needs no size; a model's exact factor does.
      if (bound.template.id !== UPSCALE_MODEL_TEMPLATE.id) return;
      throw new JobFailure('invalid_input', 'The image to upscale is not a PNG, JPEG or WebP whose size can be read');
    }
    const target = upscaledSize(size.width, size.height, factor);
    if (target.width > MAX_RESOLUTION || target.height > MAX_RESOLUTION) {
      throw new JobFailure('invalid_input', `${size.width}×${size.height} × ${factor} is ${target.width}×${target.height}; ComfyUI takes at most ${MAX_RESOLUTION} pixels a side`);
    }
    if (bound.template.id === UPSCALE_MODEL_TEMPLATE.id) {
      bound.values.width = target.width;
      bound.values.height = target.height;
    }
  }

  /**
   * Checks the graph against the backend's object_info, first spelling model paths the way the backend
   * lists them (a Windows box uses backslashes); a stale cache is refreshed once before failing.
   */
  private async precheck(graph: Record<string, unknown>, client: ComfyHttpClient, log: Logger): Promise<void> {
    let info = await this.objectInfo.get(client.baseUrl, log);
    if (!info) return;
    alignComboValues(graph, info);
    let problems = validateWorkflowAgainstObjectInfo(graph, info);
    if (problems.length > 0 && this.objectInfo.age(client.baseUrl) > 5000) {
      info = await this.objectInfo.get(client.baseUrl, log, 0);
      if (!info) return;
      alignComboValues(graph, info);
      problems = validateWorkflowAgainstObjectInfo(graph, info);
    }
    if (problems.length > 0) throw new JobFailure('validation_failed', summarizeWorkflowProblems(problems), { problems });
  }

  private tracker(client: ComfyHttpClient, backend: BackendRef, jobId: string, owned: boolean, hooks: ProgressTranslator, log: Logger) {
    const socket = this.o.connections.socket(backend);
    return new PromptTracker({ client, socket, promptId: jobId, owned, hooks, log, ...this.o.tracker });
  }

  /** A retry: find out what became of the prompt on the backend the last attempt used. */
  private async reconcile(jobId: string, request: ComfyJobRequest, ctx: RunContext, custom: WorkflowTemplate | undefined): Promise<RunResult | null> {
    const target = (ctx.previousBackend && this.o.connections.backend(ctx.previousBackend)) || ctx.backend;
    const client = this.o.connections.client(target);
    const log = ctx.log.child({ backend: target.id });
    let entry: HistoryEntry | null;
    let queue: Awaited<ReturnType<ComfyHttpClient['queue']>> | null = null;
    try {
      entry = await client.history(jobId);
      if (!entry) queue = await client.queue();
    } catch (err) {
      if (err instanceof ComfyHttpError && err.unreachable && target.id !== ctx.backend.id) {
        log.warn({ err: err.message }, 'previous backend unreachable; running the job here instead');
        return null;
      }
      throw httpFailure(err, 'history lookup', target.id);
    }
    if (entry) {
      log.info('prompt already finished on the backend; collecting its outputs');
      const bindings = this.bindings(jobId, request, target, custom, historyGraph(entry));
      return this.finishOutcome(outcomeFromHistory(entry), jobId, client, target, bindings, ctx);
    }
    const item = queue?.running.find((i) => i.promptId === jobId) ?? queue?.pending.find((i) => i.promptId === jobId);
    if (!item) return null;
    const socket = this.o.connections.socket(target);
    const owned = item.clientId === socket.clientId;
    log.info({ owned }, 'prompt still on the backend; following it');
    const bindings = this.bindings(jobId, request, target, custom, item.graph);
    const uploaded = Object.fromEntries(imageSources(request, bindings.template).map((s) => [s.param, '']));
    const graph = item.graph ?? buildWorkflow(bindings.template, { ...uploaded, ...bindings.values });
    const progress = new ProgressTranslator(graph, ctx.progress, ctx.preview, this.o.previewIntervalMs);
    if (!owned) ctx.progress({ percent: 0, message: 'following the prompt a previous worker submitted' });
    const tracker = this.tracker(client, target, jobId, owned, progress, log);
    tracker.start({ checkNow: true });
    return this.follow(tracker, jobId, client, target, bindings, ctx);
  }

  private async submitAndFollow(jobId: string, request: ComfyJobRequest, ctx: RunContext, custom: WorkflowTemplate | undefined): Promise<RunResult> {
    const backend = ctx.backend;
    const client = this.o.connections.client(backend);
    const socket = this.o.connections.socket(backend);
    const bindings = this.bindings(jobId, request, backend, custom);
    await this.uploadImages(bindings, client);
    const graph = filledGraph(bindings);
    await this.precheck(graph, client, ctx.log);
    const meta = templatedMeta(jobId, request, bindings, backend.id, graph);
    if (!(await socket.waitConnected(this.o.connectWaitMs))) {
      ctx.log.warn('socket not connected; submitting anyway and polling /history');
    }
    const progress = new ProgressTranslator(graph, ctx.progress, ctx.preview, this.o.previewIntervalMs);
    const tracker = this.tracker(client, backend, jobId, true, progress, ctx.log);
    tracker.attach(); // before submitting, so the first frames are not missed
    let number: number | undefined;
    try {
      // No abort signal here: if a cancel arrives mid-request we must still learn whether it was queued.
      const res = await client.submit({
        prompt: graph,
        client_id: socket.clientId,
        prompt_id: jobId,
        extra_data: { extra_pnginfo: { orchestrator: meta } },
      });
      number = res.number;
      if (res.node_errors && Object.keys(res.node_errors).length > 0) {
        // Partial validation is a 200 that queued only the valid outputs (pitfall §5.5): take it back.
        tracker.stop();
        await this.removeRemote(client, jobId, ctx.log);
        throw validationFailure(res);
      }
    } catch (err) {
      tracker.stop();
      if (err instanceof ComfyHttpError && err.code === 'http_status' && err.status === 400) throw validationFailure(err.body);
      throw httpFailure(err, 'POST /prompt', backend.id);
    }
    ctx.log.info({ number }, 'prompt submitted');
    tracker.start();
    return this.follow(tracker, jobId, client, backend, bindings, ctx);
  }

  private async follow(
    tracker: PromptTracker,
    jobId: string,
    client: ComfyHttpClient,
    backend: BackendRef,
    bindings: Bound,
    ctx: RunContext,
  ): Promise<RunResult> {
    const aborted = abortPromise(ctx.signal);
    let first: PromptOutcome | typeof ABORTED;
    try {
      first = await Promise.race([tracker.done, aborted.promise]);
    } finally {
      aborted.dispose();
    }
    if (first !== ABORTED) return this.finishOutcome(first, jobId, client, backend, bindings, ctx);
    if (isShutdownAbort(ctx.signal)) {
      // The prompt keeps running on the GPU; whoever takes the job next follows it through /history.
      tracker.stop();
      throw abortError(ctx.signal);
    }
    await this.removeRemote(client, jobId, ctx.log);
    tracker.checkNow();
    // ComfyUI stops only between nodes (one can run for 30 s): the run, and so the backend's slot,
    // lasts until the prompt has really left the backend, or at most cancelWaitMs.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([tracker.done.catch(() => null), new Promise<void>((r) => (timer = setTimeout(r, this.o.cancelWaitMs)))]);
    clearTimeout(timer);
    tracker.stop();
    throw new JobCancelled();
  }

  private async finishOutcome(
    outcome: PromptOutcome,
    jobId: string,
    client: ComfyHttpClient,
    backend: BackendRef,
    bindings: Bound,
    ctx: RunContext,
  ): Promise<RunResult> {
    ctx.backendDone?.();
    switch (outcome.kind) {
      case 'success': {
        const assets = await saveOutputs({
          client,
          backendId: backend.id,
          store: this.o.storage.output,
          jobId,
          entry: outcome.entry,
          meta: templatedMeta(jobId, bindings.request, bindings, backend.id, graphOf(bindings, outcome.entry)),
          owner: ctx.owner,
          ...(ctx.createdAt ? { jobCreatedAt: ctx.createdAt } : {}),
          ...(this.o.storage.thumbnails ? { thumbnails: this.o.storage.thumbnails } : {}),
          log: ctx.log,
          ...(bindings.template.kind === 'video' ? { video: { frames: Number(bindings.values.frames), fps: Number(bindings.values.fps) } } : {}),
        });
        ctx.log.info({ files: assets.map((a) => a.relPath) }, 'outputs saved');
        return { assets, backend: backend.id };
      }
      case 'error':
        throw executionFailure(outcome.data);
      case 'interrupted':
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        throw interruptedFailure(outcome.data);
      case 'lost':
        throw new PromptLost(`ComfyUI ${backend.id} no longer knows prompt ${jobId} (restarted or deleted); it will be submitted again`);
    }
  }

  /** Cancel on the backend: delete it if still pending, interrupt it if running (protocol §1.4/§1.5). */
  private async removeRemote(client: ComfyHttpClient, jobId: string, log: Logger): Promise<void> {
    try {
      const q = await client.queue();
      if (q.pending.some((i) => i.promptId === jobId)) {
        await client.deleteFromQueue([jobId]);
        log.info('deleted the pending prompt from the backend queue');
        const after = await client.queue();
        if (!after.running.some((i) => i.promptId === jobId)) return;
      }
      await client.interrupt(jobId);
      log.info('interrupt sent to the backend');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.warn({ err: reason }, 'could not cancel the prompt on the backend');
    }
  }
}

