import type { Logger } from 'pino';
import { ObjectInfoCache as SharedObjectInfoCache } from '@orchestrator/shared';

/*
 * Each backend's `/object_info`, fetched once and kept for a while, for checking graphs before they are
 * submitted (the cache itself: shared/src/object-info-cache.ts). Unreachable or malformed answers are
 * not cached: the caller goes on unchecked and the backend's own validation still applies.
 */

export interface ObjectInfoCacheOptions {
  ttlMs?: number;
  timeoutMs?: number;
}

export class ObjectInfoCache {
  private readonly cache: SharedObjectInfoCache<{ baseUrl: string; log: Logger }>;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;

  constructor(o: ObjectInfoCacheOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.cache = new SharedObjectInfoCache(({ baseUrl, log }) => this.fetch(baseUrl, log), { ttlMs: this.ttlMs });
  }

  /** The cached object_info of the backend at `baseUrl`; `maxAgeMs` forces a refetch of an older one. */
  get(baseUrl: string, log: Logger, maxAgeMs = this.ttlMs): Promise<Record<string, unknown> | null> {
    return this.cache.get(baseUrl, { baseUrl, log }, maxAgeMs);
  }

  age(baseUrl: string): number {
    return this.cache.age(baseUrl);
  }

  private async fetch(baseUrl: string, log: Logger): Promise<Record<string, unknown> | null> {
    try {
      const res = await fetch(`${baseUrl}/object_info`, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body: unknown = await res.json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
      return body as Record<string, unknown>;
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read /object_info; submitting unchecked');
      return null;
    }
  }
}
