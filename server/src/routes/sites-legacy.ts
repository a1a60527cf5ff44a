import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ASSET_ID_PATTERN, JobAccepted, V0Id } from '@orchestrator/shared';
import { badRequest } from '../errors.js';
import type { SiteService } from '../sites/site-service.js';
import { errorResponses } from './schemas.js';
import { GenerationFields, Message, accepted } from './sites-schemas.js';

/*
 * The earlier version's v0 endpoints, kept as thin aliases: POST /api/v0 creates a site, POST
 * /api/v0/apply sends a change to one, GET /api/v0/artifact returns a saved version's files. Generation
 * is a job now, so the POSTs answer 202 with the job id rather than the finished chat.
 */

const tags = ['legacy'];

export const legacySiteRoutes: FastifyPluginAsyncTypebox<{ sites: SiteService }> = async (app, { sites }) => {
  app.post(
    '/api/v0',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'Alias: create a site (a v0 job); `message` and `system` are the old names of prompt and systemPrompt',
        body: Type.Object(
          { prompt: Type.Optional(Message), message: Type.Optional(Message), system: Type.Optional(Message), ...GenerationFields },
          { additionalProperties: false },
        ),
        response: { 202: JobAccepted, ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const prompt = b.prompt ?? b.message;
      if (!prompt) throw badRequest('validation_failed', 'Invalid request: body/prompt is required');
      return accepted(reply, await sites.create(prompt, { systemPrompt: b.systemPrompt ?? b.system, model: b.model }, request.principal));
    },
  );

  app.post(
    '/api/v0/apply',
    {
      schema: {
        tags,
        deprecated: true,
        summary: 'Alias of POST /api/sites/:assetId/messages, by chat id or asset id',
        body: Type.Object(
          { chatId: Type.Optional(V0Id), assetId: Type.Optional(Type.String({ pattern: ASSET_ID_PATTERN })), message: Message, ...GenerationFields },
          { additionalProperties: false },
        ),
        response: { 202: JobAccepted, ...errorResponses(400, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { chatId, assetId, message, systemPrompt, model } = request.body;
      if (!chatId && !assetId) throw badRequest('validation_failed', 'Invalid request: body/chatId (or assetId) is required');
      return accepted(reply, await sites.followUp({ chatId, assetId }, message, { systemPrompt, model }, request.principal));
    },
  );

  app.get(
    '/api/v0/artifact',
    {
      schema: {
        tags,
        deprecated: true,
        summary: "A saved version's files with their text (default: the newest version)",
        querystring: Type.Object({ chatId: V0Id, versionId: Type.Optional(V0Id) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            chatId: Type.String(),
            versionId: Type.String(),
            demoUrl: Type.Optional(Type.String()),
            files: Type.Array(Type.Object({ name: Type.String(), content: Type.String() })),
          }),
          ...errorResponses(400, 404, 413),
        },
      },
    },
    async (request) => {
      const { chatId, versionId } = request.query;
      const manifest = await sites.manifestOfChat(chatId);
      if (!manifest) throw sites.notSaved(chatId);
      const version = versionId ? sites.version(manifest, versionId) : manifest.versions.at(-1);
      if (!version) throw sites.notSaved(chatId);
      const files = await sites.versionFiles(manifest, version.id);
      return { chatId, versionId: version.id, ...(version.demoUrl ? { demoUrl: version.demoUrl } : {}), files };
    },
  );
};
