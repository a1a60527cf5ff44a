import type { FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import { HttpError } from '../errors.js';

/**
 * At most `slots` large requests (over `thresholdBytes` declared) parsed at once; more answer 503 `busy`
 * with Retry-After before their body is read. A 30 MB workflow import costs hundreds of MB while it is
 * parsed and checked: eight at once took the server from 200 MB to 1.5 GB.
 */
export function largeBodyGate(slots: number, thresholdBytes: number): { onRequest: onRequestHookHandler; onResponse: onResponseHookHandler } {
  let inUse = 0;
  const holders = new WeakSet<FastifyRequest>();
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const declared = Number(request.headers['content-length'] ?? '0');
      if (!(declared > thresholdBytes)) return;
      if (inUse >= slots) {
        reply.header('retry-after', '2');
        throw new HttpError('busy', `The server is reading ${inUse} large requests already; try again in a moment`);
      }
      inUse++;
      holders.add(request);
    },
    onResponse: async (request: FastifyRequest) => {
      if (holders.delete(request)) inUse--;
    },
  };
}
