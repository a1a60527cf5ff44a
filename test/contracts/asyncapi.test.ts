import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parser } from '@asyncapi/parser';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { EVENT_TYPES, parseConfig, type Config } from '@orchestrator/shared';
import { buildServer } from '@orchestrator/server';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../harness/stack.js';

/* GET /api/asyncapi.json is a valid AsyncAPI 3 document of the event channel, checked by AsyncAPI's own parser. */

let app: FastifyInstance;
let config: Config;

beforeAll(async () => {
  config = parseConfig({ REDIS_URL, KEY_PREFIX: uniquePrefix('asyncapi'), LOG_LEVEL: 'silent' });
  app = await buildServer(config, { logger: false, reconcile: false });
});

afterAll(async () => {
  await app.close();
  const redis = new Redis(REDIS_URL);
  await dropPrefix(redis, config.keyPrefix);
  redis.disconnect();
});

describe('GET /api/asyncapi.json', () => {
  it('validates with @asyncapi/parser, with a message per event type on both channels', async () => {
    const res = await app.inject({ url: '/api/asyncapi.json', headers: { host: 'localhost:3002' } });
    expect(res.statusCode).toBe(200);
    const { document, diagnostics } = await new Parser().parse(res.body);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document).toBeDefined();
    const names = document!.messages().all().map((m) => m.name());
    for (const type of EVENT_TYPES) expect(names).toContain(type);
    expect(names).toContain('resync');
    expect(document!.channels().all().map((c) => c.address())).toEqual(['/api/ws', '/api/jobs/stream']);
    const completed = document!.messages().all().find((m) => m.name() === 'job.completed')!;
    expect(completed.payload()?.properties()?.data?.properties()?.status).toBeDefined();
  });
});
