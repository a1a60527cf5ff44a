import type { Redis } from 'ioredis';

/*
 * What a job has already asked of v0, kept the moment it is known so a retried job (its worker crashed
 * or shut down) follows the same generation instead of starting and paying for another one.
 */

export interface V0TaskRecord {
  chatId: string;
  /** The chat's newest version before our message: the generation we wait for is the next one. */
  previousVersionId?: string;
  /** How many messages the chat had before our message (later assistant messages answer ours). */
  messagesBefore?: number;
}

export interface V0TaskStore {
  get(jobId: string): Promise<V0TaskRecord | null>;
  set(jobId: string, record: V0TaskRecord): Promise<void>;
  clear(jobId: string): Promise<void>;
}

const TTL_S = 24 * 3600;

export class RedisV0TaskStore implements V0TaskStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (jobId: string) => string,
  ) {}

  async get(jobId: string): Promise<V0TaskRecord | null> {
    const raw = await this.redis.get(this.keyOf(jobId));
    try {
      const rec = raw ? (JSON.parse(raw) as V0TaskRecord) : null;
      return rec && typeof rec.chatId === 'string' ? rec : null;
    } catch {
      return null;
    }
  }

  async set(jobId: string, record: V0TaskRecord): Promise<void> {
    await this.redis.set(this.keyOf(jobId), JSON.stringify(record), 'EX', TTL_S);
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.keyOf(jobId));
  }
}

/** For tests and single-process use: forgets everything on restart. */
export class MemoryV0TaskStore implements V0TaskStore {
  readonly records = new Map<string, V0TaskRecord>();
  async get(jobId: string): Promise<V0TaskRecord | null> {
    return this.records.get(jobId) ?? null;
  }
  async set(jobId: string, record: V0TaskRecord): Promise<void> {
    this.records.set(jobId, record);
  }
  async clear(jobId: string): Promise<void> {
    this.records.delete(jobId);
  }
}
