import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import type { Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

const MAX = 256 * 1024;
let redis: Redis;
let config: Config;
let tmp: string;
let app: FastifyInstance;
const BOUNDARY = '----orchestrator-test-boundary';

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

const upload = (parts: Part[]) => app.inject({ method: 'POST', url: '/api/uploads', ...multipart(parts) });
const file = (data: Buffer | string, filename = 'image.png', type = 'image/png'): Part => ({ name: 'file', filename, type, data });
const uploadsDir = () => path.join(config.dataPath, 'uploads');
const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } });

let png: Buffer;

beforeAll(async () => {
  redis = newRedis();
  ({ config, outputPath: tmp } = await testConfig('uploads'));
  app = await buildServer(config, { logger: false, uploads: { maxBytes: MAX } });
  png = await image(7, 5).png().toBuffer();
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, tmp);
  redis.disconnect();
});

describe('POST /api/uploads', () => {
  it.each([
    ['PNG', 'image/png', () => image(7, 5).png().toBuffer()],
    ['JPEG', 'image/jpeg', () => image(33, 17).jpeg().withExif({ IFD0: { Copyright: 'test' } }).toBuffer()],
    ['progressive JPEG', 'image/jpeg', () => image(12, 40).jpeg({ progressive: true }).toBuffer()],
    ['lossy WebP', 'image/webp', () => image(30, 20).removeAlpha().webp().toBuffer()],
    ['lossless WebP', 'image/webp', () => image(9, 300).webp({ lossless: true }).toBuffer()],
    ['WebP with alpha (VP8X)', 'image/webp', () => image(21, 8).webp({ alphaQuality: 50 }).toBuffer()],
  ])('accepts a %s, records its sniffed type and size, and serves it back', async (_label, type, make) => {
    const bytes = await make();
    const meta = await sharp(bytes).metadata();
    const res = await upload([file(bytes, 'photo.bin', 'application/octet-stream')]);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ type, size: bytes.length, width: meta.width, height: meta.height, originalName: 'photo.bin' });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body.url).toBe(`/api/uploads/${body.id}`);
    const back = await app.inject({ url: body.url });
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe(type);
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    expect(back.rawPayload.equals(bytes)).toBe(true);
    expect((await app.inject({ url: `${body.url}/meta` })).json()).toEqual(body);
  });

  it.each([
    ['a GIF', async () => image(4, 4).gif().toBuffer(), 'anim.gif', 'image/gif'],
    ['an SVG renamed .png', async () => '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'x.png', 'image/png'],
    ['HTML renamed .png', async () => '<!doctype html><script>alert(1)</script>', 'page.png', 'image/png'],
    ['a PNG signature with no header behind it', async () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'cut.png', 'image/png'],
  ])('refuses %s with 415 and keeps nothing', async (_label, make, name, type) => {
    const res = await upload([file(await make(), name, type)]);
    expect(res.statusCode, res.body).toBe(415);
    expect(res.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect((await readdir(uploadsDir())).filter((f) => f.startsWith('.partial'))).toEqual([]);
  });

  it('refuses a file over the cap with 413, whether announced or discovered while streaming', async () => {
    const before = await readdir(uploadsDir());
    // Just over the cap: the body's length is within the envelope allowance, so the parser's cap catches it.
    const res = await upload([file(Buffer.concat([png, Buffer.alloc(MAX)]))]);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json()).toMatchObject({ error: 'too_large' });
    // Far over: refused from Content-Length before reading the body.
    const announced = await upload([file(Buffer.concat([png, Buffer.alloc(2 * MAX)]))]);
    expect([announced.statusCode, announced.json().error]).toEqual([413, 'too_large']);
    expect(await readdir(uploadsDir())).toEqual(before);
  });

  it('ignores path traversal in the file name', async () => {
    const res = await upload([file(png, '../../../evil.png')]);
    expect(res.statusCode).toBe(201);
    const { id, originalName } = res.json();
    expect(originalName).toBe('evil.png');
    expect(await readdir(uploadsDir())).toEqual(expect.arrayContaining([`${id}.png`, `${id}.json`]));
    expect(await readdir(config.dataPath)).not.toContain('evil.png');
  });

  it('answers 400 for no file, two files or a file in another field, and 415 for a body that is not multipart', async () => {
    const before = await readdir(uploadsDir());
    expect((await upload([{ name: 'note', data: 'hello' }])).json()).toMatchObject({ error: 'missing_file' });
    const two = await upload([file(png), file(png, 'b.png')]);
    expect([two.statusCode, two.json().error]).toEqual([400, 'too_many_files']);
    const other = await upload([{ ...file(png), name: 'image' }]);
    expect([other.statusCode, other.json().error]).toEqual([400, 'unexpected_file_field']);
    const empty = await upload([file('')]);
    expect(empty.statusCode).toBe(400);
    expect(await readdir(uploadsDir())).toEqual(before);

    const json = await app.inject({ method: 'POST', url: '/api/uploads', payload: { file: 'x' } });
    expect([json.statusCode, json.json().error]).toEqual([415, 'unsupported_media_type']);
    const raw = await app.inject({ method: 'POST', url: '/api/uploads', payload: png, headers: { 'content-type': 'image/png' } });
    expect(raw.statusCode).toBe(415);
    const noBoundary = await app.inject({ method: 'POST', url: '/api/uploads', payload: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expect(noBoundary.statusCode).toBe(400);
  });

  it('answers 404 for an unknown upload and 400 for an id that is not one', async () => {
    expect((await app.inject({ url: '/api/uploads/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/uploads/00000000-0000-4000-8000-000000000000/meta' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/uploads/..%2F..%2Fetc%2Fpasswd' })).statusCode).toBe(400);
  });

  it('removes the partial file when the client goes away mid-upload', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const before = await readdir(uploadsDir());
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${MAX}\r\n\r\n`,
    );
    socket.write(Buffer.concat([head, png, Buffer.alloc(4096)]));
    // Wait until the partial file exists, then hang up.
    for (let i = 0; i < 100 && (await readdir(uploadsDir())).length === before.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await readdir(uploadsDir())).some((f) => f.startsWith('.partial-'))).toBe(true);
    socket.destroy();
    for (let i = 0; i < 100 && (await readdir(uploadsDir())).length !== before.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readdir(uploadsDir())).toEqual(before);
  });
});
