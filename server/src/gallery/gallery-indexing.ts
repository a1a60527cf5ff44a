/*
 * Keeps the gallery index in step with OUTPUT_PATH while the server runs: a watcher for files written
 * by anyone, and the startup rescan (changed files only; one instance at a time) plus the trash list.
 * Neither holds up boot; `ready` settles when both have finished their first pass.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { dropOldLayout } from './gallery-layout.js';
import { GalleryIndexer } from './indexer.js';
import { Rescanner, type RescanResult } from './rescan.js';
import { Trash } from './trash.js';
import { GalleryWatcher } from './watcher.js';
import { skippedFolders } from './scan-rules.js';
import { rescanBucket } from './object-rescan.js';
import type { ObjectFiles } from '../storage/object-files.js';

export interface GalleryIndexingOptions {
  redis: Redis;
  keyPrefix: string;
  outputPath: string;
  dataPath: string;
  log: FastifyBaseLogger;
  /** Watch OUTPUT_PATH (default true). */
  watch?: boolean;
  /** Rescan OUTPUT_PATH at start (default true). */
  rescan?: boolean;
  /** Watcher timings (tests shorten them). */
  debounceMs?: number;
  stableMs?: number;
  /** STORAGE=s3: the files are in the bucket; nothing on this disk is watched or scanned, the rescan lists the bucket. */
  objects?: ObjectFiles | null;
}

export class GalleryIndexing {
  readonly indexer: GalleryIndexer;
  readonly trash: Trash;
  private readonly rescanner: Rescanner;
  private readonly watcher: GalleryWatcher | null;
  private readonly abort = new AbortController();
  private readonly skip: string[];
  private rescanTimer: NodeJS.Timeout | null = null;
  /** The first rescan's result (null when it did not run here), once watcher and rescan are done. */
  ready: Promise<RescanResult | null> = Promise.resolve(null);

  constructor(private readonly o: GalleryIndexingOptions) {
    this.indexer = new GalleryIndexer(o.redis, o.keyPrefix, o.outputPath);
    this.trash = new Trash(o.redis, o.keyPrefix, path.join(o.dataPath, 'trash'), this.indexer, o.objects ? { output: o.objects.output, trash: o.objects.trash, thumbs: o.objects.thumbs } : null);
    this.rescanner = new Rescanner(o.redis, o.keyPrefix, this.indexer);
    this.skip = skippedFolders(o.outputPath, o.dataPath);
    this.watcher =
      o.watch === false || o.objects
        ? null
        : new GalleryWatcher(this.indexer, { skip: this.skip, log: o.log, debounceMs: o.debounceMs, stableMs: o.stableMs, onDirGone: () => this.requestRescan() });
  }

  /** Starts the watcher, then the rescan, in the background. */
  start(): void {
    this.ready = this.run().catch((err: unknown) => {
      this.o.log.warn({ err: { message: (err as Error).message } }, 'gallery indexing failed; the index may be incomplete until the next start');
      return null;
    });
  }

  private async run(): Promise<RescanResult | null> {
    await mkdir(this.o.outputPath, { recursive: true });
    // An index of an older layout is dropped; the rescan below then indexes every file again.
    const dropped = await dropOldLayout(this.o.redis, this.o.keyPrefix);
    if (dropped > 0) this.o.log.info({ keys: dropped }, 'gallery: dropped an index of an older layout; the rescan rebuilds it from the files');
    // Watch first, so a file written while the rescan walks is seen by one or the other.
    await this.watcher?.start();
    if (this.o.rescan === false || this.abort.signal.aborted) return null;
    await this.trash.rescan();
    const result = await this.rescanNow();
    if (result.ran) this.o.log.info({ files: result.files, indexed: result.indexed, removed: result.removed, ms: result.ms }, 'gallery rescan done');
    else this.o.log.info('gallery rescan skipped: another server instance is running it');
    return result;
  }

  /**
   * A folder vanished (moved away: no event for each of its files). Its records are found by a rescan,
   * which only stats unchanged files; requests within a second share one.
   */
  private requestRescan(): void {
    if (this.rescanTimer || this.abort.signal.aborted) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = null;
      this.rescanNow().catch((err: unknown) => this.o.log.warn({ err: { message: (err as Error).message } }, 'gallery rescan failed'));
    }, 1000);
    this.rescanTimer.unref();
  }

  /** Runs a rescan now (tests; an admin action). */
  async rescanNow(): Promise<RescanResult> {
    if (this.o.objects) return rescanBucket(this.o.redis, this.o.keyPrefix, this.indexer, this.o.objects.output, this.abort.signal);
    return this.rescanner.run({ skip: this.skip, signal: this.abort.signal, log: this.o.log });
  }

  /** Applies the events the watcher collected so far (tests). */
  flushWatcher(): Promise<void> {
    return this.watcher?.flush() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.abort.abort();
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    await this.watcher?.close();
    await this.ready;
  }
}
