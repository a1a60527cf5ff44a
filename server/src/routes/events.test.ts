import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { EventLog, newJob, redisKeys, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { openSse, openWs } from '../testing/clients.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let log: EventLog;
let base: string;

const job = (prompt: string) => newJob(crypto.randomUUID(), { provider: 'comfyui', kind: 'image', prompt }, new Date());

async function append(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await log.append({ type: 'job.progress', data: job(`${tag}-${i}`) }));
  return ids;
}

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('events'));
  redis = newRedis();
  log = new EventLog(redis, config.keyPrefix);
  app = await buildServer(config, { logger: false, events: { sseHeartbeatMs: 200 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('WebSocket /api/ws', () => {
  it('sends exactly the events after ?since= in order, then live ones', async () => {
    const before = await append(5, 'ws-before');
    const client = await openWs(`ws://${base}/api/ws?since=${before[1]}`);
    try {
      const caught = await client.messages.waitFor(3);
      expect(caught.map((m) => m.id)).toEqual(before.slice(2));
      const live = await append(2, 'ws-live');
      const all = await client.messages.waitFor(5);
      expect(all.map((m) => m.id)).toEqual([...before.slice(2), ...live]);
      expect(all[0]).toMatchObject({ type: 'job.progress', at: expect.any(String), data: { request: { prompt: 'ws-before-2' } } });
    } finally {
      client.close();
    }
  });

  it('without since sends only what happens after connecting, job.preview included', async () => {
    await append(2, 'ws-old');
    const client = await openWs(`ws://${base}/api/ws`);
    try {
      const previewId = await log.append({ type: 'job.preview', data: { jobId: 'j1', dataUrl: 'data:image/jpeg;base64,AAAA' } });
      const [first] = await client.messages.waitFor(1);
      expect(first).toMatchObject({ id: previewId, type: 'job.preview', data: { jobId: 'j1' } });
      await new Promise((r) => setTimeout(r, 100));
      expect(client.messages.items).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('loses nothing and repeats nothing when events arrive while it catches up', async () => {
    const [start] = await append(1, 'race-start');
    const writer = append(300, 'race');
    await new Promise((r) => setTimeout(r, 5));
    const client = await openWs(`ws://${base}/api/ws?since=${start}`);
    try {
      const written = await writer;
      const got = await client.messages.waitFor(300, 10_000);
      await new Promise((r) => setTimeout(r, 100));
      const ids = got.map((m) => m.id as string);
      expect(ids).toEqual(written);
    } finally {
      client.close();
    }
  });

  it('rejects a malformed since with 400 before upgrading', async () => {
    await expect(openWs(`ws://${base}/api/ws?since=abc`)).rejects.toThrow(/400/);
  });
});

describe('SSE /api/jobs/stream', () => {
  it('resumes after Last-Event-ID with id/event/data frames, then streams live events', async () => {
    const before = await append(4, 'sse-before');
    const client = await openSse(`http://${base}/api/jobs/stream`, { 'last-event-id': before[0]! });
    try {
      expect(client.res.statusCode).toBe(200);
      expect(client.res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = () => client.frames.items.filter((f) => f.id !== undefined);
      await client.frames.waitFor(4); // retry + 3 events
      expect(client.frames.items[0]?.retry).toBeDefined();
      const live = await append(2, 'sse-live');
      const deadline = Date.now() + 5000;
      while (events().length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(events().map((f) => f.id)).toEqual([...before.slice(1), ...live]);
      const first = events()[0]!;
      expect(first.event).toBe('job.progress');
      expect(JSON.parse(first.data!)).toMatchObject({ id: first.id, type: 'job.progress' });
    } finally {
      client.close();
    }
  });

  it('prefers Last-Event-ID over ?since= (EventSource reconnects to the same URL)', async () => {
    const ids = await append(3, 'sse-both');
    const client = await openSse(`http://${base}/api/jobs/stream?since=${ids[0]}`, { 'last-event-id': ids[1]! });
    try {
      await client.frames.waitFor(2);
      await new Promise((r) => setTimeout(r, 100));
      expect(client.frames.items.filter((f) => f.id).map((f) => f.id)).toEqual([ids[2]]);
    } finally {
      client.close();
    }
  });

  it('accepts ?since= as well and sends heartbeat comments', async () => {
    const before = await append(2, 'sse-q');
    const client = await openSse(`http://${base}/api/jobs/stream?since=${before[0]}`);
    try {
      const deadline = Date.now() + 3000;
      while (!client.frames.items.some((f) => f.comment !== undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(client.frames.items.filter((f) => f.id).map((f) => f.id)).toEqual([before[1]]);
      expect(client.frames.items.some((f) => f.comment !== undefined)).toBe(true);
    } finally {
      client.close();
    }
  });
});

describe('trimmed events', () => {
  it('tells a client whose since was trimmed to resync, on both channels, then sends what is left', async () => {
    const old = await append(3, 'trim-old');
    const kept = await append(2, 'trim-kept');
    await redis.xtrim(redisKeys(config.keyPrefix).events, 'MAXLEN', 2);
    const ws = await openWs(`ws://${base}/api/ws?since=${old[0]}`);
    const sse = await openSse(`http://${base}/api/jobs/stream`, { 'last-event-id': old[0]! });
    try {
      const msgs = await ws.messages.waitFor(3);
      expect(msgs[0]).toEqual({ type: 'resync', reason: 'events-trimmed' });
      expect(msgs.slice(1).map((m) => m.id)).toEqual(kept);
      const frames = await sse.frames.waitFor(4);
      expect(frames[1]).toMatchObject({ event: 'resync' });
      expect(JSON.parse(frames[1]!.data!)).toEqual({ type: 'resync', reason: 'events-trimmed' });
      expect(frames.slice(2).map((f) => f.id)).toEqual(kept);
    } finally {
      ws.close();
      sse.close();
    }
  });

  it('does not ask for a resync when since is still in the stream', async () => {
    const ids = await append(2, 'no-trim');
    const ws = await openWs(`ws://${base}/api/ws?since=${ids[0]}`);
    try {
      const msgs = await ws.messages.waitFor(1);
      expect(msgs[0]).toMatchObject({ id: ids[1] });
    } finally {
      ws.close();
    }
  });
});

describe('shutdown', () => {
  it('closes open WebSocket and SSE clients when the server closes', async () => {
    const { config: c2, outputPath: o2 } = await testConfig('events-close');
    const other = await buildServer(c2, { logger: false });
    await other.listen({ host: '127.0.0.1', port: 0 });
    const port = (other.server.address() as { port: number }).port;
    const ws = await openWs(`ws://127.0.0.1:${port}/api/ws`);
    const sse = await openSse(`http://127.0.0.1:${port}/api/jobs/stream`);
    const sseEnded = new Promise<void>((r) => sse.res.on('close', () => r()));
    await other.close();
    await expect(ws.closed).resolves.toBeTypeOf('number');
    await sseEnded;
    await cleanup(redis, c2, o2);
  });
});

