import { SITE_MANIFEST, assetIdForPath, assetUrls, type Asset } from './assets.js';
import { userNameOr } from './auth.js';
import { V0_ID_PATTERN, V0SiteManifest, type SiteInfo } from './requests/v0.js';
import { checked } from './validate.js';

/*
 * Where a site lives under OUTPUT_PATH, and the site asset built from its manifest. Pure: the worker
 * writes these paths, the server reads them, and a gallery rescan can rebuild a site asset from the
 * manifest alone.
 *
 *   sites/<chatId>/site.json                        the manifest (the asset's file; one asset per chat)
 *   sites/<chatId>/<versionId>/<file name from v0>  a version's files
 *   sites/<chatId>/.screenshots/<versionId>.<ext>   a version's screenshot, when v0 made one (a hidden
 *                                                   folder: the gallery scan must not index it as an image)
 */

export const SITES_DIR = 'sites';
const V0_ID = new RegExp(V0_ID_PATTERN);

export const isV0Id = (id: string): boolean => V0_ID.test(id);

export const siteDirRelPath = (chatId: string): string => `${SITES_DIR}/${chatId}`;
export const siteManifestRelPath = (chatId: string): string => `${SITES_DIR}/${chatId}/${SITE_MANIFEST}`;
export const siteVersionRelDir = (chatId: string, versionId: string): string => `${SITES_DIR}/${chatId}/${versionId}`;
export const siteScreenshotRelPath = (chatId: string, versionId: string, ext: string): string =>
  `${SITES_DIR}/${chatId}/.screenshots/${versionId}.${ext}`;

/** The one asset id of a chat's site (all its versions). */
export const siteAssetId = (chatId: string): string => assetIdForPath(siteManifestRelPath(chatId));

/** The chat id of a manifest path (`sites/<chatId>/site.json`), or null for any other path. */
export function chatIdOfManifestPath(relPath: string): string | null {
  const m = /^sites\/([^/]+)\/site\.json$/.exec(relPath);
  return m && isV0Id(m[1]!) ? m[1]! : null;
}

export const MAX_SITE_FILE_NAME = 512;

/**
 * A file name from v0 made safe to join under a version folder: forward slashes only, no empty, `.`
 * or `..` segments, not absolute, no drive letters, backslashes, NUL or control characters. Null when
 * the name must be refused (it is never "repaired" into another name).
 */
export function safeSiteFileName(name: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_SITE_FILE_NAME || /[\u0000-\u001f\u007f\\]/.test(name)) return null;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return null;
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.length > 255)) return null;
  return segments.join('/');
}

/**
 * When a version was made. The worker copies v0's version objects as they come, and one without a
 * `createdAt` once made a site record the gallery list could not serialise (500 on GET /api/assets
 * until the file was read again): such a version is dated with the manifest's last write instead.
 */
export function versionCreatedAt(manifest: Pick<V0SiteManifest, 'createdAt' | 'updatedAt'>, version: { createdAt?: unknown }): string {
  return typeof version.createdAt === 'string' ? version.createdAt : typeof manifest.updatedAt === 'string' ? manifest.updatedAt : manifest.createdAt;
}

export function siteInfo(manifest: V0SiteManifest): SiteInfo {
  const latest = manifest.versions[manifest.versions.length - 1];
  return {
    chatId: manifest.chatId,
    versionId: latest?.id ?? manifest.chatId,
    ...(latest?.demoUrl ? { demoUrl: latest.demoUrl } : {}),
    webUrl: manifest.webUrl,
    ...deploymentUrlOf(manifest),
    versions: manifest.versions.map((v) => ({ id: v.id, status: v.status, createdAt: versionCreatedAt(manifest, v), ...(v.demoUrl ? { demoUrl: v.demoUrl } : {}) })),
  };
}

function deploymentUrlOf(manifest: V0SiteManifest): { deploymentUrl?: string } {
  const newest = manifest.versions
    .flatMap((v) => (v.deployment ? [v.deployment] : []))
    .sort((a, b) => Date.parse(b.deployedAt) - Date.parse(a.deployedAt))[0];
  return newest ? { deploymentUrl: newest.url } : {};
}

/**
 * The gallery record of a site: its file is the manifest, its thumbnail the newest screenshot. Its job
 * is `o.jobId`, else the one that made the newest version, else the chat's first: the worker that just
 * wrote a version and the gallery reading the manifest afterwards build the same record.
 */
export function buildSiteAsset(manifest: V0SiteManifest, o: { size: number; jobId?: string }): Asset {
  const relPath = siteManifestRelPath(manifest.chatId);
  const id = assetIdForPath(relPath);
  const screenshot = [...manifest.versions].reverse().find((v) => v.screenshot)?.screenshot;
  const jobId = o.jobId ?? manifest.versions[manifest.versions.length - 1]?.jobId;
  return {
    id,
    type: 'site',
    fileName: SITE_MANIFEST,
    relPath,
    size: o.size,
    mimeType: 'application/json',
    createdAt: manifest.createdAt,
    ...assetUrls(id),
    meta: { ...manifest.meta, ...(jobId ? { jobId } : {}) },
    ...(userNameOr(manifest.owner) ? { owner: manifest.owner } : {}),
    ...(manifest.title ? { title: manifest.title } : {}),
    ...(screenshot ? { screenshot } : {}),
    site: siteInfo(manifest),
  };
}

const manifestSchema = checked(V0SiteManifest);

/**
 * A parsed site.json as a manifest, or null when it is not one (a foreign file). A version written
 * without its date (see versionCreatedAt) is dated rather than costing the whole site its versions.
 */
export function siteManifestOf(value: unknown): V0SiteManifest | null {
  if (manifestSchema.check(value)) return value;
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { versions?: unknown }).versions)) return null;
  const m = value as V0SiteManifest;
  const dated = { ...m, versions: m.versions.map((v) => (typeof v === 'object' && v !== null ? { ...v, createdAt: versionCreatedAt(m, v) } : v)) };
  return manifestSchema.check(dated) ? dated : null;
}

/** A site manifest's text as a manifest; null when it is not JSON or not a manifest (a torn or foreign file). */
export function parseSiteManifest(text: string): V0SiteManifest | null {
  try {
    return siteManifestOf(JSON.parse(text));
  } catch {
    return null;
  }
}
