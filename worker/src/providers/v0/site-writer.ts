import {
  isV0Id,
  parseSiteManifest,
  safeSiteFileName,
  siteAssetId,
  siteManifestRelPath,
  siteScreenshotRelPath,
  siteVersionRelDir,
  SITES_DIR,
  type DirFile,
  type FileStore,
  type V0SiteManifest,
} from '@orchestrator/shared';
import { sniffImage } from '../../cloud/files.js';

/*
 * A site in OUTPUT_PATH (through the worker's output store: the shared disk or the server's storage
 * API): each version's files under sites/<chatId>/<versionId>/ (names from v0, refused when unsafe
 * rather than repaired), the screenshot v0 made, and the manifest site.json that lists the versions. A
 * version folder appears whole and the manifest is replaced atomically, so a reader never sees half a
 * version.
 */

export interface SiteLimits {
  maxFileBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
  maxScreenshotBytes: number;
  screenshotTimeoutMs: number;
}

export const DEFAULT_SITE_LIMITS: SiteLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxFiles: 2000,
  maxTotalBytes: 100 * 1024 * 1024,
  maxScreenshotBytes: 10 * 1024 * 1024,
  screenshotTimeoutMs: 30_000,
};

export interface WrittenVersion {
  /** Saved names, relative to the version folder. */
  files: string[];
  /** Names refused: unsafe paths, over a size limit, or clashing with another file's folder. */
  refused: string[];
}


export class SiteWriter {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: FileStore,
    private readonly limits: SiteLimits = DEFAULT_SITE_LIMITS,
  ) {}

  /** Runs `fn` after every earlier call for the same chat in this process (manifest read-modify-write). */
  withChat<T>(chatId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(chatId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(chatId, tail);
    void tail.then(() => {
      if (this.locks.get(chatId) === tail) this.locks.delete(chatId);
    });
    return next;
  }

  /** The manifest, or null when there is none (or it cannot be read as one). */
  async readManifest(chatId: string): Promise<V0SiteManifest | null> {
    const raw = await this.store.read(siteManifestRelPath(chatId));
    return raw === null ? null : parseSiteManifest(raw.toString('utf8'));
  }

  /** Writes the manifest; returns its size in bytes. */
  async writeManifest(manifest: V0SiteManifest): Promise<number> {
    const json = JSON.stringify(manifest, null, 2) + '\n';
    await this.store.write(siteManifestRelPath(manifest.chatId), json);
    return Buffer.byteLength(json);
  }

  /** Replaces the version's folder with these files. Ids must already be checked with isV0Id. */
  async writeVersion(chatId: string, versionId: string, files: readonly { name: string; content: string }[]): Promise<WrittenVersion> {
    if (!isV0Id(chatId) || !isV0Id(versionId)) throw new Error(`unsafe v0 id: ${chatId}/${versionId}`);
    const shown = (f: { name?: unknown }) => (typeof f?.name === 'string' ? f.name.slice(0, 200) : '(no name)');
    /** Saved name → index of the file it came from (a later file of the same name replaces it). */
    const kept = new Map<string, { index: number; data: string }>();
    const refused = new Set<number>();
    let total = 0;
    files.forEach((file, index) => {
      const name = typeof file?.name === 'string' ? safeSiteFileName(file.name) : null;
      const content = typeof file?.content === 'string' ? file.content : null;
      const bytes = content === null ? 0 : Buffer.byteLength(content);
      const replaced = name !== null ? kept.get(name) : undefined;
      const totalAfter = total - (replaced ? Buffer.byteLength(replaced.data) : 0) + bytes;
      if (name === null || content === null || bytes > this.limits.maxFileBytes || (!replaced && kept.size >= this.limits.maxFiles) || totalAfter > this.limits.maxTotalBytes) {
        refused.add(index);
        return;
      }
      kept.delete(name);
      kept.set(name, { index, data: content });
      total = totalAfter;
    });
    const dir: DirFile[] = [...kept].map(([name, k]) => ({ name, data: k.data }));
    // The store refuses what cannot be written, e.g. "a/b" when "a" is a file.
    const written = await this.store.replaceDir(siteVersionRelDir(chatId, versionId), dir);
    for (const name of written.refused) refused.add(kept.get(name)!.index);
    return {
      files: [...kept.keys()].filter((n) => !written.refused.includes(n)),
      refused: [...refused].sort((x, y) => x - y).map((i) => shown(files[i]!)),
    };
  }

  /**
   * Downloads v0's screenshot of a version (no key is sent: the URL stands alone) and keeps it only if
   * it is a PNG, JPEG or WebP within the size limit. Returns its path under OUTPUT_PATH, or null.
   */
  async saveScreenshot(chatId: string, versionId: string, url: string, signal?: AbortSignal): Promise<string | null> {
    if (!/^https?:\/\//i.test(url) || !isV0Id(chatId) || !isV0Id(versionId)) return null;
    const timeout = AbortSignal.timeout(this.limits.screenshotTimeoutMs);
    const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' }).catch(() => null);
    if (!res?.ok || !res.body) return null;
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > this.limits.maxScreenshotBytes) {
      await res.body.cancel().catch(() => undefined);
      return null;
    }
    const bytes = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    const type = bytes.length <= this.limits.maxScreenshotBytes ? sniffImage(bytes) : null;
    if (!type) return null;
    const relPath = siteScreenshotRelPath(chatId, versionId, type.ext.slice(1));
    await this.store.write(relPath, bytes);
    return relPath;
  }

  /** A file this writer saved (a screenshot, to make its thumbnail from), or null. */
  readFile(relPath: string): Promise<Buffer | null> {
    return this.store.read(relPath);
  }

  /** The chat whose site has this asset id (ids are hashes of the manifest path), or null. */
  async chatIdOfAsset(assetId: string): Promise<string | null> {
    const names = await this.store.list(SITES_DIR).catch(() => [] as string[]);
    return names.find((name) => isV0Id(name) && siteAssetId(name) === assetId) ?? null;
  }
}
