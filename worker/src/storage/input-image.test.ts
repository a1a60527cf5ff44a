import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { LocalFileStore, MAX_INPUT_IMAGE_BYTES } from '@orchestrator/shared';
import { loadInputImage } from '../providers/bfl/input-image.js';
import { resolveInputImage } from '../providers/comfyui/input-image.js';
import { readInputImage } from './input-image.js';

/*
 * Input images against the limits the uploads route holds them to (shared MAX_INPUT_IMAGE_*): what an
 * upload may be, both providers take; a gallery image (never checked on arrival) over them is refused
 * with a message instead of being sent on.
 */

let dir: string;
let uploads: LocalFileStore;
const UPLOAD = '0e9b7f8c-1d7a-4c1b-9c6e-2b5d8a7f3e10';
const HUGE = '1e9b7f8c-1d7a-4c1b-9c6e-2b5d8a7f3e10';
const OVER = '2e9b7f8c-1d7a-4c1b-9c6e-2b5d8a7f3e10';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
  return Buffer.concat([len, Buffer.from(type), data, crc]);
}
function png(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-input-image-'));
  uploads = new LocalFileStore(dir);
  const atLimit = Buffer.concat([png(64, 64), Buffer.alloc(MAX_INPUT_IMAGE_BYTES - png(64, 64).length)]);
  await writeFile(path.join(dir, `${UPLOAD}.png`), atLimit);
  await writeFile(path.join(dir, `${HUGE}.png`), png(50_000, 50_000));
  await writeFile(path.join(dir, `${OVER}.png`), Buffer.concat([atLimit, Buffer.alloc(1)]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('input images', () => {
  it('an upload at the size limit is taken by FLUX and by ComfyUI alike', async () => {
    const roots = { uploads, output: uploads, assets: { get: async () => null } as never };
    expect((await loadInputImage(UPLOAD, roots)).length).toBeGreaterThan(MAX_INPUT_IMAGE_BYTES);
    expect((await resolveInputImage(UPLOAD, { uploads, output: uploads })).bytes.length).toBe(MAX_INPUT_IMAGE_BYTES);
  });

  it('one byte more is refused by both, the same way', async () => {
    const roots = { uploads, output: uploads, assets: { get: async () => null } as never };
    await expect(loadInputImage(OVER, roots)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/larger than 20 MB/) });
    await expect(resolveInputImage(OVER, { uploads, output: uploads })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an image declaring 50000×50000 is refused before it is sent anywhere', async () => {
    await expect(readInputImage(HUGE, { uploads, output: uploads }, MAX_INPUT_IMAGE_BYTES)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/50000×50000 \(2500 MP\); at most 40 MP/),
    });
  });
});
