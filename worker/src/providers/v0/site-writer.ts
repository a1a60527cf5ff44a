import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  isV0Id,
  parseSiteManifest,
  safeSiteFileName,
  siteAssetId,
  siteManifestRelPath,
  siteScreenshotRelPath,
  siteVersionRelDir,
  SITES_DIR,
  type V0SiteManifest,
} from '@orchestrator/shared';
import { sniffImage } from '../../cloud/files.js';

/*
 * A site on disk: each version's files under OUTPUT_PATH/sites/<chatId>/<versionId>/ (names from v0,
 * refused when unsafe rather than repaired), the screenshot v0 made, and the manifest site.json that
 * lists the versions. A version folder appears whole (written under a hidden temp name, then renamed),
 * and the manifest is replaced atomically, so a reader never sees half a version.
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


async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

export class SiteWriter {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly outputPath: string,
    private readonly limits: SiteLimits = DEFAULT_SITE_LIMITS,
  ) {}

  private abs(relPath: string): string {
    return path.join(this.outputPath, ...relPath.split('/'));
  }

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
    const raw = await readFile(this.abs(siteManifestRelPath(chatId)), 'utf8').catch(() => null);
    return raw === null ? null : parseSiteManifest(raw);
  }

  /** Writes the manifest; returns its size in bytes. */
  async writeManifest(manifest: V0SiteManifest): Promise<number> {
    const file = this.abs(siteManifestRelPath(manifest.chatId));
    await mkdir(path.dirname(file), { recursive: true });
    const json = JSON.stringify(manifest, null, 2) + '\n';
    await writeAtomic(file, json);
    return Buffer.byteLength(json);
  }

  /** Replaces the version's folder with these files. Ids must already be checked with isV0Id. */
  async writeVersion(chatId: string, versionId: string, files: readonly { name: string; content: string }[]): Promise<WrittenVersion> {
    if (!isV0Id(chatId) || !isV0Id(versionId)) throw new Error(`unsafe v0 id: ${chatId}/${versionId}`);
    const final = this.abs(siteVersionRelDir(chatId, versionId));
    const tmp = path.join(path.dirname(final), `.${versionId}.${randomBytes(4).toString('hex')}.part`);
    const saved: string[] = [];
    const refused: string[] = [];
    let total = 0;
    await mkdir(tmp, { recursive: true });
    try {
      for (const file of files) {
        const name = typeof file?.name === 'string' ? safeSiteFileName(file.name) : null;
        const content = typeof file?.content === 'string' ? file.content : null;
        const bytes = content === null ? 0 : Buffer.byteLength(content);
        if (name === null || content === null || bytes > this.limits.maxFileBytes || saved.length >= this.limits.maxFiles || total + bytes > this.limits.maxTotalBytes) {
          refused.push(typeof file?.name === 'string' ? file.name.slice(0, 200) : '(no name)');
          continue;
        }
        const target = path.join(tmp, ...name.split('/'));
        try {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, content);
        } catch {
          refused.push(name); // e.g. "a" is a file and "a/b" wants it as a folder
          continue;
        }
        if (!saved.includes(name)) saved.push(name);
        total += bytes;
      }
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return { files: saved, refused };
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
    const file = this.abs(relPath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, bytes);
    return relPath;
  }

  /** The chat whose site has this asset id (ids are hashes of the manifest path), or null. */
  async chatIdOfAsset(assetId: string): Promise<string | null> {
    const names = await readdir(this.abs(SITES_DIR)).catch(() => [] as string[]);
    return names.find((name) => isV0Id(name) && siteAssetId(name) === assetId) ?? null;
  }
}
