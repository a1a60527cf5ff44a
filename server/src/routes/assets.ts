import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ASSET_ID_PATTERN, Asset, Page } from '@orchestrator/shared';
import type { AssetService } from '../assets/asset-service.js';
import { sendFile } from '../files/send-file.js';
import { DEFAULT_LIMIT, PageQuery, errorResponses } from './schemas.js';

const AssetIdParams = Type.Object({ id: Type.String({ pattern: ASSET_ID_PATTERN, description: 'asset id (16 hex chars)' }) }, { additionalProperties: false });

const FILE_DESCRIPTION = 'The file, with HTTP Range support (206/416). Types other than images and videos are sent as attachments.';

export const assetRoutes: FastifyPluginAsyncTypebox<{ assets: AssetService }> = async (app, { assets }) => {
  app.get(
    '/api/assets',
    { schema: { tags: ['assets'], summary: 'Gallery page, newest first', querystring: PageQuery, response: { 200: Page(Asset), ...errorResponses(400) } } },
    async (request) => assets.list({ limit: request.query.limit ?? DEFAULT_LIMIT, cursor: request.query.cursor }),
  );

  app.get(
    '/api/assets/:id',
    { schema: { tags: ['assets'], summary: 'One asset', params: AssetIdParams, response: { 200: Asset, ...errorResponses(400, 404) } } },
    async (request) => assets.get(request.params.id),
  );

  app.get(
    '/api/assets/:id/file',
    { schema: { tags: ['assets'], summary: 'Asset file', description: FILE_DESCRIPTION, params: AssetIdParams, response: errorResponses(400, 403, 404, 416) } },
    async (request, reply) => {
      const asset = await assets.get(request.params.id);
      return sendFile(request, reply, await assets.filePath(asset), { mediaType: asset.mimeType, downloadName: asset.fileName });
    },
  );

  app.get(
    '/api/assets/:id/thumb',
    {
      schema: {
        tags: ['assets'],
        summary: 'Asset thumbnail',
        description: 'For now the full file: thumbnails come with the gallery issue.',
        params: AssetIdParams,
        response: errorResponses(400, 403, 404, 416),
      },
    },
    async (request, reply) => {
      // Thumbnails are a later issue (sharp, one decode per file); until then the original is served.
      const asset = await assets.get(request.params.id);
      return sendFile(request, reply, await assets.filePath(asset), { mediaType: asset.mimeType, downloadName: asset.fileName });
    },
  );
};
