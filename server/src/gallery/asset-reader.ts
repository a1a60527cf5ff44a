/*
 * One file of OUTPUT_PATH → its gallery record. Metadata comes from our JSON sidecar first, then from
 * the file itself (our `orchestrator` chunk, ComfyUI's `prompt`, A1111's `parameters`); a file with none
 * still gets its file facts. Reads only the file's first 64 KB unless its format needs more.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  assetIdForPath,
  assetUrls,
  buildSiteAsset,
  metaFromPngText,
  sanitizeGenerationMeta,
  siteManifestOf,
  userNameOr,
  withMetaDimensions,
  type Asset,
  type AssetType,
  type GenerationMeta,
} from '@orchestrator/shared';
import { HEAD_BYTES, probeImage, type ImageFacts } from './image-probe.js';
import { SIDECAR_SUFFIX } from './scan-rules.js';
import type { VideoFacts, VideoProber } from './video-probe.js';

const MAX_JSON_BYTES = 1024 * 1024;

export interface FileStat {
  size: number;
  mtimeMs: number;
  birthtimeMs: number;
  /** 0 when the file has no sidecar (or it is a site manifest). */
  sidecarMtimeMs: number;
}

/** What the rescan compares to tell whether a file changed since it was indexed. */
export function signatureOf(s: FileStat): string {
  return `${s.size}:${Math.floor(s.mtimeMs)}:${Math.floor(s.sidecarMtimeMs)}`;
}

export type ReadTarget = { kind: 'media'; type: AssetType; mimeType: string } | { kind: 'site' };

/*
 * File access is synchronous on purpose: for the small reads done here (a stat, the first 64 KB) the
 * promise API costs ~10x more than the I/O itself on a local disk (a thread-pool round trip per call),
 * and the rescan must index thousands of files a second. Each call blocks the event loop for tens of
 * microseconds; callers work in small batches so requests keep being served in between.
 */
function readHead(file: string, max: number): { fd: number; head: Buffer; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, max));
    const n = readSync(fd, head, 0, head.length, 0);
    return { fd, head: head.subarray(0, n), size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    const { fd, head, size } = readHead(file, MAX_JSON_BYTES);
    closeSync(fd);
    return size > MAX_JSON_BYTES ? undefined : (JSON.parse(head.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

function validDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function overlay(base: GenerationMeta, over: GenerationMeta): GenerationMeta {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return out as GenerationMeta;
}

/** Meta from embedded text, naming the tool that wrote it when the text does not. */
function metaFromText(text: Record<string, string>): GenerationMeta {
  const meta = metaFromPngText(text);
  if (meta.provider === undefined) {
    if ('prompt' in text) meta.provider = 'comfyui';
    else if ('parameters' in text) meta.provider = 'a1111';
  }
  return meta;
}

export class AssetReader {
  constructor(
    private readonly root: string,
    private readonly video: VideoProber,
  ) {}

  abs(relPath: string): string {
    return path.join(this.root, ...relPath.split('/'));
  }

  /**
   * Size and times of a regular file (symlinks are not followed: a link could point anywhere), or null.
   * `hasSidecar` false skips looking for `<file>.json` (the rescan knows from the directory listing).
   */
  async stat(relPath: string, target: ReadTarget, hasSidecar?: boolean): Promise<FileStat | null> {
    const st = lstatSync(this.abs(relPath), { throwIfNoEntry: false });
    if (!st?.isFile()) return null;
    let sidecarMtimeMs = 0;
    if (target.kind === 'media' && hasSidecar !== false) {
      const side = statSync(this.abs(relPath) + SIDECAR_SUFFIX, { throwIfNoEntry: false });
      sidecarMtimeMs = side?.isFile() ? side.mtimeMs : 0;
    }
    return { size: st.size, mtimeMs: st.mtimeMs, birthtimeMs: st.birthtimeMs, sidecarMtimeMs };
  }

  async read(relPath: string, target: ReadTarget, st: FileStat): Promise<Asset> {
    const id = assetIdForPath(relPath);
    const fileTime = st.birthtimeMs > 0 ? Math.min(st.birthtimeMs, st.mtimeMs) : st.mtimeMs;
    const base = {
      id,
      fileName: path.posix.basename(relPath),
      relPath,
      size: st.size,
      ...assetUrls(id),
      mtimeMs: Math.floor(st.mtimeMs),
    };
    if (target.kind === 'site') return this.readSite(relPath, base, fileTime);

    const facts: ImageFacts | VideoFacts = target.type === 'video' ? await this.video.probe(this.abs(relPath)) : await this.probeImageFile(relPath);
    let meta = metaFromText(facts.text);
    let createdAt: string | undefined;
    let owner: string | undefined;
    if (st.sidecarMtimeMs > 0) {
      const sidecar = (await readJson(this.abs(relPath) + SIDECAR_SUFFIX)) as { createdAt?: unknown; meta?: unknown; owner?: unknown } | undefined;
      if (sidecar && typeof sidecar === 'object') {
        meta = overlay(meta, sanitizeGenerationMeta(sidecar.meta));
        createdAt = validDate(sidecar.createdAt);
        owner = userNameOr(sidecar.owner);
      }
    }
    const asset: Asset = {
      ...base,
      type: target.type,
      mimeType: target.mimeType,
      createdAt: createdAt ?? new Date(fileTime).toISOString(),
      meta,
      ...(owner ? { owner } : {}),
    };
    const { text: _text, ...rest } = facts;
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) (asset as Record<string, unknown>)[k] = v;
    // An animated WebP/GIF/APNG of several frames is a clip (SVD saves its videos this way): it
    // belongs under Videos, as the job that made it said; browsers play it in an <img>.
    if (asset.type === 'image' && asset.animated && (asset.frames ?? 0) > 1) asset.type = 'video';
    return withMetaDimensions(asset);
  }

  private async probeImageFile(relPath: string): Promise<ImageFacts> {
    const { fd, head, size } = readHead(this.abs(relPath), HEAD_BYTES);
    try {
      return await probeImage({
        size,
        head,
        read: async (pos, length) => {
          const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - pos)));
          return buf.subarray(0, readSync(fd, buf, 0, buf.length, pos));
        },
      });
    } finally {
      closeSync(fd);
    }
  }

  private async readSite(relPath: string, base: Omit<Asset, 'type' | 'mimeType' | 'createdAt' | 'meta'>, fileTime: number): Promise<Asset> {
    const raw = await readJson(this.abs(relPath));
    // A v0 site's manifest: the record the worker itself builds (versions, screenshot), at this path.
    const v0 = siteManifestOf(raw);
    if (v0) return { ...buildSiteAsset(v0, { size: base.size }), id: base.id, relPath, url: base.url, thumbUrl: base.thumbUrl, mtimeMs: base.mtimeMs };
    const m = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const title = typeof m.title === 'string' && m.title.trim() ? m.title.trim().slice(0, 500) : path.posix.basename(path.posix.dirname(relPath));
    return {
      ...base,
      type: 'site',
      mimeType: 'application/json',
      createdAt: validDate(m.createdAt) ?? new Date(fileTime).toISOString(),
      meta: sanitizeGenerationMeta(m.meta),
      title,
    };
  }
}
