import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const logLines: string[] = [];
const SECRET = 'bfl-secret-value-1234567890';

const valid = { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse' };

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('bad-input', { COMFYUI_URLS: 'http://127.0.0.1:18189', BODY_LIMIT: '4096', BFL_API_KEY: SECRET, LOG_LEVEL: 'info' }));
  redis = newRedis();
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = await buildServer(config, { logger: { stream }, backendCacheMs: 0 });
  // A route that fails the way a bug would, to see what the client and the log get.
  app.get('/api/test-only/boom', async () => {
    throw new Error('kaboom at /secret/internal/path');
  });
  await redis.set(
    redisKeys(config.keyPrefix).backend('comfyui-1'),
    JSON.stringify(backendRecord({ id: 'comfyui-1', url: 'http://127.0.0.1:18189', checkpoints: ['real.safetensors'] })),
  );
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

interface Case {
  name: string;
  req: InjectOptions;
  status: number;
  error: string;
}

const json = { 'content-type': 'application/json' };
const cases: Case[] = [
  { name: 'malformed JSON', req: { method: 'POST', url: '/api/jobs', headers: json, payload: '{"provider": "comfyui",' }, status: 400, error: 'invalid_json' },
  { name: 'JSON with __proto__', req: { method: 'POST', url: '/api/jobs', headers: json, payload: '{"__proto__": {"x": 1}}' }, status: 400, error: 'invalid_json' },
  { name: 'wrong type', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, prompt: 42 } }, status: 400, error: 'validation_failed' },
  { name: 'missing field', req: { method: 'POST', url: '/api/jobs', payload: { provider: 'comfyui', prompt: 'x' } }, status: 400, error: 'validation_failed' },
  { name: 'image without a prompt', req: { method: 'POST', url: '/api/jobs', payload: { provider: 'comfyui', kind: 'image' } }, status: 400, error: 'prompt_required' },
  { name: 'unknown field', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, evil: true } }, status: 400, error: 'validation_failed' },
  { name: 'unknown nested field', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, params: { steps: 20, x: 1 } } }, status: 400, error: 'validation_failed' },
  { name: 'out-of-range param', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, params: { steps: 0 } } }, status: 400, error: 'validation_failed' },
  { name: 'unknown provider', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, provider: 'dalle' } }, status: 400, error: 'validation_failed' },
  { name: 'array body', req: { method: 'POST', url: '/api/jobs', payload: '[]', headers: json }, status: 400, error: 'validation_failed' },
  { name: 'empty body', req: { method: 'POST', url: '/api/jobs', headers: json, payload: '' }, status: 400, error: 'validation_failed' },
  { name: 'oversized body', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, prompt: 'x'.repeat(10_000) } }, status: 413, error: 'too_large' },
  { name: 'text/plain body', req: { method: 'POST', url: '/api/jobs', headers: { 'content-type': 'text/plain' }, payload: 'hello' }, status: 415, error: 'unsupported_media_type' },
  { name: 'form body', req: { method: 'POST', url: '/api/jobs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }, status: 415, error: 'unsupported_media_type' },
  { name: 'unknown model', req: { method: 'POST', url: '/api/jobs', payload: { ...valid, model: 'missing.safetensors' } }, status: 400, error: 'model_unavailable' },
  { name: 'non-UUID job id', req: { url: '/api/jobs/123' }, status: 400, error: 'validation_failed' },
  { name: 'uppercase UUID', req: { url: '/api/jobs/0E9B7F8C-1D7A-4C1B-9C6E-2B5D8A7F3E10' }, status: 400, error: 'validation_failed' },
  { name: 'unknown job id', req: { url: `/api/jobs/${crypto.randomUUID()}` }, status: 404, error: 'not_found' },
  { name: 'unknown job cancel', req: { method: 'DELETE', url: `/api/jobs/${crypto.randomUUID()}` }, status: 404, error: 'not_found' },
  { name: 'unknown job retry', req: { method: 'POST', url: `/api/jobs/${crypto.randomUUID()}/retry` }, status: 404, error: 'not_found' },
  { name: 'unknown query field', req: { url: '/api/jobs?foo=1' }, status: 400, error: 'validation_failed' },
  { name: 'repeated query field', req: { url: '/api/jobs?limit=1&limit=2' }, status: 400, error: 'validation_failed' },
  { name: 'bad cursor', req: { url: '/api/jobs?cursor=AAAA' }, status: 400, error: 'invalid_cursor' },
  { name: 'bad asset id', req: { url: '/api/assets/xyz' }, status: 400, error: 'validation_failed' },
  { name: 'unknown asset', req: { url: '/api/assets/0123456789abcdef' }, status: 404, error: 'not_found' },
  { name: 'unknown model id', req: { url: '/api/models/nothing.safetensors' }, status: 404, error: 'not_found' },
  { name: 'bad since', req: { url: '/api/jobs/stream?since=yesterday' }, status: 400, error: 'validation_failed' },
  { name: 'unknown route', req: { url: '/api/nothing-here' }, status: 404, error: 'not_found' },
  { name: 'unknown method', req: { method: 'PATCH', url: '/api/jobs' }, status: 404, error: 'not_found' },
  { name: 'POST to a page', req: { method: 'POST', url: '/somewhere', payload: {} }, status: 404, error: 'not_found' },
  { name: 'badly encoded URL', req: { url: '/api/jobs/%E0%A4%A' }, status: 400, error: 'bad_url' },
  { name: 'not proxied ComfyUI path', req: { url: '/api/comfyui/comfyui-1/prompt' }, status: 404, error: 'not_found' },
  { name: 'unknown backend proxy', req: { url: '/api/comfyui/comfyui-9/queue' }, status: 404, error: 'not_found' },
  { name: 'plain GET of the WebSocket route', req: { url: '/api/ws' }, status: 426, error: 'upgrade_required' },
];

describe('bad input', () => {
  for (const c of cases) {
    it(`answers ${c.status} ${c.error} JSON for ${c.name}`, async () => {
      const res = await app.inject(c.req);
      expect(res.statusCode).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json<{ error: string; message: string }>();
      expect(body.error).toBe(c.error);
      expect(typeof body.message).toBe('string');
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    });
  }

  it('sends the headers an error needs beside its body: Upgrade with the 426 of a plain GET of /api/ws', async () => {
    const res = await app.inject({ url: '/api/ws' });
    expect(res.statusCode).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    expect(res.json()).toEqual({ error: 'upgrade_required', message: expect.any(String) });
  });

  it('answers 421 host_not_allowed on /api/health too (as documented) for a host name it does not serve', async () => {
    const res = await app.inject({ url: '/api/health', headers: { host: 'rebound.example' } });
    expect(res.statusCode).toBe(421);
    expect(res.json()).toMatchObject({ error: 'host_not_allowed' });
  });

  it('lists the failing paths in validation details', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...valid, prompt: 42, evil: 1 } });
    const details = res.json<{ details: { path: string; message: string }[] }>().details;
    const paths = details.map((d) => d.path);
    expect(paths).toContain('body/prompt');
    expect(details.some((d) => d.message.includes('evil'))).toBe(true);
  });

  it('answers an unexpected error with 500 internal_error, no stack, and logs it with the request id', async () => {
    const res = await app.inject({ url: '/api/test-only/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(res.body).not.toContain('kaboom');
    const line = logLines.find((l) => l.includes('kaboom'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, reqId: expect.any(String) });
  });

  it('redacts secrets in logs', () => {
    app.log.info({ config }, 'config for the record');
    const line = logLines.find((l) => l.includes('config for the record'));
    expect(line).toBeDefined();
    expect(line).not.toContain(SECRET);
    expect(logLines.join('\n')).not.toContain(SECRET);
  });

  it('still answers normally after all of that', async () => {
    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(200);
    const ok = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...valid, model: 'real.safetensors' } });
    expect(ok.statusCode).toBe(202);
  });
});
