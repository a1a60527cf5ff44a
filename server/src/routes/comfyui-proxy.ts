import Type, { type TSchema } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Text, backendIds } from '@orchestrator/shared';
import { fetchFromBackend, type ProxiedPath } from '../comfyui/read-proxy.js';
import { notFound } from '../errors.js';
import { errorResponses } from './schemas.js';

const BackendId = Text({ minLength: 1, maxLength: 64, description: 'e.g. comfyui-1 (see GET /api/backends)' });
const BackendParams = Type.Object({ backendId: BackendId }, { additionalProperties: false });
const NodeParams = Type.Object(
  { backendId: BackendId, node: Type.String({ pattern: '^(?!\\.{1,2}$)[^/\\\\%?#\\u0000]{1,200}$', description: 'node class name' }) },
  { additionalProperties: false },
);
const PromptParams = Type.Object(
  { backendId: BackendId, promptId: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) },
  { additionalProperties: false },
);

export const comfyuiProxyRoutes: FastifyPluginAsyncTypebox<{ comfyuiUrls: readonly string[]; timeoutMs?: number }> = async (app, opts) => {
  const urls = new Map(backendIds(opts.comfyuiUrls).map((b) => [b.id, b.url]));
  const timeoutMs = opts.timeoutMs ?? 5000;

  async function forward(reply: FastifyReply, backendId: string, path: ProxiedPath) {
    const url = urls.get(backendId);
    if (!url) throw notFound('backend', backendId);
    const { body } = await fetchFromBackend(url, path, timeoutMs);
    return reply.header('cache-control', 'no-store').send(body);
  }

  const schema = <P extends TSchema>(summary: string, params: P) => ({
    tags: ['comfyui'],
    summary,
    description: 'Read-only pass-through to one ComfyUI backend; 502 when it cannot be reached.',
    params,
    response: errorResponses(400, 404, 502),
  });

  app.get('/api/comfyui/:backendId/system_stats', { schema: schema('ComfyUI system_stats', BackendParams) }, (req, reply) =>
    forward(reply, req.params.backendId, { kind: 'system_stats' }),
  );
  app.get('/api/comfyui/:backendId/object_info', { schema: schema('ComfyUI object_info', BackendParams) }, (req, reply) =>
    forward(reply, req.params.backendId, { kind: 'object_info' }),
  );
  app.get('/api/comfyui/:backendId/object_info/:node', { schema: schema('ComfyUI object_info of one node', NodeParams) }, (req, reply) =>
    forward(reply, req.params.backendId, { kind: 'object_info', node: req.params.node }),
  );
  app.get('/api/comfyui/:backendId/queue', { schema: schema('ComfyUI queue', BackendParams) }, (req, reply) =>
    forward(reply, req.params.backendId, { kind: 'queue' }),
  );
  app.get('/api/comfyui/:backendId/history/:promptId', { schema: schema('ComfyUI history of one prompt', PromptParams) }, (req, reply) =>
    forward(reply, req.params.backendId, { kind: 'history', promptId: req.params.promptId }),
  );
};
