import type { Redis } from 'ioredis';
import pLimit from 'p-limit';
import type { FastifyBaseLogger } from 'fastify';
import { BACKEND_MODEL_FOLDERS, redisKeys, type BackendModels, type ModelDetails, type ModelInfo, type ModelPage } from '@orchestrator/shared';
import type { BackendRegistry } from '../backends/backend-registry.js';
import { MODEL_FOLDERS, resolveFolder } from './model-folders.js';
import { ModelHasher, type HashTarget } from './model-hasher.js';
import { baseRecord, recordForFile, toModelInfo, type ModelRecord } from './model-record.js';
import { compareRecords, queryRecords, type ModelQuery } from './model-query.js';
import { readModelDetails } from './model-details.js';
import { scanModelFiles, type ScannedFile } from './model-scanner.js';

export interface ModelCatalogOptions {
  modelsPath: string;
  redis: Redis;
  keyPrefix: string;
  backends: BackendRegistry;
  log: FastifyBaseLogger;
  /** A listing older than this triggers a background rescan (the request is answered from memory). */
  rescanMs?: number;
  /** Hash every local file in the background after a scan (default); false: only on `?hash=1`. */
  backgroundHash?: boolean;
}

/** The catalogue folders a backend can report into: ComfyUI keys only (not our own `video`). */
const BACKEND_FOLDERS: ReadonlySet<string> = new Set(BACKEND_MODEL_FOLDERS);

/** Headers read at once during a scan. */
const HEADER_CONCURRENCY = 8;

interface MergedView {
  signature: string;
  ordered: ModelRecord[];
  byId: Map<string, ModelRecord>;
  /** Record id (`folder/file`) → ids of the backends that report it. */
  backendsById: Map<string, string[]>;
}

/** What one backend reports: its object_info checkpoints (BackendStatus) and its per-folder lists, if any. */
interface BackendReport {
  id: string;
  checkpoints: string[];
  models: BackendModels | undefined;
}

/**
 * Every model under MODELS_PATH merged with the files the ComfyUI backends report, in every folder
 * (checkpoints from their status, the rest from their per-folder lists). Held in memory (a few hundred
 * bytes per model); a rescan stats every file and re-reads the header only of files whose size or mtime
 * changed. Requests never wait for a rescan except the very first, or `refresh`.
 */
export class ModelCatalog {
  private records = new Map<string, ModelRecord>();
  private ordered: ModelRecord[] = [];
  private byPath = new Map<string, ModelRecord>();
  private version = 0;
  private scannedAt = 0;
  private refreshing: Promise<void> | null = null;
  private merged: MergedView | null = null;
  readonly hasher: ModelHasher;

  constructor(private readonly opts: ModelCatalogOptions) {
    this.hasher = new ModelHasher(opts.redis, redisKeys(opts.keyPrefix).modelHashes, opts.log, (target, sha256) => {
      const rec = this.byPath.get(target.path);
      if (rec?.local && rec.local.size === target.size && rec.local.mtimeMs === target.mtimeMs) rec.hash = sha256;
    });
  }

  async list(query: ModelQuery, refresh = false): Promise<ModelPage> {
    const view = await this.view(refresh);
    const page = queryRecords(view.ordered, query);
    const items = page.items.map((r) => toModelInfo(r, backendsOf(view, r)));
    return page.nextCursor ? { items, total: page.total, nextCursor: page.nextCursor } : { items, total: page.total };
  }

  /** By id (`folder/file`, legacy folder names allowed) or, as the old API had it, by bare file name. */
  async details(idOrName: string, opts: { hash?: boolean } = {}): Promise<ModelDetails | null> {
    const view = await this.view(false);
    const rec = findRecord(view, idOrName);
    if (!rec) return null;
    if (opts.hash && rec.local && !rec.hash) this.hasher.enqueue([rec.local], true);
    const hashStatus = rec.hash ? 'done' : ((rec.local && this.hasher.status(rec.local.path)) ?? 'none');
    return { ...toModelInfo(rec, backendsOf(view, rec)), ...(await readModelDetails(rec)), hashStatus };
  }

  /**
   * The entry of a loader file name in the first of `folders` that has it, local or only on a backend.
   * Never waits for the first scan of MODELS_PATH (it starts one): job submission stays fast.
   */
  async lookup(file: string, folders: readonly string[]): Promise<ModelInfo | null> {
    const view = await this.view(false, false);
    const name = file.replace(/\\/g, '/');
    for (const folder of folders) {
      const rec = view.byId.get(`${folder}/${name}`);
      if (rec) return toModelInfo(rec, backendsOf(view, rec));
    }
    return null;
  }

  /** Rescans now (or joins the scan in flight). */
  refresh(): Promise<void> {
    this.refreshing ??= this.scan().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    await this.hasher.close();
  }

  private async view(force: boolean, waitForFirstScan = true): Promise<MergedView> {
    const inBackground = () => {
      this.refresh().catch((err: Error) => this.opts.log.warn({ err: { message: err.message } }, 'model rescan failed'));
    };
    if (force) {
      await this.refreshing?.catch(() => undefined);
      await this.refresh();
    } else if (this.scannedAt === 0) {
      if (waitForFirstScan) await this.refresh();
      else inBackground();
    } else if (Date.now() - this.scannedAt > (this.opts.rescanMs ?? 30_000)) {
      inBackground();
    }
    return this.mergeWithBackends();
  }

  private async scan(): Promise<void> {
    const files = await scanModelFiles(this.opts.modelsPath);
    const next = new Map<string, ModelRecord>();
    const changed: ScannedFile[] = [];
    for (const f of files) {
      const prev = this.records.get(f.id);
      const same = prev?.local && prev.local.path === f.path && prev.local.size === f.size && prev.local.mtimeMs === f.mtimeMs;
      if (prev && same) next.set(f.id, prev);
      else changed.push(f);
    }
    const fresh = await pLimit(HEADER_CONCURRENCY).map(changed, (file) => recordForFile(file));
    const hits = await this.hasher.cached(fresh.flatMap((r) => (r.local ? [r.local] : [])));
    for (const rec of fresh) {
      const hit = rec.local && hits.get(rec.local.path);
      if (hit) rec.hash = hit;
      next.set(rec.id, rec);
    }
    const unchanged = fresh.length === 0 && next.size === this.records.size;
    this.records = next;
    if (!unchanged) {
      this.ordered = [...next.values()].sort(compareRecords);
      this.byPath = new Map(this.ordered.flatMap((r) => (r.local ? [[r.local.path, r] as const] : [])));
      this.version++;
    }
    this.scannedAt = Date.now();
    if (this.opts.backgroundHash !== false) {
      const todo: HashTarget[] = this.ordered.flatMap((r) => (r.local && !r.hash ? [r.local] : []));
      this.hasher.enqueue(todo);
    }
  }

  /** The local list plus the files only a backend has, in every folder; rebuilt only when either side changed. */
  private async mergeWithBackends(): Promise<MergedView> {
    let reports: BackendReport[] = [];
    try {
      const [views, models] = await Promise.all([this.opts.backends.list(), this.opts.backends.models()]);
      const listsOf = new Map(models.map((m) => [m.id, m]));
      reports = views.map((v) => ({ id: v.status.id, checkpoints: v.record?.checkpoints ?? [], models: listsOf.get(v.status.id) }));
    } catch (err) {
      // The local catalogue is still worth answering with when Redis is away.
      this.opts.log.warn({ err: { message: (err as Error).message } }, 'backend records unreadable; listing local models only');
    }
    // A list's hash stands for it: thousands of LoRAs are not serialized on every request.
    const signature = `${this.version}|${JSON.stringify(reports.map((r) => [r.id, r.checkpoints, r.models?.hash ?? null]))}`;
    if (this.merged?.signature === signature) return this.merged;

    const backendsById = new Map<string, string[]>();
    const add = (folderKey: string, raw: string, backend: string) => {
      const folder = resolveFolder(folderKey)?.key;
      if (!folder || !BACKEND_FOLDERS.has(folder)) return;
      const id = `${folder}/${raw.replace(/\\/g, '/')}`;
      const ids = backendsById.get(id);
      if (!ids) backendsById.set(id, [backend]);
      else if (!ids.includes(backend)) ids.push(backend);
    };
    for (const r of reports) {
      for (const raw of r.checkpoints) add('checkpoints', raw, r.id);
      for (const [folder, files] of Object.entries(r.models?.folders ?? {})) for (const file of files) add(folder, file, r.id);
    }
    const extra: ModelRecord[] = [];
    for (const id of backendsById.keys()) {
      if (this.records.has(id)) continue;
      const slash = id.indexOf('/');
      extra.push(baseRecord(id.slice(0, slash), id.slice(slash + 1)));
    }
    const ordered = extra.length === 0 ? this.ordered : [...this.ordered, ...extra].sort(compareRecords);
    this.merged = { signature, ordered, byId: new Map(ordered.map((r) => [r.id, r])), backendsById };
    return this.merged;
  }
}

function backendsOf(view: MergedView, rec: ModelRecord): string[] {
  return [...(view.backendsById.get(rec.id) ?? [])];
}

function findRecord(view: MergedView, idOrName: string): ModelRecord | undefined {
  const name = idOrName.replace(/\\/g, '/');
  const exact = view.byId.get(name);
  if (exact) return exact;
  const slash = name.indexOf('/');
  const folder = slash > 0 ? resolveFolder(name.slice(0, slash)) : undefined;
  if (folder) {
    const hit = view.byId.get(`${folder.key}/${name.slice(slash + 1)}`);
    if (hit) return hit;
  }
  // The earlier API named models by file name alone: checkpoints first, then the other folders.
  for (const f of MODEL_FOLDERS) {
    const hit = view.byId.get(`${f.key}/${name}`);
    if (hit) return hit;
  }
  return undefined;
}
