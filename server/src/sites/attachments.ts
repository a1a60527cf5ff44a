import { readFile, stat } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import sharp, { type Metadata } from 'sharp';
import {
  AssetStore,
  MAX_INPUT_IMAGE_BYTES,
  MAX_INPUT_IMAGE_PIXELS,
  V0_ATTACHMENT_MAX_BYTES,
  V0_ATTACHMENT_MAX_EDGE,
  describePixels,
  fluxInputImageKind,
  inputImagePixelsOk,
  type Config,
  type DesignImage,
} from '@orchestrator/shared';
import { HttpError, badRequest } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import type { ObjectFiles } from '../storage/object-files.js';
import { UploadStore } from '../uploads/upload-store.js';
import type { UploadType } from '../uploads/image-info.js';

/*
 * Pictures sent to v0 with a message (design mode's uploads and gallery picks). v0 cannot reach our
 * files, so the worker sends each one as a data URI in `attachments`; the body must stay small, so a
 * picture over V0_ATTACHMENT_MAX_BYTES or V0_ATTACHMENT_MAX_EDGE pixels is downscaled and recompressed
 * here (sharp, once) and kept as an upload of its own, which the job names instead. A missing id is
 * 400; a picture over the input limits (bytes, pixels) is 413, as everywhere else.
 */

export interface PreparedAttachment {
  /** What the job request carries: the picture's own id when it fits, else its downscaled copy's (an upload). */
  id: string;
  /** The picture's name for the message (the uploaded file's, or the gallery file's). */
  name: string;
  bytes: number;
  width: number;
  height: number;
}

/** Tries, largest first, until the picture fits V0_ATTACHMENT_MAX_BYTES. */
const DOWNSCALE_STEPS = [
  { edge: V0_ATTACHMENT_MAX_EDGE, quality: 82 },
  { edge: 1280, quality: 72 },
  { edge: 800, quality: 60 },
];
const SENDABLE_FORMATS = new Set(['png', 'jpeg', 'webp']);

/** A name safe to write inside the message's parentheses. */
function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const n = name.replace(/[\u0000-\u001f\u007f"()\\`]/g, '_').trim().slice(0, 100);
  return n || 'image';
}

export class SiteAttachments {
  private readonly uploads: UploadStore;
  private readonly assets: AssetStore;

  constructor(
    private readonly config: Pick<Config, 'dataPath' | 'outputPath' | 'keyPrefix'>,
    redis: Redis,
    private readonly objects: ObjectFiles | null = null,
  ) {
    this.uploads = new UploadStore(config.dataPath, MAX_INPUT_IMAGE_PIXELS, objects?.uploads ?? null);
    this.assets = new AssetStore(redis, config.keyPrefix);
  }

  /** The picture ready to attach: checked, and downscaled into a new upload when it is too large to send as is. */
  async prepare(ref: DesignImage): Promise<PreparedAttachment> {
    const source = ref.source === 'upload' ? await this.fromUpload(ref.id) : await this.fromAsset(ref.id);
    let meta: Metadata;
    try {
      meta = await sharp(source.bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw new HttpError('unsupported_media_type', `${source.what} is not a picture that can be read (PNG, JPEG or WebP)`);
    }
    const width = meta.width ?? 0;
    const height = meta.height ?? 0;
    if (!(width > 0 && height > 0)) throw new HttpError('unsupported_media_type', `${source.what} is not a picture that can be read (PNG, JPEG or WebP)`);
    if (!inputImagePixelsOk(width, height)) {
      throw new HttpError('image_too_large', `${source.what} is ${describePixels(width, height)}; at most ${MAX_INPUT_IMAGE_PIXELS / 1e6} MP can be sent to v0`, { width, height });
    }
    const fits = source.bytes.length <= V0_ATTACHMENT_MAX_BYTES && Math.max(width, height) <= V0_ATTACHMENT_MAX_EDGE && SENDABLE_FORMATS.has(meta.format ?? '');
    if (fits) return { id: ref.id, name: source.name, bytes: source.bytes.length, width, height };
    // JPEG unless the picture has transparency (WebP keeps it).
    const type: UploadType = meta.hasAlpha ? 'image/webp' : 'image/jpeg';
    for (const step of DOWNSCALE_STEPS) {
      const pipeline = sharp(source.bytes, { limitInputPixels: false }).rotate().resize({ width: step.edge, height: step.edge, fit: 'inside', withoutEnlargement: true });
      const { data, info } = await (type === 'image/webp' ? pipeline.webp({ quality: step.quality }) : pipeline.jpeg({ quality: step.quality, mozjpeg: true })).toBuffer({ resolveWithObject: true });
      if (data.length > V0_ATTACHMENT_MAX_BYTES) continue;
      const copy = await this.uploads.saveImage(data, type, { width: info.width, height: info.height }, source.name);
      return { id: copy.id, name: source.name, bytes: data.length, width: info.width, height: info.height };
    }
    throw new HttpError('too_large', `${source.what} stays over ${Math.round(V0_ATTACHMENT_MAX_BYTES / 1024)} KB even downscaled: send a simpler or smaller picture`);
  }

  /** The ids a v0 job request names (POST /api/jobs), each made ready like a design edit's picture. */
  async prepareIds(ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids) out.push((await this.prepare({ source: fluxInputImageKind(id), id })).id);
    return out;
  }

  private async fromUpload(id: string): Promise<{ bytes: Buffer; name: string; what: string }> {
    const found = await this.uploads.read(id).catch((err: unknown) => {
      if (err instanceof HttpError && err.code === 'not_found') return null;
      throw err;
    });
    if (!found) throw badRequest('input_image_not_found', `No upload has the id ${id}: upload the picture first (POST /api/uploads)`, { upload: id });
    if (found.bytes.length > MAX_INPUT_IMAGE_BYTES) throw tooManyBytes(`Upload ${id}`);
    return { bytes: found.bytes, name: safeName(found.record.originalName ?? `upload-${id.slice(0, 8)}`), what: `Upload ${id}` };
  }

  private async fromAsset(id: string): Promise<{ bytes: Buffer; name: string; what: string }> {
    const asset = await this.assets.get(id);
    if (!asset) throw badRequest('input_image_not_found', `No gallery asset has the id ${id}`, { asset: id });
    if (asset.type !== 'image') throw badRequest('validation_failed', `Gallery asset ${id} is a ${asset.type}, not a picture`);
    const what = `Gallery image ${id}`;
    let bytes: Buffer | null;
    if (this.objects) {
      const info = await this.objects.output.stat(asset.relPath);
      if (info && info.size > MAX_INPUT_IMAGE_BYTES) throw tooManyBytes(what);
      bytes = info ? await this.objects.output.read(asset.relPath) : null;
    } else {
      const file = await resolveInside(this.config.outputPath, asset.relPath).catch(() => null);
      const info = file ? await stat(file).catch(() => null) : null;
      if (info && info.size > MAX_INPUT_IMAGE_BYTES) throw tooManyBytes(what);
      bytes = file && info?.isFile() ? await readFile(file).catch(() => null) : null;
    }
    if (!bytes) throw badRequest('input_image_not_found', `The file of gallery asset ${id} is gone from the output folder`, { asset: id });
    return { bytes, name: safeName(asset.fileName), what };
  }
}

const tooManyBytes = (what: string) =>
  new HttpError('too_large', `${what} is larger than the ${MAX_INPUT_IMAGE_BYTES / 1024 / 1024} MB a picture may be`, { maxBytes: MAX_INPUT_IMAGE_BYTES });
