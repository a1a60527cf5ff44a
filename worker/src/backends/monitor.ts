import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { OPTIONAL_NODE_TYPES, redactUrl, type BackendModels, type BackendStatus, type EventLog, type GpuDevice, type RedisKeys } from '@orchestrator/shared';
import { ComfyHttpClient, type SystemStats } from '../providers/comfyui/http-client.js';
import type { BackendRef } from '../providers/comfyui/connections.js';
import { errorMessage } from '../errors.js';
import { modelCounts, modelListsHash, readModelLists } from './model-lists.js';

/*
 * Probes every ComfyUI backend every couple of seconds and publishes a shared BackendStatus at
 * `backend(id)` (expiring, so a backend nobody watches disappears). At the slower `listsEveryMs` it also
 * reads the checkpoint/sampler lists from object_info and every model folder's files (GET /models/{folder}),
 * which go to `backendModels(id)` — only their counts and a hash ride in BackendStatus. A `backend.status`
 * event goes out only when a backend comes online, goes offline, or any of those lists change. A worker
 * probes the backends it owns (`watch`); the runtime listens to `onStatus` to wake their drivers.
 */

export interface MonitorOptions {
  redis: Redis;
  keys: RedisKeys;
  events: EventLog;
  backends: readonly BackendRef[];
  log: Logger;
  onStatus?: (status: BackendStatus, previous: BackendStatus | undefined) => void;
  intervalMs?: number;
  timeoutMs?: number;
  listsEveryMs?: number;
  statusTtlMs?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options of a combo input in either encoding: legacy `[[...], {...}]` or V3 `["COMBO", {options}]`. */
export function comboOptions(spec: unknown): string[] {
  if (!Array.isArray(spec)) return [];
  const [first, second] = spec as unknown[];
  const strings = (list: unknown[]) => list.filter((v): v is string => typeof v === 'string');
  if (Array.isArray(first)) return strings(first);
  if (first === 'COMBO' && isRecord(second) && Array.isArray(second.options)) return strings(second.options);
  return [];
}

/** `input.required[name]` (or optional) of one class in an `/object_info/{Class}` answer. */
export function inputSpec(info: Record<string, unknown>, className: string, input: string): unknown {
  const node = info[className];
  if (!isRecord(node) || !isRecord(node.input)) return undefined;
  const { required, optional } = node.input;
  return (isRecord(required) ? required[input] : undefined) ?? (isRecord(optional) ? optional[input] : undefined);
}

export function isSimulated(stats: SystemStats): boolean {
  return stats.system?.simulated === true || stats.system?.argv?.[0] === 'fake-comfyui';
}

function devicesOf(stats: SystemStats): GpuDevice[] {
  return (stats.devices ?? []).map((d) => ({
    name: String(d.name ?? 'unknown'),
    type: String(d.type ?? 'unknown'),
    ...(typeof d.vram_total === 'number' ? { vramTotal: d.vram_total } : {}),
    ...(typeof d.vram_free === 'number' ? { vramFree: d.vram_free } : {}),
  }));
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

interface Lists {
  checkpoints: string[];
  samplers: string[];
  schedulers: string[];
  /** The OPTIONAL_NODE_TYPES the backend has. */
  nodes?: string[];
}

export class BackendMonitor {
  private readonly statuses = new Map<string, BackendStatus>();
  private readonly listsAt = new Map<string, number>();
  /** The model lists last read per backend: kept to refresh (or rewrite) their key on every round. */
  private readonly models = new Map<string, BackendModels>();
  private readonly modelNameSets = new Map<string, { hash: string; names: ReadonlySet<string> }>();
  private readonly clients = new Map<string, ComfyHttpClient>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = false;
  /** The backends this process probes: the ones it owns (null: every configured backend). */
  private watched: Set<string> | null = null;
  private readonly o: Required<Omit<MonitorOptions, 'onStatus'>> & Pick<MonitorOptions, 'onStatus'>;

  constructor(options: MonitorOptions) {
    this.o = { intervalMs: 2000, timeoutMs: 3000, listsEveryMs: 30000, statusTtlMs: 60000, ...options };
    for (const b of this.o.backends) this.clients.set(b.id, new ComfyHttpClient(b.url, { requestMs: this.o.timeoutMs }));
  }

  /** Probes once (resolving when that first round is written), then keeps probing. */
  async start(): Promise<void> {
    await this.probeAll();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round?.catch(() => undefined);
    for (const client of this.clients.values()) client.close();
  }

  status(id: string): BackendStatus | undefined {
    return this.statuses.get(id);
  }

  /** Checkpoints and diffusion models the backend reports (`/`-separated), once its lists were read. */
  modelNames(id: string): ReadonlySet<string> | undefined {
    const m = this.models.get(id);
    if (!m) return undefined;
    const cached = this.modelNameSets.get(id);
    if (cached?.hash === m.hash) return cached.names;
    const names = new Set([...(m.folders.checkpoints ?? []), ...(m.folders.diffusion_models ?? [])]);
    this.modelNameSets.set(id, { hash: m.hash, names });
    return names;
  }

  /**
   * Probes only these backends from now on (the ones this process owns; their owner publishes their
   * status). A newly watched backend is probed at once; an unwatched one's memory is forgotten.
   */
  async watch(ids: readonly string[]): Promise<void> {
    const next = new Set(ids);
    const added = this.o.backends.filter((b) => next.has(b.id) && !this.watched?.has(b.id));
    for (const id of this.statuses.keys()) if (!next.has(id)) this.forget(id);
    this.watched = next;
    if (added.length > 0 && !this.stopped) await Promise.all(added.map((b) => this.probe(b)));
  }

  private forget(id: string): void {
    this.statuses.delete(id);
    this.models.delete(id);
    this.listsAt.delete(id);
  }

  /** Probes now instead of waiting for the next round (e.g. after a job hit a connection error). */
  async probeNow(): Promise<void> {
    await this.probeAll();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.probeAll().finally(() => this.schedule());
    }, this.o.intervalMs);
    this.timer.unref();
  }

  private probeAll(): Promise<void> {
    if (this.round) return this.round;
    const targets = this.watched ? this.o.backends.filter((b) => this.watched!.has(b.id)) : this.o.backends;
    this.round = Promise.all(targets.map((b) => this.probe(b)))
      .then(() => undefined)
      .finally(() => {
        this.round = null;
      });
    return this.round;
  }

  private async lists(client: ComfyHttpClient): Promise<Lists> {
    const [ckpt, ks, ...optional] = await Promise.all([
      client.objectInfo('CheckpointLoaderSimple'),
      client.objectInfo('KSampler'),
      // `/object_info/{Class}` answers {} for a class the server lacks (protocol §1.9).
      ...OPTIONAL_NODE_TYPES.map((c) => client.objectInfo(c).catch(() => ({}) as Record<string, unknown>)),
    ]);
    return {
      checkpoints: comboOptions(inputSpec(ckpt, 'CheckpointLoaderSimple', 'ckpt_name')),
      samplers: comboOptions(inputSpec(ks, 'KSampler', 'sampler_name')),
      schedulers: comboOptions(inputSpec(ks, 'KSampler', 'scheduler')),
      nodes: OPTIONAL_NODE_TYPES.filter((c, i) => isRecord(optional[i]?.[c])),
    };
  }

  private async probe(b: BackendRef): Promise<void> {
    const client = this.clients.get(b.id)!;
    const prev = this.statuses.get(b.id);
    const checkedAt = new Date().toISOString();
    let next: BackendStatus;
    try {
      const stats = await client.systemStats();
      let lists: Lists = {
        checkpoints: prev?.checkpoints ?? [],
        samplers: prev?.samplers ?? [],
        schedulers: prev?.schedulers ?? [],
        ...(prev?.nodes ? { nodes: prev.nodes } : {}),
      };
      const due = Date.now() - (this.listsAt.get(b.id) ?? 0) >= this.o.listsEveryMs;
      if (!prev?.online || due) {
        const [read] = await Promise.all([
          this.lists(client).catch((err: unknown) => {
            this.o.log.debug({ backend: b.id, err: errorMessage(err) }, 'object_info failed');
            return null;
          }),
          this.readModels(b, client, stats),
        ]);
        if (read) {
          lists = read;
          this.listsAt.set(b.id, Date.now());
        }
      }
      const queueRemaining = await client.queueRemaining().catch(() => undefined);
      const version = stats.system?.comfyui_version;
      next = {
        id: b.id,
        url: redactUrl(b.url),
        online: true,
        simulated: isSimulated(stats),
        checkedAt,
        lastOnlineAt: checkedAt,
        ...(queueRemaining !== undefined ? { queueRemaining } : {}),
        ...(typeof version === 'string' ? { version } : {}),
        devices: devicesOf(stats),
        ...lists,
        ...this.modelSummary(b.id),
      };
    } catch (err) {
      next = {
        id: b.id,
        url: redactUrl(b.url),
        online: false,
        simulated: prev?.simulated ?? false,
        checkedAt,
        ...(prev?.lastOnlineAt ? { lastOnlineAt: prev.lastOnlineAt } : {}),
        error: errorMessage(err),
        devices: [],
        checkpoints: prev?.checkpoints ?? [],
        samplers: prev?.samplers ?? [],
        schedulers: prev?.schedulers ?? [],
        ...(prev?.nodes ? { nodes: prev.nodes } : {}),
        ...this.modelSummary(b.id),
      };
    }
    if (this.stopped || (this.watched && !this.watched.has(b.id))) return;
    this.statuses.set(b.id, next);
    await this.publish(next, prev);
    if (!prev || prev.online !== next.online) {
      this.o.log.info({ backend: b.id, url: redactUrl(b.url), online: next.online, error: next.error }, `backend ${next.online ? 'online' : 'offline'}`);
    }
    this.o.onStatus?.(next, prev);
  }

  /** Reads every model folder's files; on success they replace the backend's lists (memory and Redis). */
  private async readModels(b: BackendRef, client: ComfyHttpClient, stats: SystemStats): Promise<void> {
    let record: BackendModels;
    try {
      const { folders, separator } = await readModelLists(client, { os: stats.system?.os });
      record = { id: b.id, url: redactUrl(b.url), checkedAt: new Date().toISOString(), folders, separator, hash: modelListsHash(folders) };
    } catch (err) {
      this.o.log.debug({ backend: b.id, err: errorMessage(err) }, 'model lists failed');
      return;
    }
    if (this.stopped) return;
    this.models.set(b.id, record);
    await this.writeModels(record);
  }

  private async writeModels(record: BackendModels): Promise<void> {
    try {
      await this.o.redis.set(this.o.keys.backendModels(record.id), JSON.stringify(record), 'PX', this.o.statusTtlMs);
    } catch (err) {
      this.o.log.warn({ backend: record.id, err: errorMessage(err) }, 'could not write backend model lists');
    }
  }

  private modelSummary(id: string): Pick<BackendStatus, 'modelCounts' | 'modelsHash'> {
    const m = this.models.get(id);
    return m ? { modelCounts: modelCounts(m.folders), modelsHash: m.hash } : {};
  }

  /** Writes the shared status; appends an event when it differs from what is stored (by any process). */
  private async publish(next: BackendStatus, prev: BackendStatus | undefined): Promise<void> {
    const key = this.o.keys.backend(next.id);
    try {
      const storedRaw = await this.o.redis.get(key);
      const stored = storedRaw ? (JSON.parse(storedRaw) as BackendStatus) : prev;
      await this.o.redis.set(key, JSON.stringify(next), 'PX', this.o.statusTtlMs);
      // The model lists live as long as the status; rewritten if they expired (or Redis lost them) meanwhile.
      const models = this.models.get(next.id);
      if (models && (await this.o.redis.pexpire(this.o.keys.backendModels(next.id), this.o.statusTtlMs)) === 0) await this.writeModels(models);
      const changed =
        !stored ||
        stored.online !== next.online ||
        stored.modelsHash !== next.modelsHash ||
        !sameList(stored.checkpoints, next.checkpoints) ||
        !sameList(stored.samplers, next.samplers) ||
        !sameList(stored.schedulers, next.schedulers) ||
        !sameList(stored.nodes ?? [], next.nodes ?? []);
      if (changed) await this.o.events.append({ type: 'backend.status', data: next });
    } catch (err) {
      this.o.log.warn({ backend: next.id, err: errorMessage(err) }, 'could not publish backend status');
    }
  }
}
