import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../http/error-handler.js';
import { resolveInside } from './safe-path.js';
import { sendFile } from './send-file.js';

/*
 * sendFile on its own: @fastify/send streams, our rules decide (file-headers.ts). The routes' tests
 * (routes/asset-files.test.ts, assets.test.ts, uploads, trash, storage) cover the same answers through
 * the real routes; these are the cases they do not reach.
 */

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = Buffer.concat([PNG_HEAD, Buffer.alloc(92, 7)]); // 100 bytes that sniff as PNG

let root: string;
let outside: string;
let app: FastifyInstance;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-send-file-'));
  outside = await mkdtemp(path.join(tmpdir(), 'orch-send-file-outside-'));
  for (const name of ['img.png', '100% a%20b.png', '.hidden.png', 'ünï code.png']) await writeFile(path.join(root, name), png);
  await writeFile(path.join(root, 'empty.bin'), '');
  await writeFile(path.join(root, 'page.html'), '<script>alert(1)</script>');
  await mkdir(path.join(root, 'folder'));
  await writeFile(path.join(outside, 'secret.png'), png);
  await symlink(path.join(outside, 'secret.png'), path.join(root, 'link.png'));
  app = Fastify();
  app.setErrorHandler(errorHandler);
  app.get<{ Params: { name: string }; Querystring: { type?: string } }>('/f/:name', async (request, reply) =>
    sendFile(request, reply, await resolveInside(root, request.params.name), { mediaType: request.query.type, downloadName: request.params.name }),
  );
});

afterAll(async () => {
  await app?.close();
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const get = (name: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url: `/f/${encodeURIComponent(name)}`, headers });

describe('sendFile', () => {
  it('serves names that look like URL escapes, dot files and non-ASCII names as they are on disk', async () => {
    for (const name of ['100% a%20b.png', '.hidden.png', 'ünï code.png']) {
      const res = await get(name);
      expect(res.statusCode, name).toBe(200);
      expect(res.rawPayload.equals(png), name).toBe(true);
      expect(res.headers['content-type']).toBe('image/png');
    }
  });

  it('answers HEAD with the headers and Content-Length of a GET, and no body', async () => {
    const res = await get('img.png', {}, 'HEAD');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(png.length));
    expect(res.headers.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(res.rawPayload.length).toBe(0);
    const part = await get('img.png', { range: 'bytes=0-9' }, 'HEAD');
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-length']).toBe('10');
  });

  it('gives the whole file as 206 for a suffix range longer than it (RFC 9110 §14.1.2)', async () => {
    const res = await get('img.png', { range: 'bytes=-500' });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 0-99/${png.length}`);
    expect(res.rawPayload.equals(png)).toBe(true);
  });

  it('serves an empty file, and answers any range of it 416 in the error shape with Content-Range and the file headers', async () => {
    const whole = await get('empty.bin');
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-length']).toBe('0');
    const res = await get('empty.bin', { range: 'bytes=0-' });
    expect(res.statusCode).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */0');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.json()).toEqual({ error: 'range_not_satisfiable', message: 'The file has 0 bytes' });
  });

  it('sends a file of no type it serves inline as an octet-stream attachment; a recorded inline type goes out sandboxed', async () => {
    const res = await get('page.html');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="page.html"/);
    const claimed = await app.inject({ url: '/f/page.html?type=image/png' });
    expect(claimed.headers['content-type']).toBe('image/png');
    expect(claimed.headers['x-content-type-options']).toBe('nosniff');
    expect(claimed.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });

  it('ignores If-Match and If-Unmodified-Since, as before (no 412)', async () => {
    expect((await get('img.png', { 'if-match': '"other"' })).statusCode).toBe(200);
    expect((await get('img.png', { 'if-unmodified-since': new Date(0).toUTCString() })).statusCode).toBe(200);
  });

  it('answers 404 for a folder and 403 for a symlink that leaves the root', async () => {
    expect((await get('folder')).statusCode).toBe(404);
    expect((await get('missing.png')).statusCode).toBe(404);
    const link = await get('link.png');
    expect(link.statusCode).toBe(403);
    expect(link.json()).toMatchObject({ error: 'forbidden' });
  });
});
