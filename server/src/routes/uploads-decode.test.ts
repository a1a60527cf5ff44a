import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_PIXELS, type Config } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * An upload is what an image decoder says it is, within the limits every provider shares (the hostile
 * test had a 50000×50000 PNG accepted and sent to SVD, PNG+HTML and header-only WebP "images" accepted,
 * and a 24 MB upload accepted that the FLUX job using it then refused). This server runs with the
 * default limits: the shared ones.
 */

let app: FastifyInstance;
let config: Config;
let tmp: string;
let redis: Redis;
const BOUNDARY = '----decode-test-boundary';

function form(data: Buffer, filename = 'image.png'): { payload: Buffer; headers: Record<string, string> } {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}
const upload = (data: Buffer, filename?: string) => app.inject({ method: 'POST', url: '/api/uploads', ...form(data, filename) });
const kept = async () => (await readdir(path.join(config.dataPath, 'uploads'))).sort();
const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 120, b: 200 } } });

/** A PNG chunk with its length and CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A well-formed PNG header declaring `w`×`h` (valid IHDR and CRCs) with one tiny IDAT: what the hostile test sent. */
function declaredPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  redis = newRedis();
  ({ config, outputPath: tmp } = await testConfig('uploads-decode'));
  app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false }, reconcile: false });
});

afterAll(async () => {
  await app.close();
  await cleanup(redis, config, tmp);
  redis.disconnect();
});

describe('uploads are checked by decoding their header', () => {
  it('refuses a PNG declaring 50000×50000 with 413 image_too_large, naming the size, and keeps nothing', async () => {
    const before = await kept();
    const res = await upload(declaredPng(50_000, 50_000));
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json()).toMatchObject({ error: 'image_too_large', details: { width: 50_000, height: 50_000, maxPixels: MAX_INPUT_IMAGE_PIXELS } });
    expect(res.json<{ message: string }>().message).toMatch(/50000×50000/);
    expect(await kept()).toEqual(before);
  });

  it('takes an image right at the pixel cap and refuses one pixel row more', async () => {
    const side = 8000;
    const rows = MAX_INPUT_IMAGE_PIXELS / side;
    expect((await upload(declaredPng(side, rows))).statusCode).toBe(201);
    expect((await upload(declaredPng(side, rows + 1))).statusCode).toBe(413);
  });

  it.each([
    ['a PNG signature followed by HTML', async () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<!doctype html><script>alert(1)</script>'.repeat(4))])],
    ['a PNG header (IHDR) followed by HTML', async () => Buffer.concat([declaredPng(8, 8).subarray(0, 33), Buffer.from('<html><body onload="alert(1)"></body></html>')])],
    ['a header-only WebP', async () => (await image(16, 16).webp().toBuffer()).subarray(0, 30)],
    ['a WebP that declares more than it holds', async () => {
      const webp = await image(16, 16).webp().toBuffer();
      return Buffer.concat([webp.subarray(0, 20), Buffer.alloc(40)]);
    }],
    ['a JPEG cut inside its header', async () => (await image(64, 64).jpeg().toBuffer()).subarray(0, 120)],
    ['a PNG with a zero height', async () => declaredPng(10, 0)],
  ])('refuses %s with 415 and keeps nothing', async (_label, make) => {
    const before = await kept();
    const res = await upload(await make());
    expect(res.statusCode, res.body).toBe(415);
    expect(res.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect(await kept()).toEqual(before);
  });

  it('holds uploads to the shared input limit, the one FLUX and ComfyUI jobs check too', async () => {
    const png = await image(32, 32).png().toBuffer();
    // A real PNG padded to exactly the limit (bytes after IEND are ignored by decoders) is accepted…
    const atLimit = Buffer.concat([png, Buffer.alloc(MAX_INPUT_IMAGE_BYTES - png.length)]);
    const ok = await upload(atLimit);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ size: MAX_INPUT_IMAGE_BYTES, width: 32, height: 32 });
    // …one byte more is not: a 24 MB upload no longer gets in only to fail the job that uses it.
    const over = await upload(Buffer.concat([atLimit, Buffer.alloc(1)]));
    expect([over.statusCode, over.json().error]).toEqual([413, 'too_large']);
    expect(MAX_INPUT_IMAGE_BYTES).toBe(20 * 1024 * 1024);
  });
});
