import type { Redis } from 'ioredis';
import { redisKeys } from './keys.js';
import { checked } from './validate.js';
import { CustomWorkflow, WorkflowSummary } from './workflows.js';

const checkWorkflow = checked(CustomWorkflow);
const checkSummary = checked(WorkflowSummary);

function summarizeWorkflow(w: CustomWorkflow): WorkflowSummary {
  return { id: w.id, name: w.name, kind: w.kind, slots: w.slots, nodeCount: Object.keys(w.graph).length, updatedAt: w.updatedAt, ...(w.owner ? { owner: w.owner } : {}) };
}

/**
 * Saved custom workflows: the whole workflow in one hash, its summary (no graph) in another, so the
 * list stays small. The server writes them; a worker reads the one a job names when it runs, so an
 * edit applies to the jobs that have not started yet.
 */
export class WorkflowStore {
  private readonly key: string;
  private readonly summaryKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    const keys = redisKeys(prefix);
    this.key = keys.workflows;
    this.summaryKey = keys.workflowSummaries;
  }

  /** The workflow, or null when there is none (or what is stored is not one). */
  async get(id: string): Promise<CustomWorkflow | null> {
    const raw = await this.redis.hget(this.key, id);
    return raw ? parseWith(checkWorkflow.check, raw) : null;
  }

  async put(workflow: CustomWorkflow): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key, workflow.id, JSON.stringify(workflow))
      .hset(this.summaryKey, workflow.id, JSON.stringify(summarizeWorkflow(workflow)))
      .exec();
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.redis.multi().hdel(this.key, id).hdel(this.summaryKey, id).exec();
    return res?.[0]?.[1] === 1;
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.summaryKey);
  }

  /** Every workflow's summary, most recently changed first. */
  async list(): Promise<WorkflowSummary[]> {
    const all = Object.values(await this.redis.hgetall(this.summaryKey))
      .map((raw) => parseWith(checkSummary.check, raw))
      .filter((w): w is WorkflowSummary => w !== null);
    return all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.name.localeCompare(b.name));
  }
}

function parseWith<T>(check: (v: unknown) => v is T, raw: string): T | null {
  try {
    const value: unknown = JSON.parse(raw);
    return check(value) ? value : null;
  } catch {
    return null;
  }
}
