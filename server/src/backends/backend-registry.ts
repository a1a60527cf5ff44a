import type { Redis } from 'ioredis';
import { BackendModels, BackendStatus, backendIds, checked, redactUrl, redisKeys, type RedisKeys } from '@orchestrator/shared';

const backendStatus = checked(BackendStatus);
const backendModels = checked(BackendModels);

/** A record older than this means no worker is watching the backend any more. */
const BACKEND_STALE_MS = 30_000;
const STALE_ERROR = 'no live worker is checking this backend';

export interface BackendView {
  /** What the routes report: stale or missing records are shown offline. */
  status: BackendStatus;
  /** The URL as configured, credentials included: for the server's own calls, never shown. */
  configuredUrl: string;
  /** The record as the worker last wrote it, or null when none exists. */
  record: BackendStatus | null;
}

/**
 * Reads the BackendStatus records the workers' monitors write at `keys.backend(id)` (JSON strings)
 * for every backend in COMFYUI_URLS, and the per-folder model lists at `keys.backendModels(id)`. Reads
 * are cached for a moment: POST /api/jobs consults them on every submit and the records change only
 * every few seconds; a model list is parsed again only when its text changed (it can be large).
 */
export class BackendRegistry {
  private readonly keys: RedisKeys;
  private readonly configured: { id: string; url: string; configuredUrl: string }[];
  private cache: { at: number; views: BackendView[] } | null = null;
  private modelsCache: { at: number; list: BackendModels[] } | null = null;
  private readonly parsedModels = new Map<string, { raw: string; record: BackendModels | null }>();

  constructor(
    private readonly redis: Redis,
    prefix: string,
    comfyuiUrls: readonly string[],
    private readonly cacheMs = 1000,
  ) {
    this.keys = redisKeys(prefix);
    // What the routes show and workers publish: the URLs without credentials.
    this.configured = backendIds(comfyuiUrls).map((b) => ({ id: b.id, url: redactUrl(b.url), configuredUrl: b.url }));
  }

  get ids(): { id: string; url: string }[] {
    return this.configured.map(({ id, url }) => ({ id, url }));
  }

  async list(now = Date.now()): Promise<BackendView[]> {
    if (this.cache && now - this.cache.at < this.cacheMs && this.cacheMs > 0) return this.cache.views;
    if (this.configured.length === 0) return [];
    const raws = await this.redis.mget(...this.configured.map((b) => this.keys.backend(b.id)));
    const views = this.configured.map((b, i) => toView(b, parseRecord(raws[i] ?? null, b.url), now));
    this.cache = { at: now, views };
    return views;
  }

  /** The model lists of the backends that have one (a worker's monitor wrote it and it has not expired). */
  async models(now = Date.now()): Promise<BackendModels[]> {
    if (this.modelsCache && now - this.modelsCache.at < this.cacheMs && this.cacheMs > 0) return this.modelsCache.list;
    if (this.configured.length === 0) return [];
    const raws = await this.redis.mget(...this.configured.map((b) => this.keys.backendModels(b.id)));
    const list = this.configured.flatMap((b, i) => {
      const record = this.parseModels(b, raws[i] ?? null);
      return record ? [record] : [];
    });
    this.modelsCache = { at: now, list };
    return list;
  }

  /** Forget the cached read (tests write records and want to see them at once). */
  invalidate(): void {
    this.cache = null;
    this.modelsCache = null;
  }

  private parseModels(b: { id: string; url: string }, raw: string | null): BackendModels | null {
    if (!raw) return null;
    const hit = this.parsedModels.get(b.id);
    if (hit?.raw === raw) return hit.record;
    let record: BackendModels | null = null;
    try {
      const rec: unknown = JSON.parse(raw);
      if (backendModels.check(rec) && rec.url.replace(/\/+$/, '') === b.url) record = rec;
    } catch {
      record = null;
    }
    this.parsedModels.set(b.id, { raw, record });
    return record;
  }
}

function parseRecord(raw: string | null, url: string): BackendStatus | null {
  if (!raw) return null;
  try {
    const rec: unknown = JSON.parse(raw);
    if (!backendStatus.check(rec)) return null;
    // A record for another URL (COMFYUI_URLS was reordered) says nothing about this backend.
    if (rec.url && rec.url.replace(/\/+$/, '') !== url) return null;
    return rec;
  } catch {
    return null;
  }
}

export function toView(b: { id: string; url: string; configuredUrl?: string }, record: BackendStatus | null, now: number): BackendView {
  const configuredUrl = b.configuredUrl ?? b.url;
  const base: BackendStatus = {
    id: b.id,
    url: b.url,
    online: false,
    simulated: false,
    checkedAt: new Date(now).toISOString(),
    devices: [],
    checkpoints: [],
    samplers: [],
    schedulers: [],
  };
  if (!record) return { record: null, configuredUrl, status: { ...base, error: STALE_ERROR } };
  const checkedMs = Date.parse(record.checkedAt);
  const merged: BackendStatus = {
    ...base,
    ...record,
    id: b.id,
    url: b.url,
  };
  if (!Number.isFinite(checkedMs) || now - checkedMs > BACKEND_STALE_MS) {
    return { record, configuredUrl, status: { ...merged, online: false, error: STALE_ERROR } };
  }
  return { record, configuredUrl, status: merged };
}
