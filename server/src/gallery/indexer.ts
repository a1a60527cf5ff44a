/*
 * Brings the index in line with one path of OUTPUT_PATH: (re)reads a new or changed file, removes the
 * record of a file that is gone or no longer an asset. The watcher, the rescan and restore all go
 * through here; the worker's own puts (AssetStore.put) are enriched the next time the file is seen.
 * Seeing a file again is cheap for clients: a put of the same content appends no event (gallery-index.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { AssetStore, SITE_MANIFEST, assetIdForPath, type Asset, type GalleryKeys } from '@orchestrator/shared';
import { AssetReader, signatureOf, type FileStat, type ReadTarget } from './asset-reader.js';
import { fileRole } from './scan-rules.js';
import { VideoProber } from './video-probe.js';

export type SyncOutcome = 'indexed' | 'unchanged' | 'removed' | 'absent';

export interface SyncOptions {
  /** Append `asset.added` / `asset.updated` for a new or changed record (default true). */
  event?: boolean;
  /** Re-read even when size and mtime say nothing changed. */
  force?: boolean;
}

/** A file found by the rescan, with what the directory listing already told. */
export interface Candidate {
  relPath: string;
  target: ReadTarget;
  hasSidecar: boolean;
}

export class GalleryIndexer {
  readonly store: AssetStore;
  readonly reader: AssetReader;
  private readonly keys: GalleryKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly outputPath: string,
    video: VideoProber = new VideoProber(),
  ) {
    this.store = new AssetStore(redis, keyPrefix);
    this.keys = this.store.keys.gallery;
    this.reader = new AssetReader(outputPath, video);
  }

  /** What the path is to the index: the asset it stands for (a sidecar stands for its file), or null. */
  async targetOf(relPath: string): Promise<{ relPath: string; target: ReadTarget } | null> {
    const role = fileRole(relPath);
    if (role.role === 'other') return null;
    if (role.role === 'site') return { relPath, target: { kind: 'site' } };
    const mediaPath = role.role === 'sidecar' ? role.of : relPath;
    const media = role.role === 'sidecar' ? fileRole(mediaPath) : role;
    if (media.role !== 'media') return null;
    if (await this.insideSite(mediaPath)) return null;
    return { relPath: mediaPath, target: { kind: 'media', type: media.type, mimeType: media.mimeType } };
  }

  /** Files inside a site's folder belong to the site, not to the gallery on their own. */
  private async insideSite(relPath: string): Promise<boolean> {
    let dir = path.posix.dirname(relPath);
    while (dir !== '.' && dir !== '/' && dir !== '') {
      const isSite = await stat(this.reader.abs(`${dir}/${SITE_MANIFEST}`)).then(
        (s) => s.isFile(),
        () => false,
      );
      if (isSite) return true;
      dir = path.posix.dirname(dir);
    }
    return false;
  }

  /** Brings the record of `relPath` (a file, sidecar or manifest) in line with the disk. */
  async syncPath(relPath: string, opts: SyncOptions = {}): Promise<SyncOutcome> {
    const found = await this.targetOf(relPath);
    if (!found) return (await this.store.remove(assetIdForPath(relPath))) ? 'removed' : 'absent';
    const st = await this.reader.stat(found.relPath, found.target);
    const outcome = await this.syncFile({ relPath: found.relPath, target: found.target }, st, undefined, opts);
    if (outcome === 'indexed' && found.target.kind === 'site') await this.dropSiteContents(path.posix.dirname(found.relPath));
    return outcome;
  }

  /** A folder that just became a site: the media files indexed from it before its manifest came go. */
  private async dropSiteContents(dir: string): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.reader.abs(dir), { recursive: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = `${dir}/${entry.split(path.sep).join('/')}`;
      if (fileRole(rel).role === 'media') await this.store.remove(assetIdForPath(rel));
    }
  }

  /**
   * Indexes a file whose stat is known (null: gone). `known` is the stored signature when the caller
   * fetched it already (the rescan reads them in batches); undefined fetches it here.
   */
  async syncFile(c: { relPath: string; target: ReadTarget }, st: FileStat | null, known: string | null | undefined, opts: SyncOptions = {}): Promise<SyncOutcome> {
    const id = assetIdForPath(c.relPath);
    if (!st) return (await this.store.remove(id)) ? 'removed' : 'absent';
    const signature = signatureOf(st);
    const stored = known === undefined ? await this.redis.hget(this.keys.signatures, id) : known;
    if (!opts.force && stored === signature) return 'unchanged';
    const asset = await this.reader.read(c.relPath, c.target, st);
    await this.store.put(asset, { signature, event: opts.event !== false });
    return 'indexed';
  }

  /** Stored signatures for a batch of ids (null where none). */
  signatures(ids: string[]): Promise<(string | null)[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.redis.hmget(this.keys.signatures, ...ids);
  }

  get(id: string): Promise<Asset | null> {
    return this.store.get(id);
  }
}
