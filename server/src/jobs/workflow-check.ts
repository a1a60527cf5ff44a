import {
  backendEndpoint,
  buildWorkflow,
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

interface Entry {
  at: number;
  info: Promise<Record<string, unknown> | null>;
}

export interface WorkflowCheckerOptions {
  ttlMs?: number;
  /** How long a failed fetch is remembered before the backend is asked again. */
  failureTtlMs?: number;
  timeoutMs?: number;
}

export class WorkflowChecker {
  private readonly cache = new Map<string, Entry>();
  private readonly o: Required<WorkflowCheckerOptions>;

  constructor(options: WorkflowCheckerOptions = {}) {
    this.o = { ttlMs: 60_000, failureTtlMs: 5_000, timeoutMs: 3_000, ...options };
  }

  /** `template`: a custom workflow's, when the request names one. */
  async check(request: ComfyJobRequest, views: BackendView[], template?: WorkflowTemplate): Promise<WorkflowCheckResult> {
    return this.withObjectInfo(views, (info, view) => {
      const prepared = prepareWorkflow(request, { seed: 0, filenamePrefix: 'orchestrator/check', ...fallback(view), ...(template ? { template } : {}) });
      // The input image is uploaded by the worker; LoadImage checks the file itself.
      const graph = buildWorkflow(prepared.template, { ...prepared.values, ...(prepared.template.bindings.image ? { image: 'input.png' } : {}) });
      return validateWorkflowAgainstObjectInfo(graph, info);
    });
  }

  /** A graph as it is (e.g. one being imported), against the first online backend that answers. */
  async checkGraph(graph: Record<string, unknown>, views: BackendView[]): Promise<WorkflowCheckResult> {
    return this.withObjectInfo(views, (info) => validateWorkflowAgainstObjectInfo(graph, info));
  }

  /** Throws the 422 the routes answer with when the graph has problems. */
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

  private objectInfo(id: string, url: string): Promise<Record<string, unknown> | null> {
    const key = `${id}|${url}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.o.ttlMs) return hit.info;
    const entry: Entry = { at: now, info: this.fetch(url) };
    this.cache.set(key, entry);
    void entry.info.then((v) => {
      // A failure is kept only briefly: the next request after failureTtlMs asks again.
      if (v === null) entry.at = now - this.o.ttlMs + this.o.failureTtlMs;
    });
    return entry.info;
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
  return new HttpError(422, 'workflow_invalid', summarizeWorkflowProblems(problems), problems);
}
