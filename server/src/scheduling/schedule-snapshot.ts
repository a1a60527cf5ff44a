import type { Redis } from 'ioredis';
import {
  BackendRuntime,
  WORKER_HEARTBEAT_TTL_MS,
  WorkerInfo,
  checked,
  normalizeModelName,
  redisKeys,
  type BackendStatus,
  type RedisKeys,
  type ScheduleStore,
} from '@orchestrator/shared';
import type { BackendRegistry } from '../backends/backend-registry.js';

const backendRuntime = checked(BackendRuntime);
const workerInfo = checked(WorkerInfo);

export interface BackendSnapshot {
  id: string;
  status: BackendStatus;
  /** Checkpoints and diffusion models it reports (`/`-separated); null before a worker has read them. */
  models: ReadonlySet<string> | null;
  /** What its owner says it is doing; absent when no worker drives it. */
  runtime?: BackendRuntime;
}

/** What the scheduler looks like now: what the wait reasons and the agents view are computed from. */
export interface ScheduleSnapshot {
  disabled: ReadonlySet<string>;
  backends: BackendSnapshot[];
  /** Live worker processes and what they serve. */
  workers: WorkerInfo[];
}

function parse<T>(raw: string | null | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a ScheduleSnapshot: the agent switches, the backends (status, models, owner) and the live workers. */
export class ScheduleReader {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly backends: BackendRegistry,
    readonly schedule: ScheduleStore,
  ) {
    this.keys = redisKeys(prefix);
  }

  async snapshot(now = Date.now()): Promise<ScheduleSnapshot> {
    const ids = this.backends.ids.map((b) => b.id);
    const [disabled, views, models, runtimes, workerIds] = await Promise.all([
      this.schedule.disabledAgents(),
      this.backends.list(now),
      this.backends.models(now).catch(() => []),
      ids.length > 0 ? this.redis.mget(...ids.map((id) => this.keys.sched.runtime(id))) : Promise.resolve([]),
      this.redis.zrangebyscore(this.keys.workers, now - WORKER_HEARTBEAT_TTL_MS, '+inf'),
    ]);
    const infos = workerIds.length > 0 ? await this.redis.mget(...workerIds.map((id) => this.keys.sched.worker(id))) : [];
    const modelsById = new Map(models.map((m) => [m.id, new Set([...(m.folders.checkpoints ?? []), ...(m.folders.diffusion_models ?? [])])]));
    return {
      disabled,
      backends: views.map((v, i) => {
        const runtime = parse(runtimes[i], backendRuntime.check);
        const listed = modelsById.get(v.status.id) ?? (v.record ? new Set(v.record.checkpoints.map(normalizeModelName)) : null);
        return { id: v.status.id, status: v.status, models: listed && listed.size > 0 ? listed : null, ...(runtime ? { runtime } : {}) };
      }),
      workers: infos.map((raw) => parse(raw, workerInfo.check)).filter((w): w is WorkerInfo => w !== undefined),
    };
  }
}
