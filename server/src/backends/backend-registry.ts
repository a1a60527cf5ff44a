import type { Redis } from 'ioredis';
import { BackendStatus, backendIds, checked, redisKeys, type RedisKeys } from '@orchestrator/shared';

const backendStatus = checked(BackendStatus);

/** A record older than this means no worker is watching the backend any more. */
export const BACKEND_STALE_MS = 30_000;
export const STALE_ERROR = 'no live worker is checking this backend';

export interface BackendView {
  /** What the routes report: stale or missing records are shown offline. */
  status: BackendStatus;
  /** The record as the worker last wrote it, or null when none exists. */
  record: BackendStatus | null;
}

/**
 * Reads the BackendStatus records the workers' monitors write at `keys.backend(id)` (JSON strings)
 * for every backend in COMFYUI_URLS. Reads are cached for a moment: POST /api/jobs consults them on
 * every submit and the records change only every few seconds.
 */
export class BackendRegistry {
  private readonly keys: RedisKeys;
  private readonly configured: { id: string; url: string }[];
  private cache: { at: number; views: BackendView[] } | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    comfyuiUrls: readonly string[],
    private readonly cacheMs = 1000,
  ) {
    this.keys = redisKeys(prefix);
    this.configured = backendIds(comfyuiUrls);
  }

  get ids(): { id: string; url: string }[] {
    return this.configured;
  }

  async list(now = Date.now()): Promise<BackendView[]> {
    if (this.cache && now - this.cache.at < this.cacheMs && this.cacheMs > 0) return this.cache.views;
    if (this.configured.length === 0) return [];
    const raws = await this.redis.mget(...this.configured.map((b) => this.keys.backend(b.id)));
    const views = this.configured.map((b, i) => toView(b, parseRecord(raws[i] ?? null, b.url), now));
    this.cache = { at: now, views };
    return views;
  }

  /** Forget the cached read (tests write records and want to see them at once). */
  invalidate(): void {
    this.cache = null;
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

export function toView(b: { id: string; url: string }, record: BackendStatus | null, now: number): BackendView {
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
  if (!record) return { record: null, status: { ...base, error: STALE_ERROR } };
  const checkedMs = Date.parse(record.checkedAt);
  const merged: BackendStatus = {
    ...base,
    ...record,
    id: b.id,
    url: b.url,
  };
  if (!Number.isFinite(checkedMs) || now - checkedMs > BACKEND_STALE_MS) {
    return { record, status: { ...merged, online: false, error: STALE_ERROR } };
  }
  return { record, status: merged };
}
