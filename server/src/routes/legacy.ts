import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Asset, BackendStatus, Health, ModelDetails, ModelPage, Text } from '@orchestrator/shared';
import type { AssetService } from '../assets/asset-service.js';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import type { HealthService } from '../health/health-service.js';
import { HttpError, notFound } from '../errors.js';
import { sendFile } from '../files/send-file.js';
import { sendObject, type ObjectFiles } from '../storage/object-files.js';
import { ModelDetailsQuery, ModelListQuery, listModels } from './models.js';
import { DEFAULT_LIMIT, Limit, errorResponses } from './schemas.js';

export interface LegacyDeps {
  assets: AssetService;
  models: ModelCatalog;
  backends: BackendRegistry;
  health: HealthService;
  /** STORAGE=s3: files are served from the bucket. */
  objects?: ObjectFiles | null;
}

const tags = ['legacy'];

/**
 * The endpoints the earlier version documented, kept as thin aliases of the new routes so old
 * scripts and bookmarks keep working.
 */
export const legacyRoutes: FastifyPluginAsyncTypebox<LegacyDeps> = async (app, { assets, models, backends, health, objects }) => {
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
        summary: 'A gallery file by its name',
        description: 'Looked up in the gallery index: the file of that name directly under OUTPUT_PATH, else the last one indexed with that name.',
        params: Type.Object({ filename: Text({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
        response: errorResponses(400, 403, 404, 416),
      },
    },
    async (request, reply) => {
      const name = request.params.filename;
      if (name.includes('\0')) throw new HttpError('invalid_path', 'The file name contains a NUL byte');
      // A name, not a path: anything with a separator or dot-segment never reaches the index.
      if (/[/\\]/.test(name) || name === '.' || name === '..') throw new HttpError('forbidden', 'That path is outside the output folder');
      const asset = await assets.byFileName(name);
      if (objects) return sendObject(request, reply, objects, objects.output, asset.relPath, { mediaType: asset.mimeType, downloadName: asset.fileName });
      const real = await assets.filePath(asset);
      return sendFile(request, reply, real, { mediaType: asset.mimeType, downloadName: asset.fileName });
    },
  );

  app.get(
    '/api/models/list',
    {
      schema: { tags, deprecated: true, summary: 'Alias of GET /api/models', querystring: ModelListQuery, response: { 200: ModelPage, ...errorResponses(400) } },
    },
    async (request) => listModels(models, request.query),
  );

  app.get(
    '/api/models/info/:name',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'Alias of GET /api/models/:id',
        params: Type.Object({ name: Text({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
        querystring: ModelDetailsQuery,
        response: { 200: ModelDetails, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const model = await models.details(request.params.name, { hash: request.query.hash === true });
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
