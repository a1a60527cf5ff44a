import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import type { Config } from '@orchestrator/shared';
import { tinyDisk, type TinyDisk } from '../../../test/harness/tiny-disk.js';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * The server's own disk full (a real one: a tiny tmpfs, needs root, skipped otherwise): a worker storing
 * through the storage API and a browser uploading an image get 507 `disk_full` (the worker's job then
 * fails `disk_full`), never a 500, and no temp file stays behind.
 */

let root: string;
let disk: TinyDisk | null;
let app: FastifyInstance | undefined;
let config: Config;
let outputPath: string;
let redis: Redis;
const WORKER_TOKEN = 'disk-full-worker-token-0123456789';
const noise = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 2654435761) >>> 24));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-server-disk-'));
  disk = await tinyDisk(path.join(root, 'disk'), 512);
  redis = newRedis();
  if (!disk) return;
  ({ config, outputPath } = await testConfig('disk-full', { OUTPUT_PATH: disk.dir, DATA_PATH: disk.dir, WORKER_TOKEN }));
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false }, reconcile: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  if (config) await cleanup(redis, config, outputPath);
  redis.disconnect();
  await disk?.unmount();
  await rm(root, { recursive: true, force: true });
});

async function leftovers(): Promise<string[]> {
  const entries = await readdir(disk!.dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name !== '.filler' && path.basename(e.parentPath) !== '.orchestrator').map((e) => e.name);
}

describe("the server's disk full", () => {
  it('answers 507 disk_full to a worker storing an output or a site version, and keeps no temp file', async (ctx) => {
    if (!disk || !app) return ctx.skip();
    await disk.fill(8 * 1024);
    const auth = { authorization: `Bearer ${WORKER_TOKEN}` };
    const file = await app.inject({
      method: 'PUT',
      url: '/api/storage/output/file?path=2030-01-01/job_1.png',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      payload: noise(96 * 1024),
    });
    expect(file.statusCode, file.body).toBe(507);
    expect(file.json()).toMatchObject({ error: 'disk_full' });
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: noise(16 * 1024).toString('base64') }));
    const dir = await app.inject({ method: 'PUT', url: '/api/storage/output/dir?path=sites/chat/v1', headers: auth, payload: { files } });
    expect(dir.statusCode, dir.body).toBe(507);
    expect(await leftovers()).toEqual([]);
    await disk.empty();
  });

  it('answers 507 disk_full to an upload the disk cannot hold, keeping nothing of it', async (ctx) => {
    if (!disk || !app) return ctx.skip();
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    await disk.fill(8 * 1024);
    const boundary = '----disk-full';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await app.inject({ method: 'POST', url: '/api/uploads', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode, res.body).toBe(507);
    expect(res.json()).toMatchObject({ error: 'disk_full' });
    expect(await leftovers()).toEqual([]);
    await disk.empty();
  });
});
