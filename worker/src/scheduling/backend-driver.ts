import type { Logger } from 'pino';
import { ANY_LANE, normalizeModelName, type BackendRuntime, type BackendStatus, type InflightJob, type ScheduleStore } from '@orchestrator/shared';
import { ABORT_CANCEL, ABORT_SHUTDOWN, errorMessage } from '../errors.js';
import type { BackendRef } from '../providers/comfyui/connections.js';
import type { AgentSwitches } from './agent-switches.js';
import type { LaneDirectory } from './lane-directory.js';
import type { ClaimGate } from './claim-gate.js';
import type { LaneWorkers } from './lane-workers.js';
import { runTakenJob, type RunnerDeps, type TakenJob } from './job-runner.js';
import { takeNext } from './take-next.js';
import { Wakeup } from './wakeup.js';

/*
 * Drives one ComfyUI backend this process owns. It takes a job only when the backend can run it now
 * (online, switched on, a free pipeline slot), and keeps up to `depth` prompts on the backend: while
 * one runs, the next waits in ComfyUI's own queue, so the GPU never idles between prompts. A cancelled
 * prompt keeps its slot until ComfyUI has really stopped it. On start it adopts the jobs the backend's
 * previous owner left in flight.
 */

export interface DriverDeps {
  backend: BackendRef;
  workerId: string;
  schedule: ScheduleStore;
  laneWorkers: LaneWorkers;
  /** This process's claims of the provider, one at a time. */
  gate: ClaimGate;
  lanes: LaneDirectory;
  switches: AgentSwitches;
  /** The job runner's dependencies, but for what the driver fills in per job. */
  runner: Omit<RunnerDeps, 'backend' | 'inflightKey' | 'adoptable' | 'provider' | 'startMessage'>;
  status(): BackendStatus | undefined;
  /** Checkpoints and diffusion models the backend reports (`/`-separated), or undefined before the first read. */
  models(): ReadonlySet<string> | undefined;
  /** The cancel registry: job id → the driver running it. */
  active: Map<string, { cancel(jobId: string): boolean }>;
  /** Something a reader of the backend's runtime record would want to see changed. */
  onChange(): void;
  /** Called once the driver has no job left while it is releasing the backend. */
  onIdle(): void;
  log: Logger;
  depth?: number;
  affinityMaxWaitMs?: number;
}

interface RunHandle {
  controller: AbortController;
  stopping: boolean;
  /** Its prompt has ended on the backend; the run is only bringing the results home. */
  released: boolean;
  model?: string;
  done: Promise<void>;
}

/** After a lane's ticket led to an empty queue, leave the lane alone for this long (the reconciler settles it). */
const EMPTY_LANE_BACKOFF_MS = 1000;
/** At most this long before a claim refused as busy asks again (a "free" wake-up usually comes first). */
const BUSY_LANE_RETRY_MS = 50;

export class BackendDriver {
  private readonly runs = new Map<string, RunHandle>();
  private readonly wakeup = new Wakeup();
  private readonly emptyLanes = new Map<string, number>();
  private stopped = false;
  private releasing = false;
  private loadedModel: string | undefined;
  private loop: Promise<void> | null = null;
  private readonly depth: number;
  private readonly inflightKey: string;

  constructor(private readonly d: DriverDeps) {
    this.depth = d.depth ?? 2;
    this.inflightKey = d.schedule.sched.inflight(d.backend.id);
  }

  get id(): string {
    return this.d.backend.id;
  }

  get busy(): boolean {
    return this.runs.size > 0;
  }

  /** Adopts what the previous owner left in flight, then takes jobs until stopped. */
  start(previousLoadedModel?: string): void {
    this.loadedModel = previousLoadedModel;
    this.loop = this.adopt()
      .catch((err: unknown) => this.d.log.warn({ err: errorMessage(err) }, 'adopting in-flight jobs failed'))
      .then(() => this.run());
  }

  notify(): void {
    this.wakeup.notify();
  }

  /** Stop taking jobs; once the running ones end, onIdle() gives the backend to another worker. */
  release(): void {
    this.releasing = true;
    this.d.onChange();
    if (this.runs.size === 0) this.d.onIdle();
  }

  cancel(jobId: string): boolean {
    const run = this.runs.get(jobId);
    if (!run || run.controller.signal.aborted) return false;
    run.stopping = true;
    run.controller.abort(ABORT_CANCEL);
    this.d.onChange();
    return true;
  }

  /**
   * Stops taking jobs. Running ones may finish for `graceMs`; then they are handed back (a ComfyUI
   * prompt keeps running and the backend's next owner adopts it). 0 hands back at once.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wakeup.notify();
    const all = () => Promise.all([...this.runs.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)));
    const first = await Promise.race([all().then(() => 'done' as const), grace]);
    clearTimeout(timer);
    if (first === 'grace') {
      for (const run of this.runs.values()) if (!run.controller.signal.aborted) run.controller.abort(ABORT_SHUTDOWN);
      await all();
    }
    await this.loop;
  }

  runtime(): BackendRuntime {
    return {
      id: this.d.backend.id,
      owner: this.d.workerId,
      ...(this.loadedModel ? { loadedModel: this.loadedModel } : {}),
      inflight: this.inflight(),
      releasing: this.releasing,
      updatedAt: new Date().toISOString(),
    };
  }

  private inflight(): InflightJob[] {
    const out: InflightJob[] = [];
    let first = true;
    for (const [jobId, run] of this.runs) {
      if (run.released) continue;
      out.push({ jobId, phase: run.stopping ? 'stopping' : first ? 'running' : 'pipelined' });
      first = false;
    }
    return out;
  }

  private canTake(): boolean {
    if (this.stopped || this.releasing) return false;
    if (!this.d.status()?.online) return false;
    if (!this.d.switches.enabled('comfyui') || !this.d.switches.enabled(this.d.backend.id)) return false;
    let onBackend = 0;
    for (const run of this.runs.values()) {
      // A prompt being interrupted still occupies the GPU: nothing new goes behind it.
      if (run.stopping) return false;
      if (!run.released) onBackend++;
    }
    return onBackend < this.depth;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.canTake()) {
        try {
          if (await this.takeOne()) continue;
        } catch (err) {
          this.d.log.warn({ err: errorMessage(err) }, 'taking a job failed');
        }
      }
      await this.wakeup.wait(1000);
    }
  }

  /** The lanes this backend can run: its models' lanes and the any-model lane. */
  private async eligibleLanes(): Promise<Map<string, { queue: string; model?: string }>> {
    const all = await this.d.lanes.get('comfyui');
    const models = this.d.models() ?? new Set((this.d.status()?.checkpoints ?? []).map(normalizeModelName));
    const now = Date.now();
    const out = new Map<string, { queue: string; model?: string }>();
    for (const [lane, info] of all) {
      if ((this.emptyLanes.get(lane) ?? 0) > now) continue;
      if (lane === ANY_LANE || (info.model && models.has(info.model))) out.set(lane, info);
    }
    if (!all.has(ANY_LANE) && (this.emptyLanes.get(ANY_LANE) ?? 0) <= now) out.set(ANY_LANE, { queue: 'comfyui' });
    return out;
  }

  private loadedLane(lanes: Map<string, { queue: string; model?: string }>): string | undefined {
    if (!this.loadedModel) return undefined;
    for (const [lane, info] of lanes) if (info.model === this.loadedModel) return lane;
    return undefined;
  }

  private async takeOne(): Promise<boolean> {
    const lanes = await this.eligibleLanes();
    const loadedLane = this.loadedLane(lanes);
    const res = await takeNext({
      provider: 'comfyui',
      claimer: this.d.backend.id,
      lanes,
      ...(loadedLane ? { loadedLane } : {}),
      maxWaitMs: this.d.affinityMaxWaitMs ?? 60_000,
      schedule: this.d.schedule,
      laneWorkers: this.d.laneWorkers,
      inflightKey: this.inflightKey,
      workerId: this.d.workerId,
      log: this.d.log,
      gate: this.d.gate,
    });
    switch (res.kind) {
      case 'none':
        return false;
      case 'busy':
        // Another worker is between its claim and its take in the lane that is next: its take frees it ("free").
        await this.wakeup.wait(BUSY_LANE_RETRY_MS);
        return true;
      case 'empty-lane':
        this.emptyLanes.set(res.lane, Date.now() + EMPTY_LANE_BACKOFF_MS);
        return true;
      case 'taken':
        this.launch(res.job);
        return true;
    }
  }

  private async adopt(): Promise<void> {
    const entries = (await this.d.schedule.inflight(this.d.backend.id)).sort((a, b) => a.takenAt - b.takenAt);
    for (const entry of entries) {
      const bull = await this.d.laneWorkers.job(entry.queue, entry.jobId).catch(() => undefined);
      const ours = bull ? await bull.extendLock(entry.token, this.d.runner.lockMs).catch(() => 0) : 0;
      if (!bull || ours !== 1) {
        // Finished, removed, or its lock lapsed and BullMQ put it back: not this backend's any more.
        await this.d.schedule.dropInflight(entry.jobId, this.inflightKey);
        if (bull && ['waiting', 'prioritized'].includes(await bull.getState())) await this.d.schedule.requeue('comfyui', entry.lane, entry.jobId);
        this.d.log.info({ jobId: entry.jobId, found: Boolean(bull) }, 'in-flight job of the previous owner is no longer held');
        continue;
      }
      this.d.log.info({ jobId: entry.jobId }, 'adopting a job the previous owner left on the backend');
      const entryNow = { ...entry, worker: this.d.workerId };
      await this.d.schedule.take('comfyui', this.d.backend.id, this.inflightKey, entryNow, true);
      this.launch({ bull, entry: entryNow, adopted: true });
    }
  }

  private launch(job: TakenJob): void {
    const id = job.entry.jobId;
    const controller = new AbortController();
    const behind = this.runs.size > 0;
    const handle: RunHandle = { controller, stopping: false, released: false, ...(job.entry.model ? { model: job.entry.model } : {}), done: Promise.resolve() };
    this.runs.set(id, handle);
    this.d.active.set(id, this);
    if (job.entry.model) this.loadedModel = job.entry.model;
    handle.done = runTakenJob(
      job,
      {
        ...this.d.runner,
        provider: 'comfyui',
        backend: this.d.backend,
        inflightKey: this.inflightKey,
        adoptable: true,
        log: this.d.log,
        // The GPU slot frees as soon as the prompt has ended there: saving its outputs does not hold up the next one.
        onBackendDone: () => {
          if (handle.released) return;
          handle.released = true;
          this.d.onChange();
          this.wakeup.notify();
        },
        ...(behind ? { startMessage: `queued on ${this.d.backend.id} behind the running prompt` } : {}),
      },
      controller.signal,
    )
      .then(
        (outcome) => this.d.log.debug({ jobId: id, outcome }, 'job run ended'),
        (err: unknown) => this.d.log.error({ jobId: id, err: errorMessage(err) }, 'job run crashed'),
      )
      .finally(() => {
        this.runs.delete(id);
        if (this.d.active.get(id) === this) this.d.active.delete(id);
        this.d.onChange();
        this.wakeup.notify();
        if (this.releasing && this.runs.size === 0) this.d.onIdle();
      });
    this.d.onChange();
  }
}
