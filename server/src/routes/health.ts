import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health } from '@orchestrator/shared';
import type { HealthService } from '../health/health-service.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Redis, backends, queues and workers at a glance',
        description: 'Always 200; `status` is `degraded` when Redis fails or no backend is online.',
        response: { 200: Health },
      },
    },
    async () => health.check(),
  );
};
