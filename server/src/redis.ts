import { Redis, type RedisOptions } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { RedisUnavailableError } from './errors.js';

/**
 * The server's command connection. Commands fail fast while Redis is away (one reconnect attempt),
 * so a request answers 503 quickly instead of hanging; the connection keeps reconnecting on its own.
 */
export function createRedis(url: string, log: FastifyBaseLogger, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, ...extra });
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    // A down Redis emits an error per reconnect attempt; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastLogged > 10_000) {
      lastLogged = now;
      log.warn({ err: { message: err.message } }, 'redis connection error');
    }
  });
  return redis;
}

/** Closes a connection without waiting on a Redis that may not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await withTimeout(redis.quit(), 1000, 'redis quit');
  } catch {
    redis.disconnect();
  }
}

/** Rejects with RedisUnavailableError when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True for the errors ioredis raises when it cannot reach the server. */
export function isRedisDown(err: unknown): boolean {
  if (err instanceof RedisUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(err.message) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE'
  );
}
