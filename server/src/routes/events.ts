import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from '@fastify/websocket';
import { STREAM_ID_PATTERN, type AppEvent } from '@orchestrator/shared';
import type { EventHub } from '../events/event-hub.js';
import { HttpError } from '../errors.js';
import { Subscription, type EventSink, type SubscriptionLimits, DEFAULT_LIMITS } from '../events/subscription.js';
import { errorResponses } from './schemas.js';

const StreamId = Type.String({ pattern: STREAM_ID_PATTERN, description: 'last event id seen; `0-0` for everything still kept' });
const SinceQuery = Type.Object({ since: Type.Optional(StreamId) }, { additionalProperties: false });
const RESYNC = { type: 'resync', reason: 'events-trimmed' } as const;

export interface EventRouteOptions {
  hub: EventHub;
  limits?: SubscriptionLimits;
  sseHeartbeatMs?: number;
  wsPingMs?: number;
  /**
   * Team mode: whether the credentials a stream was opened with (session cookie, token) still hold.
   * Asked every `recheckMs`; a stream whose session ended, token was revoked or user removed is closed
   * (WebSocket code 4401), so logging out elsewhere stops what an open tab receives.
   */
  stillAllowed?: (request: FastifyRequest) => Promise<boolean>;
  recheckMs?: number;
}

/** WebSocket close code for "your session ended" (4000–4999: the application's own). */
const WS_SESSION_ENDED = 4401;

export const eventRoutes: FastifyPluginAsyncTypebox<EventRouteOptions> = async (app, opts) => {
  const { hub } = opts;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const sseClients = new Set<() => void>();
  /** Calls `end` once the stream's credentials no longer hold; returns the timer to clear. */
  const watchAccess = (request: FastifyRequest, end: () => void): NodeJS.Timeout | undefined => {
    const check = opts.stillAllowed;
    if (!check) return undefined;
    return setInterval(() => {
      check(request).then(
        (ok) => {
          if (!ok) end();
        },
        () => undefined, // Redis unreachable: keep the stream; the next check decides
      );
    }, opts.recheckMs ?? 15_000);
  };
  // Hijacked SSE responses would keep server.close() waiting forever.
  app.addHook('preClose', async () => {
    for (const end of [...sseClients]) end();
  });

  app.route({
    method: 'GET',
    url: '/api/ws',
    schema: {
      tags: ['events'],
      summary: 'Event channel (WebSocket)',
      description:
        'Upgrade to a WebSocket. Frames are events `{id,type,at,data}`; with `?since=<id>` every kept event after it comes first. ' +
        'A `{"type":"resync","reason":"events-trimmed"}` frame means events were lost: refetch over REST.',
      querystring: SinceQuery,
      response: errorResponses(400, 426),
    },
    handler: async () => {
      throw new HttpError('upgrade_required', 'Connect to /api/ws with a WebSocket client', undefined, { upgrade: 'websocket' });
    },
    wsHandler: (socket: WebSocket, request) => {
      const { since } = request.query as { since?: string };
      const sink: EventSink = {
        send: (e: AppEvent) => socket.send(JSON.stringify(e)),
        resync: () => socket.send(JSON.stringify(RESYNC)),
        backlog: () => socket.bufferedAmount,
        close: (reason) => {
          request.log.warn({ reason }, 'closing event websocket');
          socket.close(1013, reason);
          // A client that stopped reading may never finish the close handshake.
          setTimeout(() => socket.terminate(), 2000).unref();
        },
      };
      const sub = new Subscription(hub, sink, limits);
      let alive = true;
      socket.on('pong', () => (alive = true));
      const ping = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, opts.wsPingMs ?? 20_000);
      const access = watchAccess(request, () => {
        request.log.info('closing event websocket: its session ended');
        socket.close(WS_SESSION_ENDED, 'session ended');
        setTimeout(() => socket.terminate(), 2000).unref();
      });
      socket.on('close', () => {
        clearInterval(ping);
        clearInterval(access);
        sub.stop();
      });
      socket.on('error', () => socket.terminate());
      void sub.start(since);
    },
  });

  app.get(
    '/api/jobs/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'Event channel (Server-Sent Events)',
        description: 'Frames `id/event/data`; resume with the `Last-Event-ID` header or `?since=`. `event: resync` means events were lost.',
        querystring: SinceQuery,
        headers: Type.Object({ 'last-event-id': Type.Optional(StreamId) }),
        response: errorResponses(400),
      },
    },
    async (request, reply) => {
      // EventSource reconnects to the same URL with the header: the header is the newer position.
      const since = request.headers['last-event-id'] ?? request.query.since;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      raw.write('retry: 3000\n\n');
      const end = () => {
        clearInterval(heartbeat);
        clearInterval(access);
        sseClients.delete(end);
        sub.stop();
        if (!raw.writableEnded) raw.end();
      };
      const sink: EventSink = {
        send: (e) => void raw.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
        resync: () => void raw.write(`event: resync\ndata: ${JSON.stringify(RESYNC)}\n\n`),
        backlog: () => raw.writableLength,
        close: (reason) => {
          request.log.warn({ reason }, 'closing event stream');
          end();
          raw.destroy();
        },
      };
      const sub = new Subscription(hub, sink, limits);
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), opts.sseHeartbeatMs ?? 15_000);
      const access = watchAccess(request, end);
      sseClients.add(end);
      raw.on('close', end);
      await sub.start(since);
    },
  );
};
