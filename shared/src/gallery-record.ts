/*
 * How one gallery record is stored (index layout 2, gallery-index.ts): a short header the index's Lua
 * scripts read without decoding the rest, then the asset as compact JSON:
 *
 *   <slot> \0 <content hash> \0 <file signature> \0 <name key> \0 <body>
 *
 * - slot: the asset's small integer in the index (bitmaps and sorted sets are keyed by it);
 * - content hash: contentHash() of the record (a put of the same content changes nothing);
 * - file signature: size, mtime and sidecar mtime when indexed from the file (what the rescan compares);
 * - name key: the lowercased name the name order sorts by (NULs taken out);
 * - body: the Asset as JSON without what its id and path already say (`id`; `url`/`thumbUrl` when they
 *   are the usual ones; `fileName` when it is the path's last segment; `mimeType` when it is the one of
 *   the file's extension), with one- or two-letter keys and `createdAt` as a number when that gives the
 *   same text back: ~290 bytes for a typical generated image instead of ~620.
 *
 * The slot and the header are written by the put script; Node only ever builds the body and reads
 * records back through decodeAssetRecord.
 */
import { Asset, assetUrls } from './assets.js';
import { checked } from './validate.js';

export interface RecordHead {
  slot: number;
  hash: string;
  signature: string;
  nameKey: string;
}

const SEP = '\0';

/**
 * Short keys of the body. Part of the stored format: changing one needs a new index layout
 * (server/src/gallery/gallery-layout.ts). A key not listed is stored as `~<key>`, so a field added to
 * Asset later is kept.
 */
const ASSET_KEYS: Readonly<Record<string, string>> = {
  relPath: 'r',
  size: 's',
  mtimeMs: 't',
  type: 'y',
  mimeType: 'M',
  createdAt: 'c',
  meta: 'm',
  owner: 'o',
  width: 'w',
  height: 'h',
  durationMs: 'd',
  frames: 'f',
  fps: 'F',
  animated: 'a',
  title: 'T',
  screenshot: 'S',
  site: 'x',
  url: 'u',
  thumbUrl: 'U',
  fileName: 'n',
};
const META_KEYS: Readonly<Record<string, string>> = {
  jobId: 'j',
  provider: 'p',
  model: 'm',
  prompt: 'P',
  negativePrompt: 'N',
  seed: 's',
  steps: 'S',
  cfg: 'c',
  sampler: 'a',
  scheduler: 'h',
  width: 'w',
  height: 'H',
  backend: 'b',
  aspectRatio: 'r',
  guidance: 'g',
  inputImage: 'i',
  workflow: 'W',
  loras: 'l',
};
const invert = (m: Readonly<Record<string, string>>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));
const ASSET_NAMES = invert(ASSET_KEYS);
const META_NAMES = invert(META_KEYS);

/** The mime type the gallery gives a file of each extension (server/src/gallery/scan-rules.ts); left out of the body. */
const MIME_BY_EXT: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  json: 'application/json',
};

function lastSegment(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? relPath : relPath.slice(i + 1);
}

function defaultMime(relPath: string): string | undefined {
  const dot = relPath.lastIndexOf('.');
  return dot < 0 ? undefined : MIME_BY_EXT[relPath.slice(dot + 1).toLowerCase()];
}

function shorten(o: Record<string, unknown>, keys: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[keys[k] ?? `~${k}`] = v;
  return out;
}

function lengthen(o: Record<string, unknown>, names: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) out[names[k] ?? (k.startsWith('~') ? k.slice(1) : k)] = o[k];
  return out;
}

/** The body of a record: the asset minus what decodeAssetRecord can put back, with short keys. */
export function encodeRecordBody(asset: Asset): string {
  const { id, url, thumbUrl, fileName, mimeType, createdAt, meta, ...rest } = asset;
  const urls = assetUrls(id);
  const body: Record<string, unknown> = { ...rest };
  if (url !== urls.url) body.url = url;
  if (thumbUrl !== urls.thumbUrl) body.thumbUrl = thumbUrl;
  if (fileName !== lastSegment(asset.relPath)) body.fileName = fileName;
  if (mimeType !== defaultMime(asset.relPath)) body.mimeType = mimeType;
  const ms = Date.parse(createdAt);
  body.createdAt = Number.isFinite(ms) && new Date(ms).toISOString() === createdAt ? ms : createdAt;
  body.meta = shorten(meta as Record<string, unknown>, META_KEYS);
  return JSON.stringify(shorten(body, ASSET_KEYS));
}

/** The header fields of a stored record, or null when it is not one of this layout. */
export function parseRecordHead(raw: string | null): RecordHead | null {
  if (raw === null) return null;
  const a = raw.indexOf(SEP);
  const b = raw.indexOf(SEP, a + 1);
  const c = raw.indexOf(SEP, b + 1);
  const d = raw.indexOf(SEP, c + 1);
  if (a < 0 || b < 0 || c < 0 || d < 0) return null;
  const slot = Number(raw.slice(0, a));
  if (!Number.isInteger(slot) || slot < 0) return null;
  return { slot, hash: raw.slice(a + 1, b), signature: raw.slice(b + 1, c), nameKey: raw.slice(c + 1, d) };
}

function bodyStart(raw: string): number {
  let at = -1;
  for (let i = 0; i < 4; i++) {
    at = raw.indexOf(SEP, at + 1);
    if (at < 0) return -1;
  }
  return at + 1;
}

const wholeAsset = checked(Asset);

/**
 * A stored record as an Asset, or null when there is none or it is not a whole Asset (written by an
 * older or broken writer): one bad record must never fail a page.
 */
export function decodeAssetRecord(id: string, raw: string | null): Asset | null {
  if (raw === null) return null;
  const start = bodyStart(raw);
  if (start < 0) return null;
  try {
    const short = JSON.parse(raw.slice(start)) as unknown;
    if (short === null || typeof short !== 'object' || Array.isArray(short)) return null;
    const body = short as Record<string, unknown>;
    const relPath = body.r;
    if (typeof relPath !== 'string') return null;
    // Built in one pass, defaults first so a stored value (an unusual url, fileName or type) wins.
    const asset: Record<string, unknown> = { id, ...assetUrls(id), fileName: lastSegment(relPath) };
    const mimeType = defaultMime(relPath);
    if (mimeType) asset.mimeType = mimeType;
    for (const k in body) asset[ASSET_NAMES[k] ?? (k.startsWith('~') ? k.slice(1) : k)] = body[k];
    if (asset.meta !== null && typeof asset.meta === 'object') asset.meta = lengthen(asset.meta as Record<string, unknown>, META_NAMES);
    if (typeof asset.createdAt === 'number') asset.createdAt = new Date(asset.createdAt).toISOString();
    return wholeAsset.check(asset) ? asset : null;
  } catch {
    return null;
  }
}
