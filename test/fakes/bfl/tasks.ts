// Task lifecycle of the fake: submit → Pending (for `pendingPolls` polls, or until `maxPendingMs`) → a terminal
// status. A task is "active" (counts against the concurrency limit) from submit until it is terminal.
import { randomUUID } from 'node:crypto';
import type { OutputFormat } from './images.js';

export type TaskStatus = 'Pending' | 'Ready' | 'Request Moderated' | 'Content Moderated' | 'Error';
export type TaskOutcome = 'ready' | 'request' | 'content' | 'error';

export interface Task {
  id: string;
  model: string;
  pollHost: string; // host name of the polling_url: polls elsewhere answer "Task not found"
  input: Record<string, unknown>;
  width: number;
  height: number;
  format: OutputFormat;
  seed: number;
  outcome: TaskOutcome;
  pendingPolls: number;
  polls: number;
  submittedAt: number;
  deadline: number; // finishes on its own by then even if never polled
  status: TaskStatus;
  finishedAt?: number;
  sampleExpiresAt?: number;
}

export interface TaskStats {
  submits: number;
  polls: number;
  downloads: number;
  readonly inFlight: number;
  maxInFlight: number;
}

export interface NewTask {
  model: string;
  pollHost: string;
  input: Record<string, unknown>;
  width: number;
  height: number;
  format: OutputFormat;
  outcome: TaskOutcome;
  pendingPolls: number;
}

const TERMINAL: Record<TaskOutcome, TaskStatus> = { ready: 'Ready', request: 'Request Moderated', content: 'Content Moderated', error: 'Error' };

export class TaskStore {
  private readonly tasks = new Map<string, Task>();
  readonly stats: TaskStats;

  constructor(private readonly opts: { maxPendingMs: number; sampleTtlMs: number; now: () => number }) {
    const active = (): number => this.active().length;
    this.stats = {
      submits: 0,
      polls: 0,
      downloads: 0,
      get inFlight(): number {
        return active();
      },
      maxInFlight: 0,
    };
  }

  /** Finishes a task whose time is up (lazy, so an unpolled task still frees its slot). */
  private settle(t: Task, now: number): void {
    if (t.status === 'Pending' && now >= t.deadline) this.finish(t, now);
  }

  private finish(t: Task, now: number): void {
    t.status = TERMINAL[t.outcome];
    t.finishedAt = now;
    if (t.status === 'Ready') t.sampleExpiresAt = now + this.opts.sampleTtlMs;
  }

  active(model?: string): Task[] {
    const now = this.opts.now();
    const out: Task[] = [];
    for (const t of this.tasks.values()) {
      this.settle(t, now);
      if (t.status === 'Pending' && (model === undefined || t.model === model)) out.push(t);
    }
    return out;
  }

  create(n: NewTask): Task {
    const now = this.opts.now();
    const given = n.input.seed;
    const task: Task = {
      ...n,
      id: randomUUID(),
      seed: typeof given === 'number' ? given : Math.floor(Math.random() * 2 ** 31),
      polls: 0,
      submittedAt: now,
      deadline: now + this.opts.maxPendingMs,
      status: 'Pending',
    };
    this.tasks.set(task.id, task);
    this.stats.submits++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
    return task;
  }

  get(id: string): Task | undefined {
    const t = this.tasks.get(id);
    if (t) this.settle(t, this.opts.now());
    return t;
  }

  /** One poll of a task: counts it, and finishes the task once it has been seen Pending `pendingPolls` times. */
  poll(t: Task): void {
    t.polls++;
    if (t.status === 'Pending' && t.polls > t.pendingPolls) this.finish(t, this.opts.now());
  }
}
