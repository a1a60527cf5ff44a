import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AssetStore, assetIdForPath, assetUrls, type Asset, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';
import { readZip } from '../testing/zip-reader.js';

let app: FastifyInstance;
let config: Config;
let outputPath: string;
let outside: string;
let redis: Redis;
const files: Record<string, Buffer> = {};

function asset(relPath: string, fileName = path.basename(relPath)): Asset {
  const id = assetIdForPath(relPath);
  return { id, type: 'image', fileName, relPath, size: 0, mimeType: 'image/png', createdAt: '2030-01-01T00:00:00Z', ...assetUrls(id), meta: {} };
}
const id = (rel: string) => assetIdForPath(rel);
const download = (ids: string[], q = '') => app.inject({ url: `/api/assets/download?ids=${ids.join(',')}${q}` });

async function put(rel: string, body: Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(outputPath, rel)), { recursive: true });
  await writeFile(path.join(outputPath, rel), body);
  files[rel] = body;
}

beforeAll(async () => {
  outside = await mkdtemp(path.join(tmpdir(), 'orch-zip-outside-'));
  ({ config, outputPath } = await testConfig('asset-download', { DATA_PATH: outside }));
  redis = newRedis();
  await put('x/a.png', randomBytes(3000));
  await put('x/a.png.json', Buffer.from(JSON.stringify({ version: 1, meta: { prompt: 'a lighthouse' } })));
  await put('y/a.png', randomBytes(2000));
  await put('z/A.png', randomBytes(1000));
  await put('notes.txt', Buffer.from('hello '.repeat(500)));
  for (const n of [1, 2, 3]) await put(`big/${n}.png`, randomBytes(8 * 1024 * 1024));
  await writeFile(path.join(outside, 'secret.png'), 'top secret');
  await symlink(path.join(outside, 'secret.png'), path.join(outputPath, 'escape.png'));
  const store = new AssetStore(redis, config.keyPrefix);
  for (const rel of ['x/a.png', 'y/a.png', 'z/A.png', 'notes.txt', 'escape.png', 'gone.png', 'big/1.png', 'big/2.png', 'big/3.png']) await store.put(asset(rel));
  await store.put(asset('evil.png', '../../etc/passwd'));
  await put('evil.png', randomBytes(10));
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false } }); // fixed records, no indexer
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, outputPath);
  await rm(outside, { recursive: true, force: true });
  redis.disconnect();
});

describe('GET /api/assets/download', () => {
  it('streams one zip with unique names, sidecars, stored media and a missing.txt', async () => {
    const ids = ['x/a.png', 'y/a.png', 'z/A.png', 'notes.txt', 'escape.png', 'gone.png'].map(id);
    const res = await download([...ids, 'ffffffffffffffff']);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="assets-\d{4}-\d\d-\d\d\.zip"/);
    expect(res.headers['x-missing-assets']).toBe('3');
    const entries = readZip(res.rawPayload);
    expect(entries.map((e) => e.name)).toEqual(['a.png', 'a.png.json', 'a (1).png', 'A (2).png', 'notes.txt', 'missing.txt']);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('a.png')!.data.equals(files['x/a.png']!)).toBe(true);
    expect(byName.get('a.png')!.method).toBe(0); // PNG is stored, not deflated again
    expect(byName.get('a.png.json')!.data.equals(files['x/a.png.json']!)).toBe(true);
    expect(byName.get('a (1).png')!.data.equals(files['y/a.png']!)).toBe(true);
    expect(byName.get('A (2).png')!.data.equals(files['z/A.png']!)).toBe(true);
    expect(byName.get('notes.txt')!.method).toBe(8);
    expect(byName.get('notes.txt')!.compressedSize).toBeLessThan(files['notes.txt']!.length);
    const missing = byName.get('missing.txt')!.data.toString();
    expect(missing).toContain(`${id('escape.png')}\toutside the output folder`);
    expect(missing).toContain(`${id('gone.png')}\tfile not found`);
    expect(missing).toContain('ffffffffffffffff\tnot in the gallery');
    expect(res.rawPayload.includes(Buffer.from('top secret'))).toBe(false);
  });

  it('opens cleanly with unzip, when unzip is installed', async () => {
    const unzip = await promisify(execFile)('unzip', ['-v']).then(
      () => true,
      () => false,
    );
    if (!unzip) return;
    const zipFile = path.join(outside, 'check.zip');
    await writeFile(zipFile, (await download([id('x/a.png'), id('notes.txt')])).rawPayload);
    const { stdout } = await promisify(execFile)('unzip', ['-t', zipFile]);
    expect(stdout).toContain('No errors detected');
  });

  it('leaves sidecars out with sidecars=0, and repeats an id only once', async () => {
    const res = await download([id('x/a.png'), id('x/a.png')], '&sidecars=0');
    expect(readZip(res.rawPayload).map((e) => e.name)).toEqual(['a.png']);
    expect(res.headers['x-missing-assets']).toBe('0');
  });

  it('keeps a recorded file name from writing outside the folder it is unzipped into', async () => {
    const names = readZip((await download([id('evil.png')])).rawPayload).map((e) => e.name);
    expect(names).toEqual(['passwd']);
  });

  it('answers 404 when none of the ids has a file', async () => {
    const res = await download([id('gone.png'), 'ffffffffffffffff', id('escape.png')]);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('accepts up to 1000 ids and refuses more, or ids that are not asset ids, with 400', async () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => i.toString(16).padStart(16, '0'));
    expect((await download(thousand)).statusCode).toBe(404);
    for (const ids of [[...thousand, 'ffffffffffffffff'], [], ['..%2F..%2Fetc%2Fpasswd'], ['ABCDEF0123456789'], [`${id('x/a.png')}%00`], [id('x/a.png'), '']]) {
      const res = await download(ids);
      expect(res.statusCode, ids.slice(0, 2).join(',')).toBe(400);
      expect(res.json()).toMatchObject({ error: 'validation_failed' });
    }
    expect((await app.inject({ url: '/api/assets/download' })).statusCode).toBe(400);
  });

  it('takes a large selection as a POSTed form or JSON body: one zip, beyond what fits in a URL', async () => {
    const many = [id('x/a.png'), ...Array.from({ length: 1500 }, (_, i) => i.toString(16).padStart(16, '0'))];
    const form = await app.inject({ method: 'POST', url: '/api/assets/download', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `ids=${many.join(',')}&sidecars=0` });
    expect(form.statusCode, form.body.slice(0, 200)).toBe(200);
    expect(form.headers['x-missing-assets']).toBe('1500');
    const names = (readZip(form.rawPayload)).map((e) => e.name);
    expect(names).toContain('a.png');
    expect(names).not.toContain('a.png.json');
    const json = await app.inject({ method: 'POST', url: '/api/assets/download', payload: { ids: id('x/a.png') } });
    expect(json.statusCode).toBe(200);
    expect((readZip(json.rawPayload)).map((e) => e.name)).toContain('a.png.json');
  });

  it('refuses a POSTed list that is too long, malformed, or sent as another type', async () => {
    const tooMany = Array.from({ length: 10_001 }, (_, i) => i.toString(16).padStart(16, '0')).join(',');
    const post = (payload: string, type = 'application/x-www-form-urlencoded') => app.inject({ method: 'POST', url: '/api/assets/download', headers: { 'content-type': type }, payload });
    expect((await post(`ids=${tooMany}`)).statusCode).toBe(400);
    expect((await post('ids=..%2F..%2Fetc%2Fpasswd')).json()).toMatchObject({ error: 'validation_failed' });
    expect((await post(`ids=${id('x/a.png')}&evil=1`)).statusCode).toBe(400);
    expect((await post('')).statusCode).toBe(400);
    expect((await post(`ids=${id('x/a.png')}`, 'text/plain')).statusCode).toBe(415);
  });

  it.skipIf(process.platform !== 'linux')('closes the file it was reading when the client goes away mid-stream', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const bigIds = [1, 2, 3].map((n) => id(`big/${n}.png`)).join(',');
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/assets/download?ids=${bigIds}` }, (res) => {
        expect(res.statusCode).toBe(200);
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 256 * 1024) {
            req.destroy();
            resolve();
          }
        });
        res.on('end', () => reject(new Error('the whole zip arrived before the abort')));
      });
      req.on('error', () => undefined);
    });
    const bigDir = path.join(outputPath, 'big');
    const openBigFiles = async () => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t.startsWith(bigDir));
    };
    const deadline = Date.now() + 5000;
    while ((await openBigFiles()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await openBigFiles()).toEqual([]);
    expect(received).toBeLessThan(24 * 1024 * 1024);
  });
});
