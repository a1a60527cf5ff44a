import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type ChatThread, type ChatThreadPage, type Config, type Job, type PostMessageResult } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * Team mode (AUTH=on): every thread records its owner, and the jobs its commands queue are the
 * member's; members change only their own threads, admins all, viewers only read; switching agents
 * from the chat needs an admin.
 */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
const ADMIN = { username: 'ada', password: 'correct horse battery' };
const cookies: Record<string, string> = {};

const cookieOf = (res: LightMyRequestResponse) => String(res.headers['set-cookie'] ?? '').split(';')[0]!;
const as = (who: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: { cookie: cookies[who]! }, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('chat-team', { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, COMFYUI_URLS: 'http://127.0.0.1:18194', RATE_LIMIT_SUBMITS: '0' }));
  redis = newRedis();
  await redis.set(redisKeys(config.keyPrefix).backend('comfyui-1'), JSON.stringify(backendRecord({ id: 'comfyui-1', url: 'http://127.0.0.1:18194' })));
  app = await buildServer(config, { logger: false, backendCacheMs: 0, gallery: { watch: false, rescan: false }, reconcile: false });
  cookies.ada = cookieOf(await app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN }));
  for (const [name, role] of [['mia', 'member'], ['max', 'member'], ['vic', 'viewer']] as const) {
    expect((await as('ada', 'POST', '/api/users', { name, password: `${name}-password`, role })).statusCode).toBe(201);
    cookies[name] = cookieOf(await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: name, password: `${name}-password` } }));
  }
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('chat threads in team mode', () => {
  it('records the owner of a thread and of the jobs its commands queue', async () => {
    expect((await app.inject({ url: '/api/chat/threads' })).statusCode).toBe(401);
    const t = (await as('mia', 'POST', '/api/chat/threads', { title: "mia's" })).json<ChatThread>();
    expect(t.owner).toBe('mia');
    const r = (await as('mia', 'POST', `/api/chat/threads/${t.id}/messages`, { text: '/apex-comfy sdxl a cat' })).json<PostMessageResult>();
    expect(r.messages[0]).toMatchObject({ author: 'mia' });
    const card = r.messages[1]!.card;
    expect(card?.type).toBe('jobs');
    const job = (await as('mia', 'GET', `/api/jobs/${card?.type === 'jobs' ? card.jobs[0]!.id : ''}`)).json<Job>();
    expect(job.owner).toBe('mia');
    expect((await as('mia', 'GET', '/api/chat/threads?owner=mia')).json<ChatThreadPage>().items.map((x) => x.id)).toEqual([t.id]);
    expect((await as('mia', 'GET', '/api/chat/threads?owner=max')).json<ChatThreadPage>().items).toEqual([]);
  });

  it('lets members change only their own threads, admins all, and viewers only read', async () => {
    const t = (await as('mia', 'POST', '/api/chat/threads')).json<ChatThread>();
    for (const [method, url, payload] of [
      ['POST', `/api/chat/threads/${t.id}/messages`, { text: '/help' }],
      ['PATCH', `/api/chat/threads/${t.id}`, { title: 'mine now' }],
      ['DELETE', `/api/chat/threads/${t.id}`, undefined],
    ] as const) {
      expect((await as('max', method, url, payload)).statusCode, `${method} ${url} by another member`).toBe(403);
      expect((await as('vic', method, url, payload)).statusCode, `${method} ${url} by a viewer`).toBe(403);
    }
    expect((await as('vic', 'POST', '/api/chat/threads')).statusCode).toBe(403);
    expect((await as('vic', 'GET', `/api/chat/threads/${t.id}/messages`)).statusCode).toBe(200);
    expect((await as('vic', 'GET', '/api/chat/threads')).statusCode).toBe(200);
    expect((await as('ada', 'PATCH', `/api/chat/threads/${t.id}`, { title: 'by the admin' })).statusCode).toBe(200);
    expect((await as('ada', 'POST', `/api/chat/threads/${t.id}/messages`, { text: '/help' })).statusCode).toBe(201);
    expect((await as('mia', 'DELETE', `/api/chat/threads/${t.id}`)).statusCode).toBe(200);
  });

  it('switches agents from the chat only for an admin', async () => {
    const mine = (await as('mia', 'POST', '/api/chat/threads')).json<ChatThread>();
    const refused = (await as('mia', 'POST', `/api/chat/threads/${mine.id}/messages`, { text: '/agent-off comfyui-1' })).json<PostMessageResult>();
    expect(refused.messages[1]!.card).toMatchObject({ type: 'problem', code: 'not_allowed' });
    const admins = (await as('ada', 'POST', '/api/chat/threads')).json<ChatThread>();
    expect(admins.owner).toBe('ada');
    const off = (await as('ada', 'POST', `/api/chat/threads/${admins.id}/messages`, { text: '/agent-off comfyui-1' })).json<PostMessageResult>();
    expect(off.messages[1]!.card).toMatchObject({ type: 'agent', agent: { name: 'comfyui-1', enabled: false } });
    await as('ada', 'POST', `/api/chat/threads/${admins.id}/messages`, { text: '/agent-on comfyui-1' });
  });
});
