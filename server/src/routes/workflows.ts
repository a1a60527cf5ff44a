import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateWorkflowBody,
  UpdateWorkflowBody,
  WORKFLOW_ID_PATTERN,
  WorkflowDetails,
  WorkflowDeleted,
  WorkflowDraft,
  WorkflowList,
  Text,
  isPng,
  workflowGraphFromJson,
  workflowGraphFromPng,
  normalizeWorkflowGraph,
  type WorkflowGraph,
} from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { largeBodyGate } from '../http/large-body-gate.js';
import { importFailure, type WorkflowService } from '../workflows/workflow-service.js';
import { noBody } from '../http/optional-body.js';
import { errorResponses } from './schemas.js';

/** A workflow JSON is rarely above a few hundred KB; a PNG carrying one can be a large image. */
const WORKFLOW_IMPORT_MAX_BYTES = 32 * 1024 * 1024;
const WORKFLOW_BODY_MAX_BYTES = 8 * 1024 * 1024;

const IdParams = Type.Object({ id: Type.String({ pattern: WORKFLOW_ID_PATTERN, description: 'workflow id, e.g. wf-0a1b2c3d4e' }) }, { additionalProperties: false });
const ImportQuery = Type.Object({ name: Type.Optional(Text({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });

const unsupported = () =>
  new HttpError('unsupported_media_type', 'Send the workflow as application/json (an API-format graph) or image/png (a PNG ComfyUI saved)');

/** The graph of an import body: parsed JSON, or the bytes of a PNG / JSON file sent as-is. */
function graphOf(body: unknown): { graph: WorkflowGraph; source: 'json' | 'png' } {
  try {
    if (Buffer.isBuffer(body)) {
      if (isPng(body)) return { graph: workflowGraphFromPng(body), source: 'png' };
      const text = body.toString('utf8').trimStart();
      if (text.startsWith('{')) return { graph: workflowGraphFromJson(text), source: 'json' };
      throw unsupported();
    }
    if (body === undefined) throw new HttpError('missing_body', 'No workflow: send its JSON or the PNG as the request body');
    return { graph: normalizeWorkflowGraph(body), source: 'json' };
  } catch (err) {
    throw importFailure(err);
  }
}

/** Two large imports parsed at once at most (each can cost hundreds of MB while it is read). */
const importGate = largeBodyGate(2, 1024 * 1024);

export const workflowRoutes: FastifyPluginAsyncTypebox<{ workflows: WorkflowService }> = async (app, { workflows }) => {
  // Scoped to these routes: PNGs and untyped files arrive as bytes.
  app.addContentTypeParser(['image/png', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: WORKFLOW_IMPORT_MAX_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/workflows/import',
    {
      ...importGate,
      bodyLimit: WORKFLOW_IMPORT_MAX_BYTES,
      schema: {
        tags: ['workflows'],
        summary: 'Read a workflow to review before saving',
        description:
          'The body is an API-format graph (application/json, also accepted wrapped as a /prompt body `{prompt: graph}`) or a PNG ComfyUI ' +
          'saved (image/png; its "prompt" chunk). Nothing is stored: the reply lists the literal inputs, the suggested slots and what ' +
          "an online backend's /object_info says of the graph.",
        querystring: ImportQuery,
        response: { 200: WorkflowDraft, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => {
      const { graph, source } = graphOf(request.body);
      return workflows.draft(graph, { name: request.query.name ?? 'Imported workflow', source });
    },
  );

  app.get(
    '/api/workflows',
    { schema: { tags: ['workflows'], summary: 'Saved workflows, most recently changed first', response: { 200: WorkflowList } } },
    async () => ({ items: await workflows.list() }),
  );

  app.post(
    '/api/workflows',
    {
      ...importGate,
      bodyLimit: WORKFLOW_BODY_MAX_BYTES,
      schema: {
        tags: ['workflows'],
        summary: 'Save a workflow with the inputs marked as slots',
        body: CreateWorkflowBody,
        response: { 201: WorkflowDetails, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const saved = await workflows.create(request.body, request.principal);
      return reply.code(201).header('location', `/api/workflows/${saved.id}`).send(saved);
    },
  );

  app.get(
    '/api/workflows/:id',
    { schema: { tags: ['workflows'], summary: 'A saved workflow, its inputs and the backend check', params: IdParams, response: { 200: WorkflowDetails, ...errorResponses(400, 404) } } },
    async (request) => workflows.get(request.params.id),
  );

  app.patch(
    '/api/workflows/:id',
    {
      schema: {
        tags: ['workflows'],
        summary: 'Rename a workflow or change its slots',
        params: IdParams,
        body: UpdateWorkflowBody,
        response: { 200: WorkflowDetails, ...errorResponses(400, 403, 404, 415) },
      },
    },
    async (request) => workflows.update(request.params.id, request.body, request.principal),
  );

  app.delete(
    '/api/workflows/:id',
    { schema: { tags: ['workflows'], summary: 'Delete a saved workflow', params: IdParams, response: { 200: WorkflowDeleted, ...errorResponses(400, 403, 404) } }, preValidation: noBody },
    async (request) => {
      await workflows.remove(request.params.id, request.principal);
      return { id: request.params.id, deleted: true as const };
    },
  );
};
