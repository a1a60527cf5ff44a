import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CHAT_MESSAGE_CURSOR_PATTERN,
  ChatMessagePage,
  ChatThread,
  ChatThreadDeleted,
  ChatThreadPage,
  ChatThreadParams,
  CreateThreadBody,
  PostMessageBody,
  PostMessageResult,
  RenameThreadBody,
  UserName,
} from '@orchestrator/shared';
import type { ChatService } from '../chat/chat-service.js';
import { noBody, optionalBody } from '../http/optional-body.js';
import { Cursor, DEFAULT_LIMIT, Limit, errorResponses } from './schemas.js';

/*
 * /api/chat: threads and their messages. Reading needs read access; posting, renaming and deleting need
 * submit access and, in team mode, the thread's owner or an admin (ChatService). A posted message is
 * run (a slash command or a prompt for the thread's target) and answered 201 with the stored message
 * and its reply; a command that cannot run is a reply saying why, not an error status.
 */

const tags = ['chat'];

const ThreadListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    owner: Type.Optional({ ...UserName, description: 'only the threads of this user (team mode)' }),
  },
  { additionalProperties: false },
);

const MessageListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String({ pattern: CHAT_MESSAGE_CURSOR_PATTERN, description: 'nextCursor or prevCursor of a page' })),
    tail: Type.Optional(Type.Boolean({ description: 'without a cursor: the newest page instead of the oldest' })),
  },
  { additionalProperties: false },
);

const Purged = Type.Object({ id: Type.String(), purged: Type.Literal(true) });

export const chatRoutes: FastifyPluginAsyncTypebox<{ chat: ChatService }> = async (app, { chat }) => {
  app.post(
    '/api/chat/threads',
    {
      schema: { tags, summary: 'Start a thread', body: CreateThreadBody, response: { 201: ChatThread, ...errorResponses(400, 413, 415) } },
      preValidation: optionalBody,
    },
    async (request, reply) => {
      const thread = await chat.create(request.body?.title, request.principal);
      return reply.code(201).header('location', `/api/chat/threads/${thread.id}`).send(thread);
    },
  );

  app.get(
    '/api/chat/threads',
    { schema: { tags, summary: 'Threads, the most recently active first', querystring: ThreadListQuery, response: { 200: ChatThreadPage, ...errorResponses(400) } } },
    async (request) => chat.list({ ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get(
    '/api/chat/threads/:id',
    { schema: { tags, summary: 'One thread (also while it is in the trash)', params: ChatThreadParams, response: { 200: ChatThread, ...errorResponses(400, 404) } } },
    async (request) => chat.get(request.params.id),
  );

  app.patch(
    '/api/chat/threads/:id',
    {
      schema: { tags, summary: 'Rename a thread', params: ChatThreadParams, body: RenameThreadBody, response: { 200: ChatThread, ...errorResponses(400, 403, 404, 409, 415) } },
    },
    async (request) => chat.rename(request.params.id, request.body.title, request.principal),
  );

  app.delete(
    '/api/chat/threads/:id',
    {
      schema: {
        tags,
        summary: 'Move a thread to the trash',
        description: 'It leaves the thread list and keeps its messages; POST …/restore brings it back. Trashed threads are purged after 30 days.',
        params: ChatThreadParams,
        response: { 200: ChatThreadDeleted, ...errorResponses(400, 403, 404) },
      },
      preValidation: noBody,
    },
    async (request) => chat.remove(request.params.id, request.principal),
  );

  app.post(
    '/api/chat/threads/:id/restore',
    {
      schema: { tags, summary: 'Bring a thread back from the trash', params: ChatThreadParams, response: { 200: ChatThread, ...errorResponses(400, 403, 404) } },
      preValidation: noBody,
    },
    async (request) => chat.restore(request.params.id, request.principal),
  );

  app.get(
    '/api/chat/trash',
    { schema: { tags, summary: 'Threads in the trash, the most recently deleted first', querystring: ThreadListQuery, response: { 200: ChatThreadPage, ...errorResponses(400) } } },
    async (request) => chat.listTrash({ ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.delete(
    '/api/chat/trash/:id',
    {
      schema: { tags, summary: 'Delete a trashed thread and its messages for good', params: ChatThreadParams, response: { 200: Purged, ...errorResponses(400, 403, 404, 409) } },
      preValidation: noBody,
    },
    async (request) => chat.purge(request.params.id, request.principal),
  );

  app.get(
    '/api/chat/threads/:id/messages',
    {
      schema: {
        tags,
        summary: 'Messages of a thread, oldest first, a page at a time',
        description: 'From the start by default; `tail=true` gives the newest page. `nextCursor` reads on (newer), `prevCursor` back (older).',
        params: ChatThreadParams,
        querystring: MessageListQuery,
        response: { 200: ChatMessagePage, ...errorResponses(400, 404) },
      },
    },
    async (request) => chat.messages(request.params.id, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.post(
    '/api/chat/threads/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send a message: a slash command, or a prompt for the thread’s target',
        description:
          '201 with the stored message and its reply (`{thread, messages}`). A reply may carry a card: the jobs queued (follow them by ' +
          'their events), the agents, help, or a problem naming what is wrong and the nearest valid form (nothing is queued then). ' +
          'Commands: /help, /agent-list [ws], /agent-on <name>, /agent-off <name>, /apex-comfy <model> <prompt>, /apex-flux <prompt>, ' +
          '/v0 <prompt>, /video (with inputImage), /cancel [n|job-id], /retry [n|job-id], /vary [n|job-id]; flags --ar --size --seed ' +
          '--steps --cfg --neg --sampler --raw --n --model --frames --fps.',
        params: ChatThreadParams,
        body: PostMessageBody,
        response: { 201: PostMessageResult, ...errorResponses(400, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await chat.post(request.params.id, request.body, request.principal)),
  );
};
