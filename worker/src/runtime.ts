import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  AssetStore,
  EventLog,
  JobStore,
  PROVIDERS,
  ScheduleStore,
  WorkflowStore,
  backendIds,
  redisKeys,
  type Config,
  type Provider,
  type WorkerInfo,
} from '@orchestrator/shared';
import { BackendMonitor } from './backends/monitor.js';
import { CLOUD_PROVIDERS } from './cloud/providers.js';
import type { CloudProviderEntry } from './cloud/registry.js';
import { CancelListener } from './cancel-listener.js';
import { errorMessage } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { createLogger } from './logger.js';
import { ComfyConnections } from './providers/comfyui/connections.js';
import { ComfyUiProvider, type ComfyProviderOptions } from './providers/comfyui/provider.js';
import { AgentSwitches } from './scheduling/agent-switches.js';
import { BackendDriver } from './scheduling/backend-driver.js';
import { BackendOwnership } from './scheduling/backend-ownership.js';
import { ClaimGate } from './scheduling/claim-gate.js';
import { CloudDriver } from './scheduling/cloud-driver.js';
import { LaneDirectory } from './scheduling/lane-directory.js';
import { LaneWorkers } from './scheduling/lane-workers.js';
import { settleStalledJob } from './scheduling/stalled-jobs.js';
import { openWorkerStorage } from './storage/worker-storage.js';
import type { RunnerDeps } from './scheduling/job-runner.js';

/*
 * One worker process: it owns a share of the ComfyUI backends (a driver per owned backend, the monitor
 * probing them), runs the cloud providers it has keys for, and listens for cancels and wake-ups. Tests
 * and the end-to-end harness run it in-process; main.ts runs it as a process. See docs/scheduling.md.
 */

/** The queue of ComfyUI jobs that load no particular model (each model has a lane queue of its own). */
export const COMFYUI_QUEUE = 'comfyui';

export interface RuntimeOptions {
  logger?: Logger;
  /** On close, how long running jobs may keep running before they are handed back. */
  shutdownGraceMs?: number;
  monitorIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** Prompts kept on a backend at once (1 disables pipelining). */
  pipelineDepth?: number;
  /** How long a job may be passed over for jobs of a backend's loaded model (AFFINITY_MAX_WAIT_MS). */
  affinityMaxWaitMs?: number;
  /** Backend ownership timing: key lifetime and tick (tests shorten them). */
  ownership?: { ttlMs?: number; tickMs?: number };
  /** Tuning for tests (poll intervals, cancel wait…). */
  comfy?: Pick<ComfyProviderOptions, 'tracker' | 'cancelWaitMs' | 'previewIntervalMs' | 'connectWaitMs'>;
  /** Tuning per cloud queue, e.g. `{ flux: { pollInitialMs: 50 } }` (see providers/bfl/provider.ts BflTuning). */
  cloud?: Record<string, Record<string, unknown> | undefined>;
  /** The cloud providers to serve (default: all of CLOUD_PROVIDERS that are configured). */
  cloudProviders?: readonly CloudProviderEntry[];
}

export interface WorkerRuntime {
  readonly id: string;
  /** Backends this process drives now. */
  owned(): string[];
  close(): Promise<void>;
}

export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function startWorkerRuntime(config: Config, options: RuntimeOptions = {}): Promise<WorkerRuntime> {
  const id = newWorkerId();
  const startedAt = new Date().toISOString();
  const log = (options.logger ?? createLogger(config.logLevel)).child({ workerId: id });
  const keys = redisKeys(config.keyPrefix);
  // BullMQ needs maxRetriesPerRequest: null; the stores share the connection.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = redis.duplicate();
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'redis subscriber error'));
  const jobs = new JobStore(redis, config.keyPrefix);
  const events = new EventLog(redis, config.keyPrefix);
  const assets = new AssetStore(redis, config.keyPrefix);
  const schedule = new ScheduleStore(redis, config.keyPrefix);
  const backends = backendIds(config.comfyuiUrls);
  // Outputs go to the server's folders: directly when this machine shares them, else through its storage API.
  const storage = openWorkerStorage(config, redis, keys, log);

  const laneWorkers: LaneWorkers = new LaneWorkers({
    connection: redis,
    prefix: keys.bullPrefix,
    lockMs: config.jobLockMs,
    workerName: id,
    log,
    onStalled: (queue, jobId) => void settleStalledJob({ schedule, jobs, laneWorkers, log }, queue, jobId).then(notifyAll),
  });
  const lanes = new LaneDirectory(schedule);
  const gates = new Map(PROVIDERS.map((p) => [p, new ClaimGate()]));
  const drivers = new Map<string, BackendDriver>();
  const active = new Map<string, { cancel(jobId: string): boolean }>();
  const notifyAll = () => {
    for (const d of drivers.values()) d.notify();
    for (const c of cloud) c.driver.notify();
  };
  const switches = new AgentSwitches(schedule, log, notifyAll);

  const connections = new ComfyConnections(backends, id, log);
  const monitor = new BackendMonitor({
    redis,
    keys,
    events,
    backends,
    log,
    ...(options.monitorIntervalMs ? { intervalMs: options.monitorIntervalMs } : {}),
    onStatus: (status, prev) => {
      if (status.online !== prev?.online) drivers.get(status.id)?.notify();
    },
  });
  const comfy = new ComfyUiProvider({
    storage,
    assets,
    workflows: new WorkflowStore(redis, config.keyPrefix),
    connections,
    defaultModel: (backendId) => monitor.status(backendId)?.checkpoints[0],
    ...options.comfy,
  });
  const runnerBase: Omit<RunnerDeps, 'backend' | 'inflightKey' | 'adoptable' | 'provider' | 'startMessage' | 'run' | 'log'> = {
    jobs,
    events,
    assets,
    schedule,
    lockMs: config.jobLockMs,
  };

  // What each owned backend's driver is doing, for the agents view: written on change and every second.
  let publishTimer: NodeJS.Timeout | null = null;
  const publishRuntime = async () => {
    const multi = redis.multi();
    for (const d of drivers.values()) multi.set(keys.sched.runtime(d.id), JSON.stringify(d.runtime()), 'PX', 5000);
    const info: WorkerInfo = { id, providers: servedProviders(), backends: [...drivers.keys()], storage: storage.mode(), startedAt };
    multi.set(keys.sched.worker(id), JSON.stringify(info), 'PX', 15_000);
    await multi.exec().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not publish the backends runtime'));
  };
  let publishSoon: NodeJS.Timeout | null = null;
  const runtimeChanged = () => {
    publishSoon ??= setTimeout(() => {
      publishSoon = null;
      void publishRuntime();
    }, 20);
  };

  const ownership = new BackendOwnership({
    redis,
    keys: keys.sched,
    workerId: id,
    backends: backends.map((b) => b.id),
    log,
    ...options.ownership,
    onAcquired: (backendId) => startDriver(backendId),
    onLost: (backendId) => void stopDriver(backendId, false),
    onRelease: (backendId) => drivers.get(backendId)?.release(),
  });

  async function startDriver(backendId: string): Promise<void> {
    const backend = backends.find((b) => b.id === backendId)!;
    const blog = log.child({ backend: backendId, provider: 'comfyui' });
    const previous = await redis.get(keys.sched.runtime(backendId)).catch(() => null);
    const loaded = previous ? (JSON.parse(previous) as { loadedModel?: string }).loadedModel : undefined;
    const driver: BackendDriver = new BackendDriver({
      backend,
      workerId: id,
      schedule,
      laneWorkers,
      gate: gates.get('comfyui')!,
      lanes,
      switches,
      runner: { ...runnerBase, run: comfy, log: blog, onBackendTrouble: () => void monitor.probeNow().catch(() => undefined) },
      status: () => monitor.status(backendId),
      models: () => monitor.modelNames(backendId),
      active,
      onChange: runtimeChanged,
      onIdle: () => void stopDriver(backendId, true),
      log: blog,
      ...(options.pipelineDepth ? { depth: options.pipelineDepth } : {}),
      affinityMaxWaitMs: options.affinityMaxWaitMs ?? config.affinityMaxWaitMs,
    });
    drivers.set(backendId, driver);
    await monitor.watch([...drivers.keys()]);
    driver.start(loaded);
    runtimeChanged();
  }

  /** Stops driving a backend: released (its jobs are done) or lost to another worker (hand its jobs over now). */
  async function stopDriver(backendId: string, release: boolean): Promise<void> {
    const driver = drivers.get(backendId);
    if (!driver) return;
    drivers.delete(backendId);
    await driver.stop(0);
    if (release) await ownership.release(backendId);
    await monitor.watch([...drivers.keys()]);
    await redis.del(keys.sched.runtime(backendId)).catch(() => undefined);
    runtimeChanged();
  }

  const cloud: { entry: CloudProviderEntry; driver: CloudDriver; close?: () => Promise<void> }[] = [];
  for (const entry of options.cloudProviders ?? CLOUD_PROVIDERS) {
    const clog = log.child({ provider: entry.queue, backend: entry.backendId });
    if (!entry.enabled(config)) {
      clog.info(`${entry.queue}: not configured in this worker; its jobs wait for a worker that is`);
      continue;
    }
    const tuning = options.cloud?.[entry.queue];
    const instance = entry.create({ config, redis, keys, assets, storage, workerId: id, log: clog, ...(tuning ? { options: tuning } : {}) });
    const driver = new CloudDriver({
      provider: entry.queue,
      backendId: entry.backendId,
      slots: entry.concurrency(config),
      workerId: id,
      schedule,
      laneWorkers,
      gate: gates.get(entry.queue)!,
      switches,
      runner: { ...runnerBase, run: instance.provider, log: clog },
      ...(instance.hasRoom ? { hasRoom: instance.hasRoom.bind(instance) } : {}),
      ...(instance.acquire ? { acquire: instance.acquire.bind(instance) } : {}),
      active,
      log: clog,
    });
    cloud.push({ entry, driver, ...(instance.close ? { close: instance.close.bind(instance) } : {}) });
    clog.info({ concurrency: entry.concurrency(config) }, `${entry.queue}: taking jobs`);
  }

  function servedProviders(): Provider[] {
    return PROVIDERS.filter((p) => (p === 'comfyui' ? backends.length > 0 : cloud.some((c) => c.entry.queue === p)));
  }

  const heartbeat = new Heartbeat(redis, keys.workers, id, log, options.heartbeatIntervalMs);
  const listener = new CancelListener(
    subscriber,
    keys.cancelChannel,
    (jobId) => {
      if (active.get(jobId)?.cancel(jobId)) log.info({ jobId }, 'cancel requested; stopping the job');
    },
    log,
    {
      channel: keys.sched.wake,
      onMessage: (message) => void onWake(message),
    },
  );

  /** "job <provider> <lane>": a job is waiting (a new lane is read first); "agents": a switch changed; "free": a lane's lock went. */
  async function onWake(message: string): Promise<void> {
    const [what, provider, lane] = message.split(' ');
    if (what === 'free') return notifyAll();
    if (what === 'agents') {
      await switches.refresh();
      notifyAll();
      return;
    }
    if (what !== 'job' || !provider || !lane) return;
    if (provider === 'comfyui') {
      if (!lanes.knows('comfyui', lane)) await watchComfyLanes();
      for (const d of drivers.values()) d.notify();
    } else {
      for (const c of cloud) if (c.entry.queue === provider) c.driver.notify();
    }
  }

  /** Reads the ComfyUI lanes again and runs BullMQ's stalled check on each lane's queue. */
  async function watchComfyLanes(): Promise<void> {
    if (backends.length === 0) return;
    await lanes.refresh('comfyui').catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not read the lanes'));
    laneWorkers.watch([COMFYUI_QUEUE, ...[...(await lanes.get('comfyui')).values()].map((l) => l.queue)]);
  }

  await heartbeat.start();
  await watchComfyLanes();
  await switches.start();
  await listener.start();
  await monitor.watch([]);
  await monitor.start();
  await ownership.start();
  for (const c of cloud) c.driver.start();
  publishTimer = setInterval(() => void publishRuntime(), 1000);
  publishTimer.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('worker stopping');
      const grace = options.shutdownGraceMs ?? 8000;
      // Still this process's backends while their jobs finish: renewed, but nothing new taken.
      await ownership.stopTaking();
      const owned = [...drivers.entries()];
      drivers.clear();
      await Promise.all([...owned.map(([, d]) => d.stop(grace)), ...cloud.map((c) => c.driver.stop(grace))]);
      await ownership.stop();
      // Handed-back prompts stay in the backends' in-flight records: releasing lets the next owner adopt them now.
      await Promise.all(owned.map(([b]) => ownership.release(b)));
      if (publishTimer) clearInterval(publishTimer);
      if (publishSoon) clearTimeout(publishSoon);
      await redis.del(...owned.map(([b]) => keys.sched.runtime(b)), keys.sched.worker(id)).catch(() => undefined);
      await monitor.stop();
      switches.stop();
      await listener.stop();
      await heartbeat.stop();
      storage.close();
      await laneWorkers.close();
      await connections.close();
      await Promise.all(cloud.map((c) => c.close?.()));
      await Promise.all([subscriber.quit().catch(() => undefined), redis.quit().catch(() => undefined)]);
      log.info('worker stopped');
    })();
    return closing;
  };
  return { id, owned: () => [...drivers.keys()], close };
}
