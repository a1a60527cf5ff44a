/*
 * Delete moves an asset's file (with its sidecar; a site's whole folder) into DATA_PATH/trash, never a
 * hard delete; restore puts it back unless its old path is taken again. Each trashed asset is a folder
 * `trash/<id>-<ms>/` holding `trash.json` (the record, and when) and `files/`, so the trash list can be
 * rebuilt from disk like the gallery index. The index keeps the newest trash entry per asset id.
 */
import { copyFile, cp, link, lstat, mkdir, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { redisKeys, s3ThumbRelPath, type Asset, type GalleryKeys, type S3FileStore } from '@orchestrator/shared';
import type { GalleryIndexer } from './indexer.js';
import { SIDECAR_SUFFIX } from './scan-rules.js';

export interface TrashedAsset {
  id: string;
  trashedAt: string;
  asset: Asset;
}
interface TrashEntry extends TrashedAsset {
  /** Folder name under the trash root. */
  dir: string;
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code;
const exists = (p: string) => lstat(p).then(() => true, () => false);

/** A relPath that stays inside its root (records are data from Redis: never trusted with `..`). */
function safeRel(relPath: string): boolean {
  return relPath !== '' && !path.isAbsolute(relPath) && !relPath.split('/').some((s) => s === '..' || s === '');
}

/** A trash folder name as `trash()` makes it (`<id>-<ms>`): the only kind purge removes or previews read. */
function ownFolder(id: string, dir: unknown): dir is string {
  return typeof dir === 'string' && dir.startsWith(`${id}-`) && /^[0-9a-f]{16}-\d+$/.test(dir);
}

/** Moves a file or folder; across file systems by copy + delete. `exclusive` refuses to replace anything. */
async function move(src: string, dest: string, exclusive: boolean): Promise<void> {
  const st = await lstat(src);
  if (st.isDirectory()) {
    if (exclusive && (await exists(dest))) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
    try {
      await rename(src, dest);
    } catch (err) {
      if (errCode(err) !== 'EXDEV') throw err;
      await cp(src, dest, { recursive: true, errorOnExist: true, force: false });
      await rm(src, { recursive: true, force: true });
    }
    return;
  }
  if (!exclusive) {
    try {
      return await rename(src, dest);
    } catch (err) {
      if (errCode(err) !== 'EXDEV') throw err;
    }
  } else {
    try {
      await link(src, dest); // fails with EEXIST instead of replacing: no check-then-act race
      return await unlink(src);
    } catch (err) {
      if (errCode(err) !== 'EXDEV' && errCode(err) !== 'EPERM' && errCode(err) !== 'ENOTSUP') throw err;
    }
  }
  await copyFile(src, dest, exclusive ? constants.COPYFILE_EXCL : 0);
  await unlink(src);
}

export class Trash {
  private readonly keys: GalleryKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly root: string,
    private readonly indexer: GalleryIndexer,
    /** STORAGE=s3: the bucket's output folder and its trash folder (same layout: `<id>-<ms>/trash.json`, `files/`). */
    private readonly objects: { output: S3FileStore; trash: S3FileStore; thumbs: S3FileStore } | null = null,
  ) {
    this.keys = redisKeys(keyPrefix).gallery;
  }

  /** STORAGE=s3: moves the asset's objects (file and sidecar; a site's whole folder) under `trash/<id>-<ms>/files/`. */
  private async trashObjects(o: { output: S3FileStore; trash: S3FileStore }, id: string, asset: Asset, now: Date): Promise<'deleted'> {
    const dir = `${id}-${now.getTime()}`;
    const entry: TrashEntry = { id, trashedAt: now.toISOString(), asset, dir };
    let moved = 0;
    if (asset.type === 'site') {
      const siteDir = path.posix.dirname(asset.relPath);
      for await (const obj of o.output.walk(siteDir)) {
        if (await o.output.moveTo(obj.rel, o.trash, `${dir}/files/${path.posix.basename(siteDir)}/${obj.rel.slice(siteDir.length + 1)}`)) moved++;
      }
    } else {
      const base = path.posix.basename(asset.relPath);
      if (await o.output.moveTo(asset.relPath, o.trash, `${dir}/files/${base}`)) moved++;
      if (moved > 0) await o.output.moveTo(asset.relPath + SIDECAR_SUFFIX, o.trash, `${dir}/files/${base}${SIDECAR_SUFFIX}`);
    }
    await this.indexer.store.remove(id);
    if (moved === 0) return 'deleted'; // the file was already gone: nothing to keep
    await o.trash.write(`${dir}/trash.json`, JSON.stringify({ version: 1, ...entry }));
    await this.record(entry);
    return 'deleted';
  }

  /** STORAGE=s3: puts the objects back and the record into the index (as it was when trashed). */
  private async restoreObjects(o: { output: S3FileStore; trash: S3FileStore }, entry: TrashEntry): Promise<'restored' | 'missing' | 'conflict'> {
    const { asset } = entry;
    if (!ownFolder(entry.id, entry.dir)) return 'missing';
    const files = `${entry.dir}/files`;
    if (asset.type === 'site') {
      const siteDir = path.posix.dirname(asset.relPath);
      const from = `${files}/${path.posix.basename(siteDir)}`;
      if ((await o.output.list(siteDir)).length > 0) return 'conflict';
      let moved = 0;
      for await (const obj of o.trash.walk(from)) {
        if (await o.trash.moveTo(obj.rel, o.output, `${siteDir}/${obj.rel.slice(from.length + 1)}`)) moved++;
      }
      if (moved === 0) {
        await this.forget(entry);
        return 'missing';
      }
    } else {
      const from = `${files}/${path.posix.basename(asset.relPath)}`;
      if ((await o.trash.stat(from)) === null) {
        await this.forget(entry);
        return 'missing';
      }
      if ((await o.output.stat(asset.relPath)) !== null) return 'conflict';
      await o.trash.moveTo(from, o.output, asset.relPath);
      await o.trash.moveTo(from + SIDECAR_SUFFIX, o.output, asset.relPath + SIDECAR_SUFFIX);
    }
    await this.forget(entry);
    await o.trash.remove(`${entry.dir}/trash.json`);
    await this.indexer.store.write(asset, { signature: '' });
    return 'restored';
  }

  /** Moves the asset to the trash and drops it from the index. 'missing' when there is no such asset. */
  async trash(id: string, now = new Date()): Promise<'deleted' | 'missing'> {
    const asset = await this.indexer.get(id);
    if (!asset) return 'missing';
    if (!safeRel(asset.relPath)) {
      await this.indexer.store.remove(id); // a record pointing outside OUTPUT_PATH: drop it, touch nothing
      return 'deleted';
    }
    if (this.objects) return this.trashObjects(this.objects, id, asset, now);
    const abs = this.indexer.reader.abs(asset.relPath);
    const src = asset.type === 'site' ? path.dirname(abs) : abs;
    const dir = `${id}-${now.getTime()}`;
    const files = path.join(this.root, dir, 'files');
    await mkdir(files, { recursive: true });
    const entry: TrashEntry = { id, trashedAt: now.toISOString(), asset, dir };
    await writeFile(path.join(this.root, dir, 'trash.json'), JSON.stringify({ version: 1, ...entry }));
    try {
      await move(src, path.join(files, path.basename(src)), false);
    } catch (err) {
      await rm(path.join(this.root, dir), { recursive: true, force: true });
      if (errCode(err) !== 'ENOENT') throw err;
      await this.indexer.store.remove(id); // the file was already gone: nothing to keep
      return 'deleted';
    }
    if (asset.type !== 'site') {
      await move(abs + SIDECAR_SUFFIX, path.join(files, path.basename(abs) + SIDECAR_SUFFIX), false).catch(() => undefined);
    }
    await this.indexer.store.remove(id);
    await this.record(entry);
    return 'deleted';
  }

  /** Puts the asset back where it was and indexes it again. */
  async restore(id: string): Promise<'restored' | 'missing' | 'conflict'> {
    const raw = await this.redis.get(this.keys.trashItem(id));
    if (!raw) return 'missing';
    const entry = JSON.parse(raw) as TrashEntry;
    const { asset } = entry;
    if (!safeRel(asset.relPath)) return 'missing';
    if (this.objects) return this.restoreObjects(this.objects, entry);
    const abs = this.indexer.reader.abs(asset.relPath);
    const target = asset.type === 'site' ? path.dirname(abs) : abs;
    const from = path.join(this.root, entry.dir, 'files', path.basename(target));
    if (!(await exists(from))) {
      await this.forget(entry);
      return 'missing';
    }
    if (await exists(target)) return 'conflict';
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await move(from, target, true);
    } catch (err) {
      if (errCode(err) === 'EEXIST') return 'conflict';
      throw err;
    }
    if (asset.type !== 'site') {
      await move(from + SIDECAR_SUFFIX, abs + SIDECAR_SUFFIX, false).catch(() => undefined);
    }
    await this.forget(entry);
    await rm(path.join(this.root, entry.dir), { recursive: true, force: true });
    await this.indexer.syncPath(asset.relPath, { force: true });
    return 'restored';
  }

  /**
   * Deletes a trashed asset for good: its folder under the trash root, then its record. 'missing' when
   * it is not in the trash (restored or purged meanwhile).
   */
  async purge(id: string): Promise<'purged' | 'missing'> {
    const raw = await this.redis.get(this.keys.trashItem(id));
    if (!raw) return 'missing';
    const entry = JSON.parse(raw) as TrashEntry;
    // The folder name is ours (`<id>-<ms>`), but the record is data from Redis: never follow another.
    if (ownFolder(id, entry.dir) && this.objects) {
      const trash = this.objects.trash;
      const rels: string[] = [];
      for await (const obj of trash.walk(entry.dir)) rels.push(obj.rel);
      await trash.removeMany(rels);
      await this.objects.thumbs.remove(s3ThumbRelPath(id));
    } else if (ownFolder(id, entry.dir)) {
      await rm(path.join(this.root, entry.dir), { recursive: true, force: true });
    }
    await this.forget(entry);
    return 'purged';
  }

  /**
   * Purges everything trashed at or before `before` (default: now) that `which` accepts (default: all),
   * oldest first, in batches; at most `limit` of them (a caller that shows progress asks again). Each
   * item goes whole (purge): stopped anywhere, every item is either still in the trash or gone. Returns
   * the ids purged.
   */
  async empty(before = Date.now(), which: (asset: Asset) => boolean = () => true, batch = 200, limit = Infinity): Promise<string[]> {
    const purged: string[] = [];
    let kept = 0;
    for (;;) {
      if (purged.length >= limit) return purged;
      const ids = await this.redis.zrangebyscore(this.keys.trash, '-inf', before, 'LIMIT', kept, Math.min(batch, limit - purged.length));
      if (ids.length === 0) return purged;
      for (const id of ids) {
        const item = await this.get(id);
        if (item && !which(item.asset)) kept++;
        else if ((await this.purge(id)) === 'purged') purged.push(id);
        else await this.redis.zrem(this.keys.trash, id); // an index entry without its record
      }
    }
  }

  /** The trashed file of an asset (for a preview), or null. Sites have no single file. */
  async trashedFile(id: string): Promise<{ path: string; asset: Asset } | null> {
    const raw = await this.redis.get(this.keys.trashItem(id));
    if (!raw) return null;
    const entry = JSON.parse(raw) as TrashEntry;
    // STORAGE=s3: a trashed object has no path on this disk (the trash view shows a placeholder).
    if (this.objects || entry.asset.type === 'site' || !safeRel(entry.asset.relPath) || !ownFolder(id, entry.dir)) return null;
    const file = path.join(this.root, entry.dir, 'files', path.basename(entry.asset.relPath));
    return (await exists(file)) ? { path: file, asset: entry.asset } : null;
  }

  /** STORAGE=s3: the trashed object of an asset in the bucket's trash folder (for a preview), or null. */
  async trashedObject(id: string): Promise<{ rel: string; asset: Asset } | null> {
    const raw = await this.redis.get(this.keys.trashItem(id));
    if (!raw || !this.objects) return null;
    const entry = JSON.parse(raw) as TrashEntry;
    if (entry.asset.type === 'site' || !safeRel(entry.asset.relPath) || !ownFolder(id, entry.dir)) return null;
    const rel = `${entry.dir}/files/${path.posix.basename(entry.asset.relPath)}`;
    return (await this.objects.trash.stat(rel)) ? { rel, asset: entry.asset } : null;
  }

  async get(id: string): Promise<TrashedAsset | null> {
    const raw = await this.redis.get(this.keys.trashItem(id));
    if (!raw) return null;
    const { dir: _dir, ...item } = JSON.parse(raw) as TrashEntry;
    return item;
  }

  async getMany(ids: string[]): Promise<TrashedAsset[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.trashItem(id)));
    return raws.filter((r): r is string => r !== null).map((r) => {
      const { dir: _dir, ...item } = JSON.parse(r) as TrashEntry;
      return item;
    });
  }

  /** Rebuilds the trash list from the trash folder (after the index was dropped). Returns entries added. */
  async rescan(): Promise<number> {
    let dirs: string[];
    try {
      dirs = this.objects ? await this.objects.trash.list('') : await readdir(this.root);
    } catch {
      return 0;
    }
    let added = 0;
    for (const dir of dirs) {
      try {
        const raw = this.objects ? ((await this.objects.trash.read(`${dir}/trash.json`))?.toString('utf8') ?? '') : await readFile(path.join(this.root, dir, 'trash.json'), 'utf8');
        const e = JSON.parse(raw) as TrashEntry;
        if (typeof e.id !== 'string' || !e.asset || e.dir !== dir) continue;
        const current = await this.redis.zscore(this.keys.trash, e.id);
        if (current !== null && Number(current) >= Date.parse(e.trashedAt)) continue;
        await this.record(e);
        added++;
      } catch {
        // not one of ours, or half-written: leave it
      }
    }
    return added;
  }

  private async record(entry: TrashEntry): Promise<void> {
    await this.redis.multi().set(this.keys.trashItem(entry.id), JSON.stringify(entry)).zadd(this.keys.trash, Date.parse(entry.trashedAt), entry.id).exec();
  }

  private async forget(entry: TrashEntry): Promise<void> {
    await this.redis.multi().del(this.keys.trashItem(entry.id)).zrem(this.keys.trash, entry.id).exec();
  }
}
