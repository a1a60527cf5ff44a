import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { readStorageMark, redisKeys, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/* The storage API workers on other machines use: worker token, safe paths, atomic checked writes. */

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let redis: Redis;
let auth: Record<string, string>;

const put = (rel: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({ method: 'PUT', url: `/api/storage/output/file?path=${encodeURIComponent(rel)}`, payload: body, headers: { ...auth, 'content-type': 'application/octet-stream', ...headers } });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('storage'));
  redis = newRedis();
  app = await buildServer(config, { logger: false, reconcile: false });
  await app.ready();
  auth = { authorization: `Bearer ${await redis.hget(redisKeys(config.keyPrefix).storage, 'token')}` };
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('the storage mark', () => {
  it('marks the output and uploads folders with the ids it publishes in Redis, and keeps a worker token there', async () => {
    const stored = await redis.hgetall(redisKeys(config.keyPrefix).storage);
    expect(stored.outputMark).toBe(await readStorageMark(config.outputPath));
    expect(stored.uploadsMark).toBe(await readStorageMark(path.join(config.dataPath, 'uploads')));
    expect(stored.token!.length).toBeGreaterThanOrEqual(32);
  });
});

describe('/api/storage', () => {
  it('refuses requests without the worker token (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: auth.authorization!.replace('Bearer ', 'Basic ') }]) {
      const res = await app.inject({ method: 'GET', url: '/api/storage/output/list?path=x', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect((await app.inject({ method: 'PUT', url: '/api/storage/output/file?path=a.png', payload: 'x', headers: { 'content-type': 'application/octet-stream' } })).statusCode).toBe(401);
  });

  it('stores a file atomically, checks its SHA-256, reads and lists it back, and removes it', async () => {
    const res = await put('2030-01-01/a.png', 'first', { 'x-content-sha256': sha('first') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ size: 5, sha256: sha('first') });
    const again = await put('2030-01-01/a.png', 'first');
    expect(again.statusCode).toBe(200);
    expect(await readdir(path.join(outputPath, '2030-01-01'))).toEqual(['a.png']);
    const mismatch = await put('2030-01-01/a.png', 'second', { 'x-content-sha256': sha('other') });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toMatchObject({ error: 'checksum_mismatch' });
    expect(await readFile(path.join(outputPath, '2030-01-01', 'a.png'), 'utf8')).toBe('first');
    const read = await app.inject({ url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe('first');
    expect((await app.inject({ url: '/api/storage/output/list?path=2030-01-01', headers: auth })).json()).toEqual({ names: ['a.png'] });
    expect((await app.inject({ method: 'DELETE', url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/storage/output/file?path=2030-01-01/a.png', headers: auth })).statusCode).toBe(404);
  });

  it('replaces a folder with a set of files at once, refusing names it cannot write', async () => {
    const files = [
      { name: 'index.html', data: Buffer.from('<h1>v1</h1>').toString('base64') },
      { name: 'a', data: Buffer.from('file').toString('base64') },
      { name: 'a/b', data: Buffer.from('clash').toString('base64') },
    ];
    const res = await app.inject({ method: 'PUT', url: '/api/storage/output/dir?path=sites/c1/v1', payload: { files }, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ refused: ['a/b'] });
    expect((await readdir(path.join(outputPath, 'sites', 'c1', 'v1'))).sort()).toEqual(['a', 'index.html']);
  });

  it('refuses paths that leave the folder or touch the server\'s mark, and bad bodies', async () => {
    for (const rel of ['../escape.png', '/etc/passwd', 'a/../../b', 'a//b', 'C:/x', 'a\\b', './a']) {
      const res = await put(rel, 'x');
      expect(res.statusCode, rel).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_path' });
    }
    expect((await put('.orchestrator/mark.json', '{}')).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/storage/output/file?path=..%2F..%2Fetc%2Fpasswd', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/storage/elsewhere/file?path=a', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/storage/output/file', headers: auth })).statusCode).toBe(400);
    const json = await app.inject({ method: 'PUT', url: '/api/storage/output/file?path=x.png', payload: { a: 1 }, headers: auth });
    expect(json.statusCode).toBe(415);
    const dir = await app.inject({ method: 'PUT', url: '/api/storage/output/dir?path=sites/c2/v1', payload: { files: 'nope' }, headers: auth });
    expect(dir.statusCode).toBe(400);
    expect(await readStorageMark(outputPath)).toMatch(/^[0-9a-f]{32}$/);
  });
});
