import type { FastifyPluginAsync } from 'fastify';
import type { MetricsService } from '../metrics/metrics-service.js';

/** GET /metrics: Prometheus text exposition (read access in team mode: a `read` API token for the scraper). */
export const metricsRoutes: FastifyPluginAsync<{ metrics: MetricsService }> = async (app, { metrics }) => {
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    const body = await metrics.text();
    return reply.type(metrics.contentType).send(body);
  });
};
