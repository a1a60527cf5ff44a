import type { Redis } from 'ioredis';
import { WORKER_HEARTBEAT_TTL_MS, WorkerInfo, checked, redisKeys, type Config, type Health } from '@orchestrator/shared';
import { withTimeout } from '../redis.js';
import type { BackendRegistry, BackendView } from '../backends/backend-registry.js';
import { toView } from '../backends/backend-registry.js';
import type { JobQueues, QueueCounts } from '../jobs/queues.js';
import { BflCredits, type CreditsReport } from './bfl-credits.js';

const REDIS_TIMEOUT_MS = 1500;
const workerInfo = checked(WorkerInfo);

/**
 * `GET /api/health`. Always answers: when Redis is down the report says so (redis.ok false, every
 * backend offline) instead of failing, since that is exactly when someone looks at it.
 */
export class HealthService {
  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
    private readonly backends: BackendRegistry,
    private readonly queues: JobQueues,
    /** The BFL balance; defaults to asking BFL_API_URL when BFL_API_KEY is set. */
    private readonly credits: { read(): Promise<CreditsReport> } | null = config.bflApiKey
      ? new BflCredits({ baseUrl: config.bflApiUrl, apiKey: config.bflApiKey })
      : null,
  ) {}

  async check(): Promise<Health> {
    const now = Date.now();
    const credits = this.credits?.read() ?? Promise.resolve(null);
    const redis = await this.pingRedis();
    let views: BackendView[] = this.backends.ids.map((b) => toView(b, null, now));
    let queues: Record<string, QueueCounts> = {};
    let live = 0;
    let workers: WorkerInfo[] = [];
    if (redis.ok) {
      const results = await Promise.allSettled([
        withTimeout(this.backends.list(now), REDIS_TIMEOUT_MS, 'backend records'),
        withTimeout(this.queues.allCounts(), REDIS_TIMEOUT_MS, 'queue counts'),
        withTimeout(this.liveWorkers(now), REDIS_TIMEOUT_MS, 'worker heartbeats'),
      ]);
      if (results[0].status === 'fulfilled') views = results[0].value;
      if (results[1].status === 'fulfilled') queues = results[1].value;
      if (results[2].status === 'fulfilled') ({ live, workers } = results[2].value);
    }
    const comfyDepth = queues.comfyui?.waiting ?? 0;
    const backends: Health['backends'] = views.map(({ status: s }) => ({
      id: s.id,
      url: s.url,
      online: s.online,
      simulated: s.simulated,
      checkedAt: s.checkedAt,
      ...(s.error !== undefined ? { error: s.error } : {}),
      queueDepth: comfyDepth,
      ...(s.queueRemaining !== undefined ? { queueRemaining: s.queueRemaining } : {}),
      ...(s.version !== undefined ? { version: s.version } : {}),
      devices: s.devices,
    }));
    const anyOnline = backends.some((b) => b.online);
    return {
      status: redis.ok && anyOnline ? 'ok' : 'degraded',
      redis,
      backends,
      queues,
      workers: { live, list: workers },
      providers: {
        flux: { configured: Boolean(this.config.bflApiKey), ...(await credits) },
        v0: { configured: Boolean(this.config.v0ApiKey) },
      },
    };
  }

  /** How many workers beat recently, and what the ones still publishing their info serve. */
  private async liveWorkers(now: number): Promise<{ live: number; workers: WorkerInfo[] }> {
    const keys = redisKeys(this.config.keyPrefix);
    const ids = await this.redis.zrangebyscore(keys.workers, now - WORKER_HEARTBEAT_TTL_MS, '+inf');
    const raws = ids.length > 0 ? await this.redis.mget(...ids.map((id) => keys.sched.worker(id))) : [];
    const workers = raws.flatMap((raw) => {
      try {
        const info: unknown = raw ? JSON.parse(raw) : null;
        return workerInfo.check(info) ? [info] : [];
      } catch {
        return [];
      }
    });
    return { live: ids.length, workers };
  }

  private async pingRedis(): Promise<Health['redis']> {
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping(), REDIS_TIMEOUT_MS, 'redis ping');
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (err) {
      return { ok: false, error: (err as Error).message.slice(0, 200) };
    }
  }
}
