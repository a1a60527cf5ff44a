import type { Redis } from 'ioredis';

/*
 * What a job has sent to BFL, kept in Redis the moment it is known, so a retried job (its worker
 * crashed or shut down) follows the task instead of paying for it again. `submitting` is written
 * just before the submit goes out: finding it without a task means an earlier attempt may have
 * created (and been billed for) a task whose id was never learned.
 */

export type BflTaskRecord =
  | { state: 'submitting'; model: string; at: number }
  | { state: 'submitted'; model: string; at: number; id: string; pollingUrl: string };

const TTL_S = 24 * 3600;

export class BflTaskStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (jobId: string) => string,
  ) {}

  async get(jobId: string): Promise<BflTaskRecord | null> {
    const raw = await this.redis.get(this.keyOf(jobId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as BflTaskRecord;
    } catch {
      return null;
    }
  }

  async submitting(jobId: string, model: string): Promise<void> {
    await this.redis.set(this.keyOf(jobId), JSON.stringify({ state: 'submitting', model, at: Date.now() }), 'EX', TTL_S);
  }

  async submitted(jobId: string, record: Omit<Extract<BflTaskRecord, { state: 'submitted' }>, 'state'>): Promise<void> {
    await this.redis.set(this.keyOf(jobId), JSON.stringify({ state: 'submitted', ...record }), 'EX', TTL_S);
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.keyOf(jobId));
  }
}
