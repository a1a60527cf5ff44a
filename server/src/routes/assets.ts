import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Asset, AssetPage, AssetTrashed, DeleteResult, JobAccepted, ModelCounts, RestoreResult, TrashPage } from '@orchestrator/shared';
import type { AssetService } from '../assets/asset-service.js';
import { noBody, optionalBody } from '../http/optional-body.js';
import { errorResponses } from './schemas.js';
import { ASSET_PAGE_DEFAULT, AssetIdParams, AssetListQuerySchema, IdsBody, RegenerateBody, TrashQuery, UpscaleBody, parseInstant } from './asset-schemas.js';

const tags = ['assets'];

export const assetRoutes: FastifyPluginAsyncTypebox<{ assets: AssetService }> = async (app, { assets }) => {
  app.get(
    '/api/assets',
    {
      schema: {
        tags,
        summary: 'Gallery page: filter, search, sort; by cursor or offset',
        description: 'Everything under OUTPUT_PATH, newest first by default, answered from the gallery index.',
        querystring: AssetListQuerySchema,
        response: { 200: AssetPage, ...errorResponses(400) },
      },
    },
    async (request) => {
      const { limit, from, to, ...rest } = request.query;
      return assets.list({ ...rest, limit: limit ?? ASSET_PAGE_DEFAULT, from: parseInstant('from', from), to: parseInstant('to', to) });
    },
  );

  app.get(
    '/api/assets/models',
    { schema: { tags, summary: 'Model names in the gallery, with counts (for the filter)', response: { 200: ModelCounts } } },
    async () => ({ items: await assets.models() }),
  );

  app.get(
    '/api/assets/trash',
    { schema: { tags, summary: 'Trashed assets, newest first', querystring: TrashQuery, response: { 200: TrashPage, ...errorResponses(400) } } },
    async (request) => assets.listTrash({ ...request.query, limit: request.query.limit ?? ASSET_PAGE_DEFAULT }),
  );

  app.get(
    '/api/assets/:id',
    { schema: { tags, summary: 'One asset', params: AssetIdParams, response: { 200: Asset, ...errorResponses(400, 404) } } },
    async (request) => assets.get(request.params.id),
  );

  app.delete(
    '/api/assets/:id',
    {
      schema: {
        tags,
        summary: 'Move an asset to the trash',
        description: 'The file and its sidecar move to the trash under DATA_PATH; POST /api/assets/restore brings them back.',
        params: AssetIdParams,
        response: { 200: AssetTrashed, ...errorResponses(400, 403, 404) },
      },
      preValidation: noBody,
    },
    async (request) => {
      await assets.remove(request.params.id, request.principal);
      return { id: request.params.id, trashed: true as const };
    },
  );

  app.post(
    '/api/assets/delete',
    { schema: { tags, summary: 'Move several assets to the trash', body: IdsBody, response: { 200: DeleteResult, ...errorResponses(400, 413, 415) } } },
    async (request) => assets.removeMany(request.body.ids, request.principal),
  );

  app.post(
    '/api/assets/restore',
    {
      schema: {
        tags,
        summary: 'Put trashed assets back',
        description: 'An asset whose original path is taken again is not restored and is listed under `conflicts`.',
        body: IdsBody,
        response: { 200: RestoreResult, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => assets.restoreMany(request.body.ids, request.principal),
  );

  app.post(
    '/api/assets/:id/regenerate',
    {
      schema: {
        tags,
        summary: 'Run the request that made this asset again',
        description: 'From its job record, or rebuilt from ComfyUI metadata; 409 when neither is possible.',
        params: AssetIdParams,
        body: RegenerateBody,
        response: { 202: JobAccepted, ...errorResponses(400, 404, 409, 415) },
      },
      // The body is optional: no body means "same request, same seed" (a `null` one is a 400).
      preValidation: optionalBody,
    },
    async (request, reply) => {
      const job = await assets.regenerate(request.params.id, request.body.seed, request.principal);
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ id: job.id, status: job.status });
    },
  );

  app.post(
    '/api/assets/:id/upscale',
    {
      schema: {
        tags,
        summary: 'Upscale a gallery image as a new job',
        description:
          'A ComfyUI job (`workflow: "upscale"`) of the requester: the image through a model of `upscale_models` ' +
          '(UpscaleModelLoader + ImageUpscaleWithModel), brought to `factor` × its size; without a model a lanczos resize ' +
          "(factor default 2). 409 for a video or site; 400 when the result would pass ComfyUI's 16384 px a side.",
        params: AssetIdParams,
        body: UpscaleBody,
        response: { 202: JobAccepted, ...errorResponses(400, 403, 404, 409, 415) },
      },
      preValidation: optionalBody,
    },
    async (request, reply) => {
      const job = await assets.upscale(request.params.id, request.body, request.principal);
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ id: job.id, status: job.status });
    },
  );
};
