import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EmptyTrashQuery, TrashEmptied, TrashPurged, s3ThumbRelPath } from '@orchestrator/shared';
import { forbidden } from '../auth/auth-service.js';
import { mayManage } from '../auth/principal.js';
import { notFound } from '../errors.js';
import { noBody } from '../http/optional-body.js';
import { sendFile } from '../files/send-file.js';
import type { Trash } from '../gallery/trash.js';
import { TrashPreviews } from '../gallery/trash-previews.js';
import { errorResponses } from './schemas.js';
import { sendObject, type ObjectFiles } from '../storage/object-files.js';
import { AssetIdParams } from './asset-schemas.js';

/*
 * The trash beyond list and restore (routes/assets.ts): delete one trashed asset for good, empty the
 * trash, and a thumbnail for the trash view.
 */
export interface TrashRouteDeps {
  trash: Trash;
  /** Where the gallery caches thumbnails (DATA_PATH/thumbs). */
  thumbsDir: string;
  /** STORAGE=s3: previews come from the bucket (the thumbnail stays in `thumbs/` while the asset is trashed). */
  objects?: ObjectFiles | null;
}

const tags = ['assets'];
/** Purged thumbnails are deleted a few at a time (an emptied trash may hold thousands). */
const DROP_CONCURRENCY = 8;

export const trashRoutes: FastifyPluginAsyncTypebox<TrashRouteDeps> = async (app, { trash, thumbsDir, objects }) => {
  const previews = new TrashPreviews(thumbsDir);

  app.delete(
    '/api/assets/trash/:id',
    {
      schema: {
        tags,
        summary: 'Delete a trashed asset for good',
        description: 'Its file (and sidecar) leave the trash folder and cannot be restored. In team mode only its owner or an admin may.',
        params: AssetIdParams,
        response: { 200: TrashPurged, ...errorResponses(400, 403, 404) },
      },
      preValidation: noBody,
    },
    async (request) => {
      const { id } = request.params;
      const item = await trash.get(id);
      if (item && request.principal && !mayManage(request.principal, item.asset.owner)) {
        throw forbidden(`Asset ${id} is ${item.asset.owner ? `${item.asset.owner}'s` : 'not yours'}: only its owner or an admin may delete it`);
      }
      if ((await trash.purge(id)) === 'missing') throw notFound('trashed asset', id);
      await previews.drop(id);
      return { id, purged: true as const };
    },
  );

  app.delete(
    '/api/assets/trash',
    {
      schema: {
        tags,
        summary: 'Empty the trash',
        description:
          'Deletes for good everything trashed before the request; what is trashed meanwhile stays. In team mode a member empties only their own items. ' +
          'With `limit`, deletes one batch (oldest first) and answers `before` (the cutoff, to pass back) and `done`: a page repeats the call until `done`, ' +
          'showing progress; each item goes whole, so stopping between calls leaves every item either in the trash or gone.',
        querystring: EmptyTrashQuery,
        response: { 200: TrashEmptied, ...errorResponses(400) },
      },
      preValidation: noBody,
    },
    async (request) => {
      const by = request.principal;
      const { limit } = request.query;
      const before = request.query.before ?? Date.now();
      const ids = await trash.empty(before, by ? (asset) => mayManage(by, asset.owner) : undefined, 200, limit ?? Infinity);
      for (let i = 0; i < ids.length; i += DROP_CONCURRENCY) await Promise.all(ids.slice(i, i + DROP_CONCURRENCY).map((id) => previews.drop(id)));
      if (limit === undefined) return { purged: ids.length };
      return { purged: ids.length, before, done: ids.length < limit };
    },
  );

  app.get(
    '/api/assets/trash/:id/thumb',
    {
      schema: {
        tags,
        summary: 'Thumbnail of a trashed asset',
        description: 'The thumbnail the gallery made of it, else (an image) the trashed file itself; 404 when there is neither.',
        params: AssetIdParams,
        response: errorResponses(400, 404),
      },
    },
    async (request, typedReply) => {
      const reply = typedReply as FastifyReply; // a binary body, which the error-only response schema does not type
      const { id } = request.params;
      if (objects) {
        const thumb = (await trash.get(id)) ? await objects.thumbs.read(s3ThumbRelPath(id)) : null;
        if (thumb) return reply.type('image/webp').header('cache-control', 'private, max-age=60').send(thumb);
        const trashed = await trash.trashedObject(id);
        if (!trashed || !trashed.asset.mimeType.startsWith('image/')) throw notFound('trash thumbnail', id);
        return sendObject(request, reply, objects, objects.trash, trashed.rel, { mediaType: trashed.asset.mimeType });
      }
      const cached = await previews.cached(id);
      if (cached) return reply.type('image/webp').header('cache-control', 'private, max-age=60').send(cached);
      const trashed = await trash.trashedFile(id);
      if (!trashed || !trashed.asset.mimeType.startsWith('image/')) throw notFound('trash thumbnail', id);
      return sendFile(request, reply, trashed.path, { mediaType: trashed.asset.mimeType });
    },
  );
};
