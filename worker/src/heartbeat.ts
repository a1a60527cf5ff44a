import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Touched at every beat that reached Redis: the container's HEALTHCHECK looks at its age (Dockerfile.worker). */
const HEALTH_FILE = path.join(tmpdir(), 'orchestrator-worker.alive');

/** Keeps `workers` (a sorted set scored by last beat, ms) current for this worker id, and HEALTH_FILE fresh. */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly workerId: string,
    private readonly log: Logger,
    private readonly intervalMs = 5000,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.redis.zrem(this.key, this.workerId);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not remove heartbeat');
    }
  }

  private async beat(): Promise<void> {
    try {
      await this.redis.zadd(this.key, Date.now(), this.workerId);
      await writeFile(HEALTH_FILE, new Date().toISOString()).catch(() => undefined);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
}
