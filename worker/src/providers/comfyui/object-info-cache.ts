import type { Logger } from 'pino';

/*
 * Each backend's `/object_info`, fetched once and kept for a while, for checking graphs before they are
 * submitted. Unreachable or malformed answers are not cached: the caller goes on unchecked and the
 * backend's own validation still applies.
 */

export interface ObjectInfoCacheOptions {
  ttlMs?: number;
  timeoutMs?: number;
}

interface Entry {
  at: number;
  info: Promise<Record<string, unknown> | null>;
}

export class ObjectInfoCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly timeoutMs: number;

  constructor(o: ObjectInfoCacheOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** The cached object_info of the backend at `baseUrl`; `maxAgeMs` forces a refetch of an older one. */
  get(baseUrl: string, log: Logger, maxAgeMs = this.ttlMs): Promise<Record<string, unknown> | null> {
    const now = Date.now();
    const hit = this.entries.get(baseUrl);
    if (hit && maxAgeMs > 0 && now - hit.at <= maxAgeMs) return hit.info;
    const info = this.fetch(baseUrl, log);
    const entry = { at: now, info };
    this.entries.set(baseUrl, entry);
    void info.then((v) => {
      if (v === null && this.entries.get(baseUrl) === entry) this.entries.delete(baseUrl);
    });
    return info;
  }

  age(baseUrl: string): number {
    const hit = this.entries.get(baseUrl);
    return hit ? Date.now() - hit.at : Infinity;
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
