import type { Logger } from 'pino';
import { ANY_LANE, type Provider, type QueuedJobData, type ScheduleStore } from '@orchestrator/shared';
import { ABORT_CANCEL, ABORT_SHUTDOWN, errorMessage } from '../errors.js';
import type { CloudLease } from '../cloud/registry.js';
import type { AgentSwitches } from './agent-switches.js';
import type { ClaimGate } from './claim-gate.js';
import type { LaneWorkers } from './lane-workers.js';
import { keepLock, runTakenJob, type RunnerDeps, type TakenJob } from './job-runner.js';
import { takeNext } from './take-next.js';
import { Wakeup } from './wakeup.js';

/*
 * Runs one cloud provider's jobs in this process: `slots` at once, in queue order. A job is taken only
 * while the provider is switched on and the account has room (its cluster-wide semaphore); a job whose
 * own pool is full (flux-kontext-max) keeps its place and waits for it. Nothing is put back to be
 * fetched again. A cloud job has no backend to adopt it: handed back on shutdown, it goes back to the queue.
 */

export interface CloudDriverDeps {
  provider: Provider;
  /** Recorded as the job's backend (`bfl`, `v0`). */
  backendId: string;
  slots: number;
  workerId: string;
  schedule: ScheduleStore;
  laneWorkers: LaneWorkers;
  /** This process's claims of the provider, one at a time. */
  gate: ClaimGate;
  switches: AgentSwitches;
  runner: Omit<RunnerDeps, 'backend' | 'inflightKey' | 'adoptable' | 'provider' | 'startMessage'>;
  /** Whether the provider's account has room for one more task now (checked before taking a job). */
  hasRoom?(): Promise<boolean>;
  /** The slot(s) a job holds while it runs; null while they are taken (the job waits for them). */
  acquire?(data: QueuedJobData, log: Logger): Promise<CloudLease | null>;
  active: Map<string, { cancel(jobId: string): boolean }>;
  log: Logger;
  /** How often a job waiting for its pool asks again. */
  acquireRetryMs?: number;
}

export class CloudDriver {
  private readonly runs = new Map<string, AbortController>();
  private readonly wakeup = new Wakeup();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly inflightKey: string;

  constructor(private readonly d: CloudDriverDeps) {
    this.inflightKey = d.schedule.sched.inflight(`${d.provider}@${d.workerId}`);
  }

  get running(): number {
    return this.runs.size;
  }

  start(): void {
    this.d.laneWorkers.watch([this.d.provider]);
    for (let i = 0; i < this.d.slots; i++) this.loops.push(this.slot(i));
  }

  notify(): void {
    this.wakeup.notify();
  }

  cancel(jobId: string): boolean {
    const c = this.runs.get(jobId);
    if (!c || c.signal.aborted) return false;
    c.abort(ABORT_CANCEL);
    return true;
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wakeup.notify();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)));
    const first = await Promise.race([Promise.all(this.loops).then(() => 'done' as const), grace]);
    clearTimeout(timer);
    if (first === 'grace') for (const c of this.runs.values()) if (!c.signal.aborted) c.abort(ABORT_SHUTDOWN);
    await Promise.all(this.loops);
  }

  private async slot(index: number): Promise<void> {
    const claimer = `${this.d.provider}@${this.d.workerId}/${index}`;
    while (!this.stopped) {
      let ran = false;
      let full = false;
      try {
        if (this.d.switches.enabled(this.d.provider)) {
          full = !(await (this.d.hasRoom?.() ?? true));
          if (!full) ran = await this.takeAndRun(claimer);
        }
      } catch (err) {
        this.d.log.warn({ err: errorMessage(err) }, 'taking a job failed');
      }
      // A full account frees up without a word from other processes: look again soon.
      if (!ran) await this.wakeup.wait(full ? 250 : 1000);
    }
  }

  private async takeAndRun(claimer: string): Promise<boolean> {
    const res = await takeNext({
      provider: this.d.provider,
      claimer,
      lanes: new Map([[ANY_LANE, { queue: this.d.provider }]]),
      maxWaitMs: 0,
      schedule: this.d.schedule,
      laneWorkers: this.d.laneWorkers,
      inflightKey: this.inflightKey,
      workerId: this.d.workerId,
      log: this.d.log,
      gate: this.d.gate,
    });
    if (res.kind === 'busy') {
      await this.wakeup.wait(50);
      return true;
    }
    if (res.kind !== 'taken') return res.kind === 'empty-lane';
    // Another slot may find more work: pass the wake-up on.
    this.wakeup.notify();
    await this.runHeld(res.job);
    return true;
  }

  private async runHeld(job: TakenJob): Promise<void> {
    const id = job.entry.jobId;
    const controller = new AbortController();
    this.runs.set(id, controller);
    this.d.active.set(id, this);
    let lease: CloudLease | null = null;
    try {
      lease = await this.waitForLease(job, controller.signal);
      await runTakenJob(
        job,
        { ...this.d.runner, provider: this.d.provider, backend: { id: this.d.backendId, url: '' }, inflightKey: this.inflightKey, adoptable: false, log: this.d.log },
        controller.signal,
      );
    } catch (err) {
      this.d.log.error({ jobId: id, err: errorMessage(err) }, 'job run crashed');
      await this.d.schedule.dropInflight(id, this.inflightKey).catch(() => undefined);
    } finally {
      await lease?.release();
      this.runs.delete(id);
      if (this.d.active.get(id) === this) this.d.active.delete(id);
      this.wakeup.notify();
    }
  }

  /** The job's slots; meanwhile the job says what it waits for, and its BullMQ lock is kept. Null without an acquire (no limit). */
  private async waitForLease(job: TakenJob, signal: AbortSignal): Promise<CloudLease | null> {
    if (!this.d.acquire) return null;
    const data = job.bull.data as QueuedJobData;
    const first = await this.d.acquire(data, this.d.log);
    if (first) return first;
    const lock = keepLock(job.bull, job.entry.token, this.d.runner.lockMs, this.d.log);
    try {
      const lease = await this.waitForPools(job, data, AbortSignal.any([signal, lock.signal]));
      if (lock.signal.aborted) throw new Error('lost the job in BullMQ while it waited for a slot');
      return lease;
    } finally {
      lock.stop();
    }
  }

  private async waitForPools(job: TakenJob, data: QueuedJobData, signal: AbortSignal): Promise<CloudLease | null> {
    let told = false;
    for (;;) {
      const lease = await this.d.acquire!(data, this.d.log);
      if (lease || signal.aborted) return lease;
      if (!told) {
        told = true;
        await this.d.runner.jobs
          .update(job.entry.jobId, 'job.progress', (j) => ({ ...j, progress: { percent: 0, message: `waiting for a free ${this.d.provider} slot (account limit)` } }))
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, this.d.acquireRetryMs ?? 500));
    }
  }
}
