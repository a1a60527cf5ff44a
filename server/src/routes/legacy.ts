import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Asset, BackendStatus, Health, ModelInfo } from '@orchestrator/shared';
import type { AssetService } from '../assets/asset-service.js';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { ModelCatalog } from '../backends/model-catalog.js';
import type { HealthService } from '../health/health-service.js';
import { notFound } from '../errors.js';
import { sendFile } from '../files/send-file.js';
import { ModelList } from './models.js';
import { DEFAULT_LIMIT, Limit, errorResponses } from './schemas.js';

export interface LegacyDeps {
  assets: AssetService;
  models: ModelCatalog;
  backends: BackendRegistry;
  health: HealthService;
}

const tags = ['legacy'];

/**
 * The endpoints the earlier version documented, kept as thin aliases of the new routes so old
 * scripts and bookmarks keep working.
 */
export const legacyRoutes: FastifyPluginAsyncTypebox<LegacyDeps> = async (app, { assets, models, backends, health }) => {
  app.get(
    '/api/canvas/list',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'Alias of the first page of GET /api/assets',
        querystring: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Asset) }) },
      },
    },
    async (request) => ({ items: (await assets.list({ limit: request.query.limit ?? DEFAULT_LIMIT })).items }),
  );

  app.get(
    '/api/canvas/image/:filename',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'A file directly under OUTPUT_PATH, by name',
        params: Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
        response: errorResponses(400, 403, 404, 416),
      },
    },
    async (request, reply) => {
      const real = await assets.legacyFilePath(request.params.filename);
      return sendFile(request, reply, real, { downloadName: request.params.filename });
    },
  );

  app.get(
    '/api/models/list',
    { schema: { tags, deprecated: true, summary: 'Alias of GET /api/models', response: { 200: ModelList } } },
    async () => ({ items: await models.list() }),
  );

  app.get(
    '/api/models/info/:name',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'Alias of GET /api/models/:id',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }),
        response: { 200: ModelInfo, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const model = await models.get(request.params.name);
      if (!model) throw notFound('model', request.params.name);
      return model;
    },
  );

  app.get(
    '/api/comfyui/status',
    { schema: { tags, deprecated: true, summary: 'Alias of GET /api/backends', response: { 200: Type.Array(BackendStatus) } } },
    async () => (await backends.list()).map((v) => v.status),
  );

  app.get(
    '/api/selfcheck',
    { schema: { tags, deprecated: true, summary: 'Alias of GET /api/health', response: { 200: Health } } },
    async () => health.check(),
  );
};
