import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BackendStatus } from '@orchestrator/shared';
import type { BackendRegistry } from '../backends/backend-registry.js';

export const BackendList = Type.Array(BackendStatus);

export const backendRoutes: FastifyPluginAsyncTypebox<{ backends: BackendRegistry }> = async (app, { backends }) => {
  app.get(
    '/api/backends',
    {
      schema: {
        tags: ['backends'],
        summary: 'Every configured ComfyUI backend',
        description: 'A backend no live worker has checked in the last 30 s is reported offline.',
        response: { 200: BackendList },
      },
    },
    async () => (await backends.list()).map((v) => v.status),
  );
};
