import { LRUCache } from 'lru-cache';

/*
 * ComfyUI's `/object_info` (every node class with its inputs) per backend, for checking graphs before
 * they are queued: the server's pre-submit check and the worker's check before it submits. One fetch
 * at a time per backend (callers that arrive meanwhile share it), kept for `ttlMs`. How it is fetched
 * (URL, credentials, time limit, logging) is the caller's: `C` is what its fetch needs, e.g. the URL.
 */

export type ObjectInfo = Record<string, unknown>;

export interface ObjectInfoCacheOptions {
  /** How long an answer is kept (default 60 s). */
  ttlMs?: number;
  /** How long a failed fetch (`null`) is remembered before the backend is asked again; 0 (default): not at all. */
  failureTtlMs?: number;
  /** Backends remembered at most; the least recently used is dropped (default 64). */
  max?: number;
}

/** What one fetch of the cache runs (the caller's fetch, bound to its context). */
interface Fetch {
  run(): Promise<ObjectInfo | null>;
}

interface Entry {
  /** When the fetch started (Date.now()). */
  at: number;
  info: ObjectInfo | null;
}

export class ObjectInfoCache<C = string> {
  private readonly cache: LRUCache<string, Entry, Fetch>;

  /** `fetchInfo(context)`: the backend's object_info, or null when it cannot be had (never throws). */
  constructor(
    private readonly fetchInfo: (context: C) => Promise<ObjectInfo | null>,
    options: ObjectInfoCacheOptions = {},
  ) {
    const failureTtlMs = options.failureTtlMs ?? 0;
    this.cache = new LRUCache<string, Entry, Fetch>({
      max: options.max ?? 64,
      ttl: options.ttlMs ?? 60_000,
      fetchMethod: async (_key, _stale, { context, options: entry }) => {
        const at = Date.now();
        const info = await context.run();
        if (info !== null) return { at, info };
        if (failureTtlMs <= 0) return undefined; // not cached: the next call asks again
        entry.ttl = failureTtlMs;
        return { at, info: null };
      },
    });
  }

  /**
   * The object_info of the backend cached under `key` (fetched with `context` when it is not), or null.
   * `maxAgeMs` asks again when the cached answer is older (0: always).
   */
  async get(key: string, context: C, maxAgeMs?: number): Promise<ObjectInfo | null> {
    const hit = this.cache.peek(key);
    const forceRefresh = maxAgeMs !== undefined && hit !== undefined && (maxAgeMs <= 0 || Date.now() - hit.at > maxAgeMs);
    const entry = await this.cache.fetch(key, { context: { run: () => this.fetchInfo(context) }, forceRefresh });
    return entry?.info ?? null;
  }

  /** How old the cached answer of `key` is, ms (Infinity when there is none). */
  age(key: string): number {
    const hit = this.cache.peek(key);
    return hit ? Date.now() - hit.at : Infinity;
  }
}
