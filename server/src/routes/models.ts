import Type, { type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ModelDetails, ModelPage, Text } from '@orchestrator/shared';
import type { ModelCatalog } from '../models/model-catalog.js';
import { MODEL_FOLDERS, resolveFolder } from '../models/model-folders.js';
import { badRequest, notFound } from '../errors.js';
import { errorResponses } from './schemas.js';

const MODEL_PAGE_DEFAULT = 200;

const FOLDER_NAMES = MODEL_FOLDERS.flatMap((f) => [f.key, ...f.aliases]);

export const ModelListQuery = Type.Object(
  {
    folder: Type.Optional(Text({ minLength: 1, maxLength: 64, description: `one of ${FOLDER_NAMES.join(', ')}` })),
    family: Type.Optional(
      Type.Union(['sd15', 'sdxl', 'sd3', 'flux', 'svd', 'unknown'].map((f) => Type.Literal(f)), { description: 'model family' }),
    ),
    q: Type.Optional(Text({ maxLength: 200, description: 'words that must all appear in the name, file, title, trigger words or tags' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: MODEL_PAGE_DEFAULT, description: 'page size (1-1000, default 200)' })),
    cursor: Type.Optional(Text({ minLength: 1, maxLength: 1400, description: 'nextCursor of the previous page' })),
    refresh: Type.Optional(Type.Boolean({ description: 'rescan MODELS_PATH before answering (otherwise at most every 30 s)' })),
  },
  { additionalProperties: false },
);

export const ModelIdParams = Type.Object(
  {
    id: Text({
      minLength: 1,
      maxLength: 1000,
      description: 'folder + "/" + file, URL-encoded as one segment (e.g. loras%2Fstyle%2Fink.safetensors); a bare checkpoint file name also works',
    }),
  },
  { additionalProperties: false },
);

export const ModelDetailsQuery = Type.Object(
  { hash: Type.Optional(Type.Boolean({ description: 'queue the sha256 of this file ahead of the background backlog' })) },
  { additionalProperties: false },
);

/** GET /api/models and its legacy alias: a folder alias (`unet`, `clip`) lists its folder. */
export async function listModels(models: ModelCatalog, query: Static<typeof ModelListQuery>): Promise<ModelPage> {
  const { folder, family, q, limit, cursor, refresh } = query;
  const key = folder === undefined ? undefined : resolveFolder(folder)?.key;
  if (folder !== undefined && !key) {
    throw badRequest('unknown_folder', `No model folder "${folder}"; use one of ${FOLDER_NAMES.join(', ')}`);
  }
  return models.list({ folder: key, family, q, limit: limit ?? MODEL_PAGE_DEFAULT, cursor }, refresh === true);
}

const LIST_SUMMARY = 'Models under MODELS_PATH merged with the backends’ checkpoints';

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelCatalog }> = async (app, { models }) => {
  // The catalogue's background hasher would otherwise outlive the app.
  app.addHook('onClose', async () => models.close());

  const listOptions = {
    schema: { tags: ['models'], summary: LIST_SUMMARY, querystring: ModelListQuery, response: { 200: ModelPage, ...errorResponses(400) } },
  };
  app.get('/api/models', listOptions, async (request) => listModels(models, request.query));

  app.get(
    '/api/models/:id',
    {
      schema: {
        tags: ['models'],
        summary: 'One model, with its safetensors metadata and content hash',
        params: ModelIdParams,
        querystring: ModelDetailsQuery,
        response: { 200: ModelDetails, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const model = await models.details(request.params.id, { hash: request.query.hash === true });
      if (!model) throw notFound('model', request.params.id);
      return model;
    },
  );
};
