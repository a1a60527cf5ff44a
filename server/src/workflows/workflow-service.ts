import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  WorkflowImportError,
  WorkflowStore,
  normalizeWorkflowGraph,
  slotProblems,
  slotSpecs,
  suggestSlots,
  templateFromWorkflow,
  workflowInputs,
  workflowKind,
  type CreateWorkflowBody,
  type CustomWorkflow,
  type SlotSpec,
  type UpdateWorkflowBody,
  type WorkflowDetails,
  type WorkflowDraft,
  type WorkflowGraph,
  type WorkflowSummary,
  type WorkflowTemplate,
} from '@orchestrator/shared';
import { forbidden } from '../auth/auth-service.js';
import { mayManage, type Principal } from '../auth/principal.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { WorkflowChecker } from '../jobs/workflow-check.js';

/** More than anyone curates by hand; the cap keeps the list (one hash read) small. */
export const MAX_WORKFLOWS = 500;

export interface WorkflowServiceDeps {
  redis: Redis;
  keyPrefix: string;
  backends: BackendRegistry;
  checker: WorkflowChecker;
  now?: () => Date;
}

const newId = () => `wf-${randomBytes(8).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 10)}`;

/**
 * Custom workflows: an import is parsed and checked but not stored (the user reviews its slots
 * first); a save stores the graph with the slots the user marked. Every reply says what the first
 * online backend's `/object_info` thinks of the graph.
 */
export class WorkflowService {
  private readonly store: WorkflowStore;
  private readonly now: () => Date;

  constructor(private readonly deps: WorkflowServiceDeps) {
    this.store = new WorkflowStore(deps.redis, deps.keyPrefix);
    this.now = deps.now ?? (() => new Date());
  }

  async draft(graph: WorkflowGraph, o: { name: string; source: 'json' | 'png' }): Promise<WorkflowDraft> {
    return {
      name: o.name,
      kind: workflowKind(graph),
      graph,
      slots: suggestSlots(graph),
      inputs: workflowInputs(graph),
      check: await this.check(graph),
      source: o.source,
    };
  }

  async create(body: CreateWorkflowBody, by?: Principal): Promise<WorkflowDetails> {
    let graph: WorkflowGraph;
    try {
      graph = normalizeWorkflowGraph(body.graph);
    } catch (err) {
      throw importFailure(err);
    }
    assertSlots(graph, body.slots);
    if ((await this.store.count()) >= MAX_WORKFLOWS) {
      throw new HttpError('workflow_limit', `There are already ${MAX_WORKFLOWS} saved workflows; delete some before saving more`);
    }
    const at = this.now().toISOString();
    const owner = by && by.via !== 'local' ? { owner: by.user.name } : {};
    const workflow: CustomWorkflow = { id: newId(), name: body.name.trim() || 'Workflow', kind: workflowKind(graph), graph, slots: body.slots, createdAt: at, updatedAt: at, ...owner };
    await this.store.put(workflow);
    return this.details(workflow);
  }

  async update(id: string, body: UpdateWorkflowBody, by?: Principal): Promise<WorkflowDetails> {
    const current = await this.load(id);
    if (by) assertMayChange(by, current);
    const next: CustomWorkflow = {
      ...current,
      ...(body.name !== undefined ? { name: body.name.trim() || current.name } : {}),
      ...(body.slots !== undefined ? { slots: body.slots } : {}),
      updatedAt: this.now().toISOString(),
    };
    assertSlots(next.graph, next.slots);
    await this.store.put(next);
    return this.details(next);
  }

  async get(id: string): Promise<WorkflowDetails> {
    return this.details(await this.load(id));
  }

  list(): Promise<WorkflowSummary[]> {
    return this.store.list();
  }

  async remove(id: string, by?: Principal): Promise<void> {
    if (by) assertMayChange(by, await this.load(id));
    if (!(await this.store.remove(id))) throw notFound('workflow', id);
  }

  /** The template a job naming this workflow runs; a missing one is the request's fault (400). */
  async template(id: string): Promise<WorkflowTemplate> {
    const workflow = await this.store.get(id);
    if (!workflow) throw badRequest('unknown_workflow', `No saved workflow with id "${id}" (it may have been deleted)`, { workflow: id });
    return templateFromWorkflow({ id: workflow.id, name: workflow.name, graph: workflow.graph, slots: workflow.slots });
  }

  /** Each slot's type, range and choices from an online backend's object_info (else guessed from the graph). */
  async slotSpecs(id: string): Promise<SlotSpec[]> {
    const workflow = await this.store.get(id);
    if (!workflow) throw badRequest('unknown_workflow', `No saved workflow with id "${id}" (it may have been deleted)`, { workflow: id });
    return this.specsOf(workflow);
  }

  private async specsOf(w: CustomWorkflow): Promise<SlotSpec[]> {
    const info = await this.deps.checker.objectInfoOf(await this.deps.backends.list());
    return slotSpecs(w.graph, w.slots, info ?? undefined);
  }

  private async load(id: string): Promise<CustomWorkflow> {
    const workflow = await this.store.get(id);
    if (!workflow) throw notFound('workflow', id);
    return workflow;
  }

  private async details(w: CustomWorkflow): Promise<WorkflowDetails> {
    const [check, specs] = await Promise.all([this.check(w.graph), this.specsOf(w)]);
    return { ...w, inputs: workflowInputs(w.graph), check, slotSpecs: specs };
  }

  private async check(graph: WorkflowGraph) {
    return this.deps.checker.checkGraph(graph, await this.deps.backends.list());
  }
}

function assertSlots(graph: WorkflowGraph, slots: CustomWorkflow['slots']): void {
  const problems = slotProblems(graph, slots);
  if (problems.length > 0) throw badRequest('invalid_slots', problems[0]!, { problems });
}

/** A WorkflowImportError is the file's fault: 400 invalid_workflow (or too_deep) with its message. */
export function importFailure(err: unknown): unknown {
  return err instanceof WorkflowImportError ? new HttpError(err.code, err.message) : err;
}

function assertMayChange(by: Principal, w: CustomWorkflow): void {
  if (!mayManage(by, w.owner)) throw forbidden(`Workflow "${w.name}" is ${w.owner ? `${w.owner}'s` : 'not yours'}: only its owner or an admin may change it`);
}
