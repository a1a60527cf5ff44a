import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CancelResponse, JOB_STATUSES, Job, JobAccepted, JobRequest, PROVIDERS, Page, ValidateResponse } from '@orchestrator/shared';
import type { JobService } from '../jobs/job-service.js';
import { noBody } from '../http/optional-body.js';
import { Cursor, DEFAULT_LIMIT, JobIdParams, Limit, errorResponses } from './schemas.js';

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(JOB_STATUSES)),
    provider: Type.Optional(Type.Enum(PROVIDERS)),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService }> = async (app, { jobs }) => {
  app.post(
    '/api/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Submit a job',
        body: JobRequest,
        response: { 202: JobAccepted, ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const job = await jobs.submit(request.body, undefined, request.principal);
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ id: job.id, status: job.status });
    },
  );

  app.post(
    '/api/jobs/validate',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Check a job request without submitting it',
        description:
          'ComfyUI requests are built into their template and checked against the object_info of an online backend: ' +
          '200 `{ok: true, checked}` (checked false when no backend could be asked), or 400 `invalid_workflow` whose details ' +
          'list `{nodeId, classType, input, message}`.',
        body: JobRequest,
        response: { 200: ValidateResponse, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => {
      const result = await jobs.validate(request.body);
      return { ok: true as const, checked: result.checked };
    },
  );

  app.get(
    '/api/jobs',
    {
      schema: { tags: ['jobs'], summary: 'List jobs, newest first', querystring: ListQuery, response: { 200: Page(Job), ...errorResponses(400) } },
    },
    async (request) => {
      const { status, provider, limit, cursor } = request.query;
      return jobs.list({ status, provider, cursor, limit: limit ?? DEFAULT_LIMIT });
    },
  );

  app.get(
    '/api/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'One job', params: JobIdParams, response: { 200: Job, ...errorResponses(400, 404) } } },
    async (request) => jobs.describe(request.params.id),
  );

  app.delete(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a job',
        description:
          'The job reads `cancelled` at once. A queued job leaves its queue (200); a running one is also stopped on its backend by its worker (202, `cancelRequested`), whose GPU counts as busy until ComfyUI has stopped it.',
        params: JobIdParams,
        response: { 200: CancelResponse, 202: CancelResponse, ...errorResponses(400, 404, 409) },
      },
      preValidation: noBody,
    },
    async (request, reply) => {
      const outcome = await jobs.cancel(request.params.id, request.principal);
      return reply.code(outcome.cancelRequested ? 202 : 200).send(outcome);
    },
  );

  app.post(
    '/api/jobs/:id/retry',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a failed or cancelled job again as a new job',
        params: JobIdParams,
        response: { 202: JobAccepted, ...errorResponses(400, 404, 409) },
      },
      preValidation: noBody,
    },
    async (request, reply) => {
      const job = await jobs.retry(request.params.id, request.principal);
      return reply
        .code(202)
        .header('location', `/api/jobs/${job.id}`)
        .send({ id: job.id, status: job.status, ...(job.retryOf ? { retryOf: job.retryOf } : {}) });
    },
  );
};
