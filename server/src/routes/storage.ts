import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  LocalFileStore,
  StreamCheckError,
  THUMBS_FOLDER,
  THUMB_MAX_BYTES,
  THUMB_RECIPE,
  Text,
  isWebp,
  safeRelPath,
  thumbAssetIdFor,
  thumbCacheEntry,
  writeThumbnail,
  type Config,
} from '@orchestrator/shared';
import { HttpError, badRequest } from '../errors.js';
import type { StorageIdentity } from '../storage/storage-identity.js';
import { sendFile } from '../files/send-file.js';
import { errorResponses } from './schemas.js';

/*
 * The storage API for workers that do not share the server's disk: they write their outputs (and a
 * site's files) into OUTPUT_PATH through it and read inputs (gallery images, uploads) from it. Every
 * route wants the worker token (Authorization: Bearer …). Writes are atomic and idempotent: the same
 * path written again with the same bytes leaves one file, so a hand-off retried after a crash stores it
 * once. Bodies are streamed to disk, never held whole in memory.
 *
 * The thumbnail of an output comes with it (PUT …/thumb, after the file): the worker made it from the
 * bytes it had in hand, so the server decodes nothing, and the gallery shows the output the moment its
 * job completes. The server, not the worker, files it under the cache key: the key hashes the file's
 * size and mtime as the server's disk has them, which a worker on another machine cannot know. Making it
 * here on receipt instead would put every output's decode on the one server, which all workers share.
 */

const ROOTS = ['output', 'uploads'] as const;
/** An output larger than this is refused (a long video is a few GB at most). */
const MAX_FILE_BYTES = 20 * 1024 ** 3;
/** A site version: up to 2,000 files, 100 MB in all (base64 in JSON). */
const MAX_DIR_BODY = 160 * 1024 ** 2;

const RootParams = Type.Object({ root: Type.Enum(ROOTS) }, { additionalProperties: false });
const PathQuery = Type.Object({ path: Text({ minLength: 1, maxLength: 1024, description: 'relative path inside the root, `/`-separated' }) }, { additionalProperties: false });
const Stored = Type.Object({ size: Type.Integer(), sha256: Type.String() });
const DirBody = Type.Object(
  {
    files: Type.Array(Type.Object({ name: Text({ minLength: 1, maxLength: 1024 }), data: Text({ description: 'base64' }) }, { additionalProperties: false }), {
      maxItems: 5000,
    }),
  },
  { additionalProperties: false },
);

function checkedPath(rel: string, forWrite: boolean): string {
  const safe = safeRelPath(rel);
  if (!safe) throw badRequest('invalid_path', 'path must be relative, `/`-separated, without `.` or `..` segments');
  if (forWrite && safe.split('/')[0] === '.orchestrator') throw new HttpError('forbidden', 'That folder belongs to the server');
  return safe;
}

export const storageRoutes: FastifyPluginAsyncTypebox<{ identity: StorageIdentity; config: Config }> = async (app, { identity, config }) => {
  const stores = { output: new LocalFileStore(config.outputPath), uploads: new LocalFileStore(path.join(config.dataPath, 'uploads')) };
  const thumbsDir = path.join(config.dataPath, THUMBS_FOLDER);
  app.addHook('onRequest', async (request) => {
    if (!identity.verify(request.headers.authorization)) {
      throw new HttpError('unauthorized', 'The storage API is for workers: send Authorization: Bearer <worker token>');
    }
  });
  // Uploads stay streams: the handler pipes them to disk.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  // A thumbnail is small: read whole (bounded), then checked.
  app.addContentTypeParser('image/webp', { parseAs: 'buffer', bodyLimit: THUMB_MAX_BYTES }, (_request, body, done) => done(null, body));

  app.get(
    '/api/storage/:root/file',
    {
      schema: {
        tags: ['storage'],
        summary: "A file of the server's output or uploads folder (workers only)",
        params: RootParams,
        querystring: PathQuery,
        response: { ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const rel = checkedPath(request.query.path, false);
      const store = stores[request.params.root];
      const file = (await store.size(rel)) === null ? null : await store.resolve(rel);
      if (!file) throw new HttpError('not_found', 'No such file');
      return sendFile(request, reply, file, { mediaType: 'application/octet-stream' });
    },
  );

  app.get(
    '/api/storage/:root/list',
    {
      schema: {
        tags: ['storage'],
        summary: 'Names in a folder of the output or uploads folder (workers only)',
        params: RootParams,
        querystring: PathQuery,
        response: { 200: Type.Object({ names: Type.Array(Type.String()) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ names: await stores[request.params.root].list(checkedPath(request.query.path, false)) }),
  );

  app.put(
    '/api/storage/output/file',
    {
      bodyLimit: MAX_FILE_BYTES,
      schema: {
        tags: ['storage'],
        summary: 'Store an output file (workers only): streamed, atomic, idempotent',
        description: 'Body: the bytes (application/octet-stream). `x-content-sha256` (hex), when sent, is checked: a mismatch keeps the old file (400).',
        querystring: PathQuery,
        response: { 200: Stored, ...errorResponses(400, 401, 403, 413, 415, 507) },
      },
    },
    async (request) => {
      const rel = checkedPath(request.query.path, true);
      if (request.headers['content-type'] !== 'application/octet-stream') throw new HttpError('unsupported_media_type', 'Send the file as application/octet-stream');
      const sha256 = request.headers['x-content-sha256'];
      try {
        return await stores.output.writeStream(rel, request.body as Readable, { maxBytes: MAX_FILE_BYTES, ...(typeof sha256 === 'string' ? { sha256 } : {}) });
      } catch (err) {
        if (err instanceof StreamCheckError) throw new HttpError(err.code, err.message);
        throw err;
      }
    },
  );

  app.put(
    '/api/storage/output/thumb',
    {
      bodyLimit: THUMB_MAX_BYTES,
      schema: {
        tags: ['storage'],
        summary: "Store the thumbnail of an output already stored (workers only)",
        description:
          '`path` names the output (not the thumbnail; a site\'s screenshot `sites/<chat>/.screenshots/<version>.<ext>` files the site\'s). Body: the WebP the worker made (image/webp) with the recipe it followed in ' +
          '`x-thumbnail-recipe`; one of another recipe is refused (409), so a worker of another version never fills the cache with ' +
          'thumbnails of another size. Filed under the cache key of the file as it is now on the server.',
        querystring: PathQuery,
        response: {
          200: Type.Object({ key: Type.String({ description: 'the cache key it was filed under' }) }),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 507),
        },
      },
    },
    async (request) => {
      const rel = checkedPath(request.query.path, true);
      if (request.headers['content-type']?.split(';')[0]!.trim().toLowerCase() !== 'image/webp') throw new HttpError('unsupported_media_type', 'Send the thumbnail as image/webp');
      const recipe = request.headers['x-thumbnail-recipe'];
      if (recipe !== THUMB_RECIPE) throw new HttpError('thumbnail_recipe_mismatch', `This server makes thumbnails as ${THUMB_RECIPE}, not ${String(recipe ?? 'unnamed')}`);
      const body = request.body as Buffer;
      if (!isWebp(body)) throw badRequest('not_webp', 'The body is not a WebP image');
      const file = (await stores.output.size(rel)) === null ? null : await stores.output.resolve(rel);
      const st = file ? await stat(file).catch(() => null) : null;
      if (!st?.isFile()) throw new HttpError('not_found', 'No such output: store the file first');
      const assetId = thumbAssetIdFor(rel); // a site's screenshot is the site's thumbnail
      const entry = thumbCacheEntry(thumbsDir, assetId, rel, st);
      await writeThumbnail(entry.file, body);
      return { key: entry.key };
    },
  );

  app.delete(
    '/api/storage/output/file',
    {
      schema: {
        tags: ['storage'],
        summary: 'Remove an output file (workers only: a half-stored output)',
        querystring: PathQuery,
        response: { 200: Type.Object({ removed: Type.Boolean() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rel = checkedPath(request.query.path, true);
      if ((await stores.output.size(rel)) === null) throw new HttpError('not_found', 'No such file');
      await stores.output.remove(rel);
      return { removed: true };
    },
  );

  app.put(
    '/api/storage/output/dir',
    {
      bodyLimit: MAX_DIR_BODY,
      schema: {
        tags: ['storage'],
        summary: 'Replace a folder of the output folder with these files, at once (workers only)',
        querystring: PathQuery,
        body: DirBody,
        response: { 200: Type.Object({ refused: Type.Array(Type.String()) }), ...errorResponses(400, 401, 403, 413, 507) },
      },
    },
    async (request) => {
      const rel = checkedPath(request.query.path, true);
      return stores.output.replaceDir(
        rel,
        request.body.files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'base64') })),
      );
    },
  );
};
