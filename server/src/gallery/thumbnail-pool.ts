/*
 * A bounded work pool keyed by what the work makes: at most `concurrency` tasks run at once, at most
 * `maxQueued` wait, and callers asking for a key that is already queued or running share that task.
 * Callers wait asynchronously; a queued task whose every caller has gone away (aborted) is dropped, so a
 * gallery scrolled past quickly does not leave a backlog of thumbnails nobody will look at.
 */

/** The queue is full: the caller should answer 503 with Retry-After rather than wait. */
export class PoolFullError extends Error {
  override readonly name = 'PoolFullError';
}

export interface PoolOptions {
  concurrency: number;
  maxQueued: number;
}

export interface PoolStats {
  /** Tasks started since the pool was made (a dedupe or a drop starts none). */
  started: number;
  running: number;
  queued: number;
  /** Calls that joined a task already queued or running. */
  shared: number;
  /** Queued tasks dropped because every caller aborted. */
  dropped: number;
  /** Calls refused because the queue was full. */
  refused: number;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

interface Task<T> {
  key: string;
  run: () => Promise<T>;
  waiters: Set<Waiter<T>>;
  state: 'queued' | 'running' | 'dropped';
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export class WorkPool<T> {
  private readonly tasks = new Map<string, Task<T>>();
  private readonly queue: Task<T>[] = [];
  private running = 0;
  private queued = 0;
  private readonly counts = { started: 0, shared: 0, dropped: 0, refused: 0 };

  constructor(private readonly options: PoolOptions) {
    if (options.concurrency < 1) throw new Error('concurrency must be at least 1');
  }

  stats(): PoolStats {
    return { ...this.counts, running: this.running, queued: this.queued };
  }

  /** Runs `run` for `key` (or joins the task already doing it) and resolves with its result. */
  run(key: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let task = this.tasks.get(key);
    if (task) {
      this.counts.shared++;
    } else {
      if (this.queued >= this.options.maxQueued && this.running >= this.options.concurrency) {
        this.counts.refused++;
        return Promise.reject(new PoolFullError(`More than ${this.options.maxQueued} thumbnails are waiting`));
      }
      task = { key, run, waiters: new Set(), state: 'queued' };
      this.tasks.set(key, task);
      this.queue.push(task);
      this.queued++;
    }
    const promise = this.wait(task, signal);
    this.pump();
    return promise;
  }

  private wait(task: Task<T>, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        task.waiters.delete(waiter);
        reject(abortError(signal!));
        if (task.waiters.size === 0 && task.state === 'queued') this.drop(task);
      };
      const waiter: Waiter<T> = {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      task.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private drop(task: Task<T>): void {
    task.state = 'dropped';
    this.tasks.delete(task.key);
    this.queued--;
    this.counts.dropped++;
    // Dropped tasks are skipped when their turn comes; compact when they pile up behind long jobs.
    if (this.queue.length > 2 * this.options.maxQueued + 16) {
      const live = this.queue.filter((t) => t.state === 'queued');
      this.queue.splice(0, this.queue.length, ...live);
    }
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const task = this.queue.shift()!;
      if (task.state === 'dropped') continue;
      task.state = 'running';
      this.queued--;
      this.running++;
      this.counts.started++;
      void this.execute(task);
    }
  }

  private async execute(task: Task<T>): Promise<void> {
    let outcome: { ok: true; value: T } | { ok: false; err: unknown };
    try {
      outcome = { ok: true, value: await task.run() };
    } catch (err) {
      outcome = { ok: false, err };
    }
    this.tasks.delete(task.key);
    this.running--;
    for (const w of task.waiters) {
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.err);
    }
    this.pump();
  }
}
