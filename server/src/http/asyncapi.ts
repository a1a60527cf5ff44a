import Type from 'typebox';
import { Agent, Asset, BackendStatus, ChatEventData, EVENT_TYPES, Job, JobPreview, STREAM_ID_PATTERN, type EventType } from '@orchestrator/shared';

/*
 * The event channel described for WebSocket and SSE clients (AsyncAPI 3): one message per event type,
 * its payload the event envelope `{id, type, at, data}` with `data` as the REST routes return it (the
 * schemas come from shared/), and the resume rule.
 */

const DATA_SCHEMAS: Record<EventType, object> = {
  'job.queued': Job,
  'job.started': Job,
  'job.progress': Job,
  'job.preview': JobPreview,
  'job.completed': Job,
  'job.failed': Job,
  'job.cancelled': Job,
  'asset.added': Asset,
  'asset.updated': Asset,
  'asset.removed': Type.Object({ id: Type.String() }),
  'backend.status': BackendStatus,
  'agent.status': Agent,
  'chat.message': ChatEventData,
};

const SUMMARIES: Record<EventType, string> = {
  'job.queued': 'A job was submitted',
  'job.started': 'A worker started a job',
  'job.progress': 'A running job moved on (step, percent, ETA), or a queued job changed (priority, wait reason)',
  'job.preview': 'A live preview frame of a running job (a data URL, a few per second at most)',
  'job.completed': 'A job finished with its assets',
  'job.failed': 'A job failed (error code and message)',
  'job.cancelled': 'A job was cancelled',
  'asset.added': 'A new asset is in the gallery',
  'asset.updated': 'A known asset changed (a site version, metadata)',
  'asset.removed': 'An asset left the gallery (trash)',
  'backend.status': 'A ComfyUI backend came online, went offline, or its model lists changed',
  'agent.status': 'A provider or backend was switched off or on',
  'chat.message': 'A chat message was added, or a thread was created, renamed, restored or moved to the trash',
};

const messageName = (t: string) => t.replace(/\.(.)/g, (_m, c: string) => c.toUpperCase());

function envelope(type: EventType) {
  return {
    type: 'object',
    required: ['id', 'type', 'at', 'data'],
    properties: {
      id: { type: 'string', pattern: STREAM_ID_PATTERN, description: 'the stream id: send it back as ?since= (WebSocket) or Last-Event-ID (SSE) to resume' },
      type: { type: 'string', const: type },
      at: { type: 'string', format: 'date-time' },
      data: DATA_SCHEMAS[type],
    },
  };
}

export function asyncApiDocument(version: string, host: string): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    messages[messageName(type)] = { name: type, title: type, summary: SUMMARIES[type], contentType: 'application/json', payload: envelope(type) };
  }
  messages.resync = {
    name: 'resync',
    title: 'resync',
    summary: 'Events after `since` were trimmed from the capped stream: refetch over REST, then follow on',
    contentType: 'application/json',
    payload: { type: 'object', required: ['type', 'reason'], properties: { type: { const: 'resync' }, reason: { const: 'events-trimmed' } } },
  };
  const refs = Object.keys(messages).map((m) => ({ $ref: `#/components/messages/${m}` }));
  const channelMessages = Object.fromEntries(Object.keys(messages).map((m) => [m, { $ref: `#/components/messages/${m}` }]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Orchestrator event channel',
      version,
      description:
        'Every change to jobs, assets, backends, agents and chat, as it happens. Connect to `/api/ws` (WebSocket) or `/api/jobs/stream` ' +
        '(Server-Sent Events). With `?since=<id>` (WebSocket) or `Last-Event-ID` (SSE) every event after that id still in the capped stream comes ' +
        'first, so a client that reconnects misses nothing; a `resync` frame says some were trimmed. Team mode: the session cookie or ' +
        '`Authorization: Bearer <token>`; a page of another origin is refused.',
    },
    servers: {
      studio: { host, protocol: 'ws', description: 'the Orchestrator server (wss behind https)' },
      studioSse: { host, protocol: 'http', description: 'the same events as Server-Sent Events' },
    },
    channels: {
      events: {
        address: '/api/ws',
        title: 'Events (WebSocket)',
        servers: [{ $ref: '#/servers/studio' }],
        messages: channelMessages,
        bindings: {
          ws: {
            method: 'GET',
            query: { type: 'object', properties: { since: { type: 'string', pattern: STREAM_ID_PATTERN, description: 'last event id seen; `0-0` for all that is kept' } } },
          },
        },
      },
      eventStream: {
        address: '/api/jobs/stream',
        title: 'Events (Server-Sent Events)',
        servers: [{ $ref: '#/servers/studioSse' }],
        description: 'Each event is an SSE message: `id:` the stream id, `event:` the type, `data:` the JSON envelope. Send `Last-Event-ID` to resume.',
        messages: channelMessages,
      },
    },
    operations: {
      receiveEvents: { action: 'receive', channel: { $ref: '#/channels/events' }, messages: refs.map((r) => ({ $ref: r.$ref.replace('#/components/messages/', '#/channels/events/messages/') })) },
      receiveEventStream: {
        action: 'receive',
        channel: { $ref: '#/channels/eventStream' },
        messages: refs.map((r) => ({ $ref: r.$ref.replace('#/components/messages/', '#/channels/eventStream/messages/') })),
      },
    },
    components: { messages },
  };
}
