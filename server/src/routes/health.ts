import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health } from '@orchestrator/shared';
import type { HealthService } from '../health/health-service.js';
import { errorResponses } from './schemas.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Redis, backends, queues and workers at a glance',
        description:
          'Always 200 (`status` is `degraded` when Redis fails or no backend is online), except 421 for a Host header the server does not ' +
          'answer for (ALLOWED_HOSTS: the DNS-rebinding guard runs before every route, this one too).',
        response: { 200: Health, ...errorResponses(421) },
      },
    },
    async () => health.check(),
  );
};
