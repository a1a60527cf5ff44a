import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** OpenAPI document at /api/openapi.json (built from the route schemas) and its docs page at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Orchestrator API',
        version,
        description: 'Jobs, events, gallery, models and backends of a self-hosted AI generation studio. Errors are `{error, message, details?}`.',
      },
      components: {
        securitySchemes: {
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'orch_session', description: 'the session cookie POST /api/auth/login sets (team mode)' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'a personal API token (POST /api/tokens), or the worker token for /api/storage' },
        },
      },
      // Team mode wants one of these; in local mode (loopback, AUTH off) none is needed.
      security: [{ cookieAuth: [] }, { bearerAuth: [] }],
      tags: [
        { name: 'jobs' },
        { name: 'events' },
        { name: 'assets' },
        { name: 'models' },
        { name: 'backends' },
        { name: 'agents', description: 'providers and backends you can switch off (drain) and on' },
        { name: 'storage', description: 'for workers on other machines: their outputs and inputs (worker token)' },
        { name: 'auth', description: 'team mode (AUTH=on): login, API tokens, users' },
        { name: 'health' },
        { name: 'comfyui' },
        { name: 'legacy', description: 'aliases kept for the earlier version' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
