import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ModelInfo } from '@orchestrator/shared';
import type { ModelCatalog } from '../backends/model-catalog.js';
import { notFound } from '../errors.js';
import { errorResponses } from './schemas.js';

export const ModelList = Type.Object({ items: Type.Array(ModelInfo) });
export const ModelIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 512, description: 'model file name, URL-encoded' }) },
  { additionalProperties: false },
);

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelCatalog }> = async (app, { models }) => {
  app.get(
    '/api/models',
    { schema: { tags: ['models'], summary: 'Models the ComfyUI backends report', response: { 200: ModelList } } },
    async () => ({ items: await models.list() }),
  );

  app.get(
    '/api/models/:id',
    { schema: { tags: ['models'], summary: 'One model', params: ModelIdParams, response: { 200: ModelInfo, ...errorResponses(400, 404) } } },
    async (request) => {
      const model = await models.get(request.params.id);
      if (!model) throw notFound('model', request.params.id);
      return model;
    },
  );
};
