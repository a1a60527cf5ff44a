import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { ASSET_ID_PATTERN, AssetStore, makeThumbnail, pngDecoder, s3ThumbRelPath, type Asset, type Config } from '@orchestrator/shared';
import { HttpError, notFound } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { contentDisposition } from '../files/file-headers.js';
import { sendFile } from '../files/send-file.js';
import { PoolFullError, WorkPool } from '../gallery/thumbnail-pool.js';
import { ThumbnailService } from '../gallery/thumbnails.js';
import { ObjectThumbnailPruner } from '../gallery/object-thumbnail-prune.js';
import { startThumbnailSweep } from '../gallery/thumbnail-sweep.js';
import { planZip, planZipWith, zipStream } from '../gallery/zip-download.js';
import { placeholder } from '../gallery/thumbnail-placeholder.js';
import { sendObject, type ObjectFiles } from '../storage/object-files.js';
import { errorResponses } from './schemas.js';

export interface AssetFileDeps {
  redis: Redis;
  config: Config;
  /** Tests inject their own (ffmpeg path, pool sizes); by default one is made for DATA_PATH/thumbs. */
  thumbnails?: ThumbnailService;
  /** STORAGE=s3: files are read from the bucket instead of OUTPUT_PATH. */
  objects?: ObjectFiles | null;
}

const MAX_ZIP_IDS = 1000;
/** A POSTed list is not bound by the 16 KiB request head: a whole selection fits (≈170 KB of ids). */
const MAX_POSTED_ZIP_IDS = 10_000;
const ID = ASSET_ID_PATTERN.slice(1, -1);

const AssetIdParams = Type.Object({ id: Type.String({ pattern: ASSET_ID_PATTERN, description: 'asset id (16 hex chars)' }) }, { additionalProperties: false });
const FileQuery = Type.Object(
  { download: Type.Optional(Type.Boolean({ description: '1/true: send as an attachment named after the file' })) },
  { additionalProperties: false },
);
const ThumbQuery = Type.Object(
  { v: Type.Optional(Type.String({ pattern: '^[0-9a-z-]{1,40}$', description: 'version of the file (mtime-size in base 36); the current one makes the response immutable' })) },
  { additionalProperties: false },
);
const DownloadBody = Type.Object(
  {
    ids: Type.String({
      pattern: `^${ID}(,${ID}){0,${MAX_POSTED_ZIP_IDS - 1}}$`,
      maxLength: MAX_POSTED_ZIP_IDS * 17,
      description: `comma-separated asset ids (1-${MAX_POSTED_ZIP_IDS})`,
    }),
    sidecars: Type.Optional(Type.Union([Type.Boolean(), Type.Enum(['true', 'false', '1', '0'])], { description: "include each file's JSON sidecar (default true)" })),
  },
  { additionalProperties: false },
);

const DownloadQuery = Type.Object(
  {
    ids: Type.String({
      pattern: `^${ID}(,${ID}){0,${MAX_ZIP_IDS - 1}}$`,
      maxLength: MAX_ZIP_IDS * 17,
      description: `comma-separated asset ids (1-${MAX_ZIP_IDS})`,
    }),
    sidecars: Type.Optional(Type.Boolean({ default: true, description: "include each file's JSON sidecar (default true)" })),
  },
  { additionalProperties: false },
);

/*
 * Thumbnail caching: a URL carrying the current version (`?v=`, see thumbVersion) names one exact
 * thumbnail, so it is cached for a year as immutable. Without it (or with a stale one) the browser may
 * keep it a minute and then revalidates with the ETag (the content key), answered 304 without any image
 * work. Placeholders carry no ETag and a short life: a poster may become possible (ffmpeg installed, a
 * file finished writing).
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, max-age=60';

const FILE_DESCRIPTION =
  'The file, with HTTP Range support (one range: 206, past the end: 416; several ranges are answered 200 with the whole file), ' +
  'ETag/Last-Modified and 304. Images and videos are inline unless ?download=1; other types are always attachments.';
const THUMB_DESCRIPTION =
  'WebP, 384 px on the long side (a video: its first frame; a site: its screenshot). A placeholder WebP (header x-thumbnail: placeholder) ' +
  'when none can be made. 503 with Retry-After when too many thumbnails are being made.';
const DOWNLOAD_DESCRIPTION =
  'A zip streamed as it is built: the files (PNG/WebP/MP4… stored, others deflated) with their JSON sidecars, names made unique ' +
  "as 'a.png', 'a (1).png'. Ids without a file are listed in a missing.txt entry and counted in x-missing-assets; 404 if none has one.";

/** Aborts when the client goes away before the response is written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** The thumbnail pool is full: 503, to be asked again in a moment (and never cached). */
const thumbnailsBusy = () =>
  new HttpError('thumbnails_busy', 'Too many thumbnails are being made right now; try again shortly', undefined, { 'retry-after': '2', 'cache-control': 'no-store' });

function etagMatches(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export const assetFileRoutes: FastifyPluginAsyncTypebox<AssetFileDeps> = async (app, { redis, config, thumbnails: injected, objects }) => {
  const store = new AssetStore(redis, config.keyPrefix);
  const thumbnails = injected ?? new ThumbnailService({ outputPath: config.outputPath, cacheDir: path.join(config.dataPath, 'thumbs') });
  if (!injected) {
    const pruner = objects ? new ObjectThumbnailPruner(objects.thumbs) : thumbnails;
    let stopSweep: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopSweep = startThumbnailSweep({ thumbnails: pruner, redis, keyPrefix: config.keyPrefix, log: app.log });
      const png = pngDecoder();
      if (png.native) app.log.info('PNG thumbnails: native decoder (libdeflate)');
      else app.log.info({ reason: png.reason }, 'PNG thumbnails: sharp alone, slower (the native decoder needs a C compiler at build time and libdeflate0)');
    });
    app.addHook('onClose', async () => stopSweep?.());
  }

  async function getAsset(id: string): Promise<Asset> {
    const asset = await store.get(id);
    if (!asset) throw notFound('asset', id);
    return asset;
  }

  app.get(
    '/api/assets/:id/file',
    { schema: { tags: ['assets'], summary: 'Asset file', description: FILE_DESCRIPTION, params: AssetIdParams, querystring: FileQuery, response: errorResponses(400, 403, 404, 416) } },
    async (request, reply) => {
      const asset = await getAsset(request.params.id);
      const disposition = request.query.download ? 'attachment' : 'inline';
      if (objects) return sendObject(request, reply, objects, objects.output, asset.relPath, { mediaType: asset.mimeType, downloadName: asset.fileName, disposition });
      const realPath = await resolveInside(config.outputPath, asset.relPath);
      return sendFile(request, reply, realPath, { mediaType: asset.mimeType, downloadName: asset.fileName, disposition });
    },
  );

  app.get(
    '/api/assets/:id/thumb',
    { schema: { tags: ['assets'], summary: 'Asset thumbnail', description: THUMB_DESCRIPTION, params: AssetIdParams, querystring: ThumbQuery, response: errorResponses(400, 403, 404, 503) } },
    async (request, typedReply) => {
      const reply = typedReply as FastifyReply; // a binary body, which the error-only response schema does not type
      if (objects) return sendObjectThumb(request.headers['if-none-match'], reply, await getAsset(request.params.id), objects);
      const source = await thumbnails.locate(await getAsset(request.params.id));
      if (source.kind === 'file') {
        const etag = `"${source.key.slice(0, 32)}"`;
        if (etagMatches(request.headers['if-none-match'], etag)) {
          return reply.code(304).header('etag', etag).header('cache-control', request.query.v === source.version ? IMMUTABLE : REVALIDATE).send();
        }
      }
      const signal = clientGone(reply);
      let thumb;
      try {
        thumb = await thumbnails.render(source, signal);
      } catch (err) {
        if (err instanceof PoolFullError) throw thumbnailsBusy();
        if (signal.aborted) return reply.hijack(); // nobody is left to answer
        throw err;
      }
      reply.type('image/webp').header('x-thumbnail', thumb.kind).header('content-length', String(thumb.body.length));
      if (thumb.kind === 'placeholder') {
        reply.header('cache-control', REVALIDATE);
      } else {
        reply.header('etag', `"${thumb.key.slice(0, 32)}"`).header('cache-control', request.query.v === thumb.version ? IMMUTABLE : REVALIDATE);
      }
      return reply.send(thumb.body);
    },
  );

  /**
   * STORAGE=s3: the thumbnail the worker filed in the bucket's `thumbs/`, or one made now from an image
   * (then filed there); a placeholder for what cannot be made here (a video without one, a site).
   */
  // Cold thumbnails made here (objects the worker filed none for): bounded like the disk's, one per object at a time.
  const objectThumbs = new WorkPool<Buffer | null>({ concurrency: Math.max(1, availableParallelism()), maxQueued: 64 });
  async function sendObjectThumb(ifNoneMatch: string | undefined, reply: FastifyReply, asset: Asset, files: ObjectFiles): Promise<FastifyReply> {
    const rel = s3ThumbRelPath(asset.id);
    let body = await files.thumbs.read(rel);
    if (!body && asset.type === 'image') {
      try {
        body = await objectThumbs.run(rel, async () => {
          const bytes = await files.output.read(asset.relPath);
          const made = bytes ? await makeThumbnail(bytes).catch(() => null) : null;
          if (made) await files.thumbs.write(rel, made);
          return made;
        });
      } catch (err) {
        throw err instanceof PoolFullError ? thumbnailsBusy() : err;
      }
    }
    if (!body) {
      const shown = await placeholder(asset.type === 'video' ? 'video' : asset.type === 'site' ? 'site' : 'unreadable');
      return reply.type('image/webp').header('x-thumbnail', 'placeholder').header('cache-control', REVALIDATE).send(shown);
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (etagMatches(ifNoneMatch, etag)) return reply.code(304).header('etag', etag).header('cache-control', REVALIDATE).send();
    return reply.type('image/webp').header('x-thumbnail', 'image').header('etag', etag).header('cache-control', REVALIDATE).header('content-length', String(body.length)).send(body);
  }

  async function sendZip(reply: FastifyReply, requested: string[], sidecars: boolean): Promise<FastifyReply> {
    const ids = [...new Set(requested)];
    const found = await store.getMany(ids);
    const plan = objects
      ? await planZipWith(ids, found, async (rel) => {
          const info = await objects.output.stat(rel);
          if (!info) return 'file not found';
          return { size: info.size, mtime: info.mtime, open: async () => (await objects.output.open(rel)) ?? Readable.from([]) };
        }, { sidecars })
      : await planZip(ids, found, config.outputPath, { sidecars });
    if (plan.entries.length === 0) {
      throw new HttpError('not_found', 'None of the requested assets has a file to download', { missing: plan.missing.slice(0, 20) });
    }
    reply
      .type('application/zip')
      .header('content-disposition', contentDisposition('attachment', `assets-${new Date().toISOString().slice(0, 10)}.zip`))
      .header('cache-control', 'no-store')
      .header('x-missing-assets', String(plan.missing.length));
    return reply.send(zipStream(plan));
  }

  app.get(
    '/api/assets/download',
    { schema: { tags: ['assets'], summary: 'Many assets as one zip', description: DOWNLOAD_DESCRIPTION, querystring: DownloadQuery, response: errorResponses(400, 404) } },
    // A stream, which the error-only response schema does not type.
    async (request, reply) => sendZip(reply as FastifyReply, request.query.ids.split(','), request.query.sidecars ?? true),
  );

  // The page posts a plain HTML form (a download needs a navigation, not fetch): parsed here only.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post(
    '/api/assets/download',
    {
      schema: {
        tags: ['assets'],
        summary: 'Many assets as one zip, the ids in the body',
        description: `${DOWNLOAD_DESCRIPTION} The body (a form or JSON) holds up to ${MAX_POSTED_ZIP_IDS} ids, so a large selection is one zip.`,
        body: DownloadBody,
        response: errorResponses(400, 404, 413, 415),
      },
    },
    async (request, reply) => {
      const { ids, sidecars } = request.body;
      return sendZip(reply as FastifyReply, ids.split(','), sidecars === undefined || sidecars === true || sidecars === 'true' || sidecars === '1');
    },
  );
};
