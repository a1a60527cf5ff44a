/*
 * Brings the index in line with one path of OUTPUT_PATH: (re)reads a new or changed file, removes the
 * record of a file that is gone or no longer an asset. The watcher, the rescan and restore all go
 * through here; the worker's own puts (AssetStore.put) are enriched the next time the file is seen.
 * Seeing a file again is cheap for clients: a put of the same content appends no event (gallery-index.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { AssetStore, SITE_MANIFEST, assetIdForPath, indexedHeads, type Asset, type PutOptions } from '@orchestrator/shared';
import { AssetReader, signatureOf, type FileStat, type ReadTarget } from './asset-reader.js';
import { fileRole } from './scan-rules.js';
import { VideoProber } from './video-probe.js';

export type SyncOutcome = 'indexed' | 'unchanged' | 'removed' | 'absent';

export interface SyncOptions {
  /** Append `asset.added` / `asset.updated` for a new or changed record (default true). */
  event?: boolean;
  /** Re-read even when size and mtime say nothing changed. */
  force?: boolean;
  /** Told the index slot of the file's record when it has one afterwards (the rescan's bookkeeping). */
  seen?: (slot: number) => void;
}

/** What the index holds for a file already: its record's slot and file signature. */
export interface KnownRecord {
  slot: number;
  signature: string;
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

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    readonly outputPath: string,
    video: VideoProber = new VideoProber(),
  ) {
    this.store = new AssetStore(redis, keyPrefix);
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
   * Indexes a file whose stat is known (null: gone). `known` is what the index holds for it when the
   * caller fetched that already (the rescan reads them in batches: null for none); undefined fetches it.
   */
  async syncFile(c: { relPath: string; target: ReadTarget }, st: FileStat | null, known: KnownRecord | null | undefined, opts: SyncOptions = {}): Promise<SyncOutcome> {
    const id = assetIdForPath(c.relPath);
    if (!st) return (await this.store.remove(id)) ? 'removed' : 'absent';
    const stored = known === undefined ? (await this.known([id]))[0]! : known;
    const next = await this.prepare(c, st, stored, opts);
    if (next.kind === 'unchanged') return 'unchanged';
    const { slot } = await this.store.write(next.asset, next.put);
    opts.seen?.(slot);
    return 'indexed';
  }

  /**
   * What syncing an existing file takes: nothing when its signature is the stored one (unless forced),
   * else its record read from the file and the put options to write it with (the rescan writes a
   * batch of them at once, AssetStore.writeMany).
   */
  async prepare(
    c: { relPath: string; target: ReadTarget },
    st: FileStat,
    stored: KnownRecord | null,
    opts: SyncOptions = {},
  ): Promise<{ kind: 'unchanged' } | { kind: 'write'; asset: Asset; put: PutOptions }> {
    const signature = signatureOf(st);
    if (!opts.force && stored?.signature === signature) {
      opts.seen?.(stored.slot);
      return { kind: 'unchanged' };
    }
    const asset = await this.reader.read(c.relPath, c.target, st);
    // With no record there, the put needs not read one (its script checks that none appeared meanwhile).
    return { kind: 'write', asset, put: { signature, event: opts.event !== false, ...(stored === null ? { previous: null } : {}) } };
  }

  /** What the index holds for a batch of ids (null where there is no record). */
  known(ids: string[]): Promise<(KnownRecord | null)[]> {
    return indexedHeads(this.redis, this.store.keys, ids);
  }

  get(id: string): Promise<Asset | null> {
    return this.store.get(id);
  }
}
