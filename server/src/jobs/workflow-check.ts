import {
  ObjectInfoCache,
  backendEndpoint,
  buildWorkflow,
  imageSources,
  prepareWorkflow,
  summarizeWorkflowProblems,
  validateWorkflowAgainstObjectInfo,
  type ComfyJobRequest,
  type WorkflowProblem,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import type { BackendView } from '../backends/backend-registry.js';

/*
 * Pre-submit check of a ComfyUI request: its template is filled in and validated against the
 * `/object_info` of an online backend (cached per backend), so the form can name the node and input at
 * fault before anything is queued. No online backend, or one that does not answer, means unchecked.
 */

export interface WorkflowCheckResult {
  checked: boolean;
  problems: WorkflowProblem[];
}

export interface WorkflowCheckerOptions {
  ttlMs?: number;
  /** How long a failed fetch is remembered before the backend is asked again. */
  failureTtlMs?: number;
  timeoutMs?: number;
}

export class WorkflowChecker {
  private readonly cache: ObjectInfoCache;
  private readonly o: Required<WorkflowCheckerOptions>;

  constructor(options: WorkflowCheckerOptions = {}) {
    this.o = { ttlMs: 60_000, failureTtlMs: 5_000, timeoutMs: 3_000, ...options };
    this.cache = new ObjectInfoCache((url) => this.fetch(url), { ttlMs: this.o.ttlMs, failureTtlMs: this.o.failureTtlMs });
  }

  /** `template`: a custom workflow's, when the request names one. */
  async check(request: ComfyJobRequest, views: BackendView[], template?: WorkflowTemplate): Promise<WorkflowCheckResult> {
    return this.withObjectInfo(views, (info, view) => {
      const prepared = prepareWorkflow(request, { seed: 0, filenamePrefix: 'orchestrator/check', ...fallback(view), ...(template ? { template } : {}) });
      // The images are uploaded by the worker; LoadImage and LoadImageMask check the file themselves.
      const uploaded = Object.fromEntries(imageSources(request, prepared.template).map((s) => [s.param, 'input.png']));
      const graph = buildWorkflow(prepared.template, { ...prepared.values, ...uploaded });
      return validateWorkflowAgainstObjectInfo(graph, info);
    });
  }

  /** A graph as it is (e.g. one being imported), against the first online backend that answers. */
  async checkGraph(graph: Record<string, unknown>, views: BackendView[]): Promise<WorkflowCheckResult> {
    return this.withObjectInfo(views, (info) => validateWorkflowAgainstObjectInfo(graph, info));
  }

  /** The object_info of the first online backend that answers (cached), or null. */
  async objectInfoOf(views: BackendView[]): Promise<Record<string, unknown> | null> {
    for (const view of views.filter((v) => v.status.online)) {
      const info = await this.objectInfo(view.status.id, view.configuredUrl);
      if (info) return info;
    }
    return null;
  }

  /** Throws the 400 invalid_workflow the routes answer with when the graph has problems. */
  async assertValid(request: ComfyJobRequest, views: BackendView[], template?: WorkflowTemplate): Promise<WorkflowCheckResult> {
    const result = await this.check(request, views, template);
    if (result.problems.length > 0) throw workflowInvalid(result.problems);
    return result;
  }

  private async withObjectInfo(
    views: BackendView[],
    validate: (info: Record<string, unknown>, view: BackendView) => WorkflowProblem[],
  ): Promise<WorkflowCheckResult> {
    for (const view of views.filter((v) => v.status.online)) {
      const info = await this.objectInfo(view.status.id, view.configuredUrl);
      if (info) return { checked: true, problems: validate(info, view) };
    }
    return { checked: false, problems: [] };
  }

  /** A failure is kept only briefly: the next request after failureTtlMs asks again. */
  private objectInfo(id: string, url: string): Promise<Record<string, unknown> | null> {
    return this.cache.get(`${id}|${url}`, url);
  }

  private async fetch(url: string): Promise<Record<string, unknown> | null> {
    try {
      const endpoint = backendEndpoint(url);
      const res = await fetch(`${endpoint.url}/object_info`, {
        redirect: 'error',
        ...(endpoint.authorization ? { headers: { authorization: endpoint.authorization } } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      if (!res.ok) return null;
      const body: unknown = await res.json();
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
}

function fallback(view: BackendView): { fallbackModel?: string } {
  const first = view.status.checkpoints[0];
  return first ? { fallbackModel: first } : {};
}

export function workflowInvalid(problems: WorkflowProblem[]): HttpError {
  return new HttpError('invalid_workflow', summarizeWorkflowProblems(problems), problems);
}
