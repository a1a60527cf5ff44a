import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { pino, type Logger } from 'pino';
import { SECRET_LOG_PATHS, newJob, type FluxJobRequest } from '@orchestrator/shared';
import type { Harness } from './harness.js';

/* Helpers for tests of the flux queue: enqueue as the server does, and capture every log line. */

export function fluxQueue(h: Harness): Queue {
  return new Queue('flux', { connection: h.redis, prefix: h.keys.bullPrefix });
}

export async function enqueueFlux(h: Harness, queue: Queue, partial: Partial<FluxJobRequest> = {}): Promise<string> {
  const id = randomUUID();
  const request: FluxJobRequest = { provider: 'flux', kind: 'image', prompt: 'a lighthouse at dusk', model: 'flux-pro-1.1-ultra', ...partial };
  await h.jobs.create(newJob(id, request, new Date()));
  await queue.add('generate', { id, request }, { jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 500 } });
  return id;
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
