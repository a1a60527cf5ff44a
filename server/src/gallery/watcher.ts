/*
 * Files written into OUTPUT_PATH by anyone (ComfyUI itself, a person copying files in) reach the index
 * through this watcher (DirWatcher: one OS watch per folder). Events are collected per path and applied
 * after a short quiet time, so an editor's save-to-temp-then-rename or a burst of copies becomes one
 * sync per path; a rename is a remove plus an add. A file modified less than `stableMs` ago is still
 * being written: it is looked at again later. Temp names (`*.part`, `*.tmp`, `~*`, hidden files) are
 * never looked at.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { DirWatcher } from './dir-watcher.js';
import type { GalleryIndexer } from './indexer.js';

export interface WatcherOptions {
  /** Absolute folders to leave alone (the trash when it sits inside OUTPUT_PATH). */
  skip?: string[];
  /** Quiet time before collected events are applied (ms). */
  debounceMs?: number;
  /** How long a file's size must hold still before it counts as written (ms). */
  stableMs?: number;
  log?: FastifyBaseLogger;
  /** A watched folder vanished: its files' records need a check no file event will trigger. */
  onDirGone?: (relDir: string) => void;
}

const CONCURRENCY = 8;

export class GalleryWatcher {
  private watcher: DirWatcher | null = null;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly indexer: GalleryIndexer,
    private readonly opts: WatcherOptions = {},
  ) {}

  /** Resolves once every folder is watched (events after that are seen). */
  async start(): Promise<void> {
    const skip = (this.opts.skip ?? []).map((p) => path.resolve(p));
    this.watcher = new DirWatcher(path.resolve(this.indexer.outputPath), skip, {
      onPath: (rel) => this.enqueue(rel),
      onDirGone: (rel) => this.opts.onDirGone?.(rel),
      onError: (err) => this.opts.log?.warn({ err: { message: err.message } }, 'gallery watcher error'),
    });
    await this.watcher.start();
  }

  private enqueue(relPath: string): void {
    if (this.closed) return;
    this.pending.add(relPath);
    // A fixed window rather than a sliding one: a steady trickle of files must not postpone every flush.
    this.timer ??= setTimeout(() => void this.flush(), this.opts.debounceMs ?? 150);
  }

  /** Applies every collected path (one flush at a time; paths arriving meanwhile wait for the next). */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.pending.size === 0) return;
    }
    this.timer = null;
    const paths = [...this.pending];
    this.pending.clear();
    this.flushing = this.apply(paths).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.pending.size > 0 && !this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), 0);
  }

  private async apply(paths: string[]): Promise<void> {
    const stableMs = this.opts.stableMs ?? 300;
    const now = Date.now();
    const ready = paths.filter((rel) => {
      const st = lstatSync(this.indexer.reader.abs(rel), { throwIfNoEntry: false });
      const young = st?.isFile() && now - st.mtimeMs < stableMs;
      if (young) setTimeout(() => this.enqueue(rel), stableMs).unref();
      return !young;
    });
    let next = 0;
    const work = async () => {
      while (next < ready.length && !this.closed) {
        const rel = ready[next++]!;
        try {
          await this.indexer.syncPath(rel);
        } catch (err) {
          this.opts.log?.warn({ err: { message: (err as Error).message }, relPath: rel }, 'gallery: cannot index file');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ready.length) }, work));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    await this.flushing;
  }
}
