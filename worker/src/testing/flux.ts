import { Writable } from 'node:stream';
import type { Queue } from 'bullmq';
import { pino, type Logger } from 'pino';
import { SECRET_LOG_PATHS, type FluxJobRequest } from '@orchestrator/shared';
import type { Harness } from './harness.js';

/* Helpers for tests of the flux queue: enqueue as the server does, and capture every log line. */

export function fluxQueue(h: Harness): Queue {
  return h.enqueuer.queue('flux');
}

export function enqueueFlux(h: Harness, partial: Partial<FluxJobRequest> = {}): Promise<string> {
  return h.enqueueRequest({ provider: 'flux', kind: 'image', prompt: 'a lighthouse at dusk', model: 'flux-pro-1.1-ultra', ...partial });
}

/** A logger like the worker's (same redaction) that keeps every line it writes. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { service: 'worker' }, redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' } }, stream);
  return { logger, lines };
}
