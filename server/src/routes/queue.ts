import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Job, JobPatch, QueueView } from '@orchestrator/shared';
import type { JobService } from '../jobs/job-service.js';
import type { QueueService } from '../scheduling/queue-service.js';
import { noBody } from '../http/optional-body.js';
import { JobIdParams, errorResponses } from './schemas.js';

const ViewQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'at most this many jobs (1-500, default 100)' })) },
  { additionalProperties: false },
);

/** The queue view and queue control: priority and move-to-front on queued jobs. */
export const queueRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService; queue: QueueService }> = async (app, { jobs, queue }) => {
  app.get(
    '/api/queue',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Waiting jobs in the order they will start, each with why it waits',
        querystring: ViewQuery,
        response: { 200: QueueView, ...errorResponses(400) },
      },
    },
    async (request) => queue.view(request.query.limit ?? 100),
  );

  app.patch(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: "Change a queued job's priority (high, normal, low)",
        description: 'The job keeps its submission order within the new level. 409 `not_queued` once it has started.',
        params: JobIdParams,
        body: JobPatch,
        response: { 200: Job, ...errorResponses(400, 404, 409, 415) },
      },
    },
    async (request) => jobs.setPriority(request.params.id, request.body.priority, request.principal),
  );

  app.post(
    '/api/jobs/:id/move-to-front',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Start a queued job before every other waiting job of its provider',
        description: 'It becomes high priority, ahead of jobs not moved to the front before it. 409 `not_queued` once it has started.',
        params: JobIdParams,
        response: { 200: Job, ...errorResponses(400, 404, 409) },
      },
      preValidation: noBody,
    },
    async (request) => jobs.moveToFront(request.params.id, request.principal),
  );
};
