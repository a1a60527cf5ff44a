import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChunk } from '../png-text.js';
import { pngDecoder, withDecodedPng, type RawImage } from './png-fast-decode.js';
import { makeThumbnail } from './thumbnail-recipe.js';

const root = path.resolve(import.meta.dirname, '../../..');
// Where the decoder must be available: Linux with Debian's libdeflate0 (CI installs it).
const libdeflateInstalled = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/lib64'].some((dir) =>
  existsSync(path.join(dir, 'libdeflate.so.0')),
);

const chunk = (type: string, data: Buffer) => Buffer.from(makeChunk(type, data));

function paeth(a: number, b: number, c: number): number {
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(a + b - 2 * c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Row filters: each in turn; Paeth throughout (as Pillow writes photos: rows decoded in pairs); runs of each. */
const FILTERS = {
  rotating: (y: number) => y % 5,
  paeth: () => 4,
  runs: (y: number) => [4, 4, 4, 0, 4, 1, 4, 4, 2, 3, 4][y % 11]!,
};

/**
 * An 8-bit PNG written by hand, with the row filters chosen (`filterOf`), the IDAT data split into
 * several chunks, and `extra` chunks before the first IDAT.
 */
function craftPng(pixels: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4, extra: Buffer[] = [], filterOf: (y: number) => number = FILTERS.rotating): Buffer {
  const colourType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const stride = width * channels;
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter = filterOf(y);
    filtered[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const x = pixels[y * stride + i]!;
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      filtered[y * (stride + 1) + 1 + i] = (x - predicted) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  const z = deflateSync(filtered);
  const third = Math.ceil(z.length / 3);
  const idats = [0, 1, 2].map((k) => chunk('IDAT', z.subarray(k * third, (k + 1) * third)));
  const text = chunk('tEXt', Buffer.from('parameters\0a lighthouse'));
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), text, ...extra, ...idats, chunk('IEND', Buffer.alloc(0))]);
}

/** Pixels with structure (gradients) and grain, so that every filter predicts something different. */
function samplePixels(width: number, height: number, channels: number, seed: number): Buffer {
  const out = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const x = Math.floor(i / channels) % width;
    const y = Math.floor(i / channels / width);
    out[i] = (x * 3 + y * 5 + (i % channels) * 60 + (s >> 16) % 23) & 0xff;
  }
  return out;
}

// Built before anything loads it (the decoder is loaded once per process).
const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-native.mjs')], { encoding: 'utf8' });
const decode = (file: string, maxPixels = 100_000_000) => withDecodedPng(file, maxPixels, async (image: RawImage) => ({ ...image, data: Buffer.from(image.data) }));

describe('the native PNG decoder', () => {
  let dir: string;
  beforeAll(async () => {
    expect(built.status, built.stderr).toBe(0);
    dir = await mkdtemp(path.join(tmpdir(), 'orch-png-decode-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.runIf(process.platform === 'linux' && libdeflateInstalled)('is built and finds libdeflate', () => {
    expect(pngDecoder()).toEqual({ native: true, reason: 'libdeflate' });
  });

  describe.runIf(pngDecoder().native)('with the decoder', () => {
    it.each([
      [1, 37, 23, 'rotating'],
      [2, 64, 9, 'rotating'],
      [3, 301, 117, 'rotating'],
      [4, 5, 40, 'rotating'],
      [3, 1, 1, 'rotating'],
      [3, 257, 101, 'paeth'],
      [4, 130, 64, 'paeth'],
      [3, 1, 7, 'paeth'],
      [4, 2, 2, 'paeth'],
      [3, 99, 50, 'runs'],
      [4, 31, 45, 'runs'],
      [1, 50, 20, 'paeth'],
      [2, 21, 13, 'runs'],
    ] as const)('decodes %i channel(s) at %i×%i, row filters %s, to the pixels sharp decodes', async (channels, width, height, filters) => {
      const pixels = samplePixels(width, height, channels, width * height);
      const file = path.join(dir, `crafted-${channels}-${width}x${height}-${filters}.png`);
      await writeFile(file, craftPng(pixels, width, height, channels, [], FILTERS[filters]));
      const image = await decode(file);
      expect(image).toMatchObject({ width, height, channels });
      expect(image!.data.equals(pixels)).toBe(true);
      // sharp's raw output turns gray into RGB: compare after the same conversion on both sides.
      const bySharp = await sharp(file).raw().toBuffer();
      expect(bySharp.equals(await sharp(pixels, { raw: { width, height, channels } }).raw().toBuffer())).toBe(true);
    });

    it('gives the thumbnail the same bytes as sharp decoding the file itself', async () => {
      const files: string[] = [];
      for (const channels of [1, 2, 3, 4] as const) {
        const file = path.join(dir, `thumb-${channels}.png`);
        await writeFile(file, craftPng(samplePixels(700, 500, channels, channels), 700, 500, channels));
        files.push(file);
      }
      // sharp's own encoder (adaptive filters, one IDAT stream as most tools write it).
      const encoded = path.join(dir, 'by-sharp.png');
      await sharp({ create: { width: 900, height: 640, channels: 3, background: '#3a6', noise: { type: 'gaussian', mean: 120, sigma: 30 } } })
        .png({ adaptiveFiltering: true })
        .toFile(encoded);
      files.push(encoded);
      for (const file of files) {
        const fast = await makeThumbnail(file);
        const viaSharp = await makeThumbnail(await readFile(file)); // bytes: always sharp's decoder
        expect(fast.equals(viaSharp), file).toBe(true);
        expect((await decode(file))?.width, `${file} went through the native decoder`).toBeGreaterThan(0);
      }
    });

    it('decodes files side by side, each into its own pixels (the buffer pool)', async () => {
      const sizes = [
        [640, 480],
        [33, 1200],
        [1024, 1024],
        [7, 7],
        [1500, 900],
        [640, 480],
      ] as const;
      const expected = await Promise.all(
        sizes.map(async ([w, h], k) => {
          const pixels = samplePixels(w, h, 3, k + 1);
          const file = path.join(dir, `parallel-${k}.png`);
          await writeFile(file, craftPng(pixels, w, h, 3));
          return { file, pixels };
        }),
      );
      for (let round = 0; round < 2; round++) {
        const decoded = await Promise.all(expected.map(({ file }) => decode(file)));
        decoded.forEach((image, k) => expect(image!.data.equals(expected[k]!.pixels)).toBe(true));
      }
    });

    it('leaves to sharp what it does not decode exactly like sharp, and makeThumbnail still makes those', async () => {
      const pixels = samplePixels(40, 30, 3, 7);
      const base = sharp(pixels, { raw: { width: 40, height: 30, channels: 3 } });
      const gamma = Buffer.alloc(4);
      gamma.writeUInt32BE(45455, 0);
      const cases: Record<string, Buffer> = {
        interlaced: await base.clone().png({ progressive: true }).toBuffer(),
        palette: await base.clone().png({ palette: true }).toBuffer(),
        sixteenBit: await base.clone().toColourspace('rgb16').png().toBuffer(),
        gamma: craftPng(pixels, 40, 30, 3, [chunk('gAMA', gamma)]),
        colourProfile: await base.clone().withIccProfile('p3').png().toBuffer(),
        jpegNamedPng: await base.clone().jpeg().toBuffer(),
      };
      for (const [name, bytes] of Object.entries(cases)) {
        const file = path.join(dir, `${name}.png`);
        await writeFile(file, bytes);
        expect(await decode(file), name).toBeNull();
        const thumb = await makeThumbnail(file);
        expect(thumb.equals(await makeThumbnail(bytes)), name).toBe(true);
      }
    });

    it('answers null for damaged files, missing files and images over the pixel limit, and never crashes', async () => {
      const pixels = samplePixels(60, 40, 4, 3);
      const good = craftPng(pixels, 60, 40, 4);
      const file = path.join(dir, 'damaged.png');
      const tryBytes = async (bytes: Buffer) => {
        await writeFile(file, bytes);
        return decode(file);
      };
      // Cut anywhere (the last 12 bytes are IEND: without it the file is not whole either).
      for (const at of [0, 7, 8, 20, 33, 60, good.length / 2, good.length - 13, good.length - 1]) {
        expect(await tryBytes(good.subarray(0, Math.floor(at))), `cut at ${at}`).toBeNull();
      }
      // An image that claims more pixels than its data holds, or an absurd size.
      for (const [w, h] of [
        [61, 40],
        [60, 41],
        [0x7fffffff, 0x7fffffff],
        [0x80000000, 1],
      ]) {
        const lying = Buffer.from(good);
        lying.writeUInt32BE(w!, 16);
        lying.writeUInt32BE(h!, 20);
        expect(await tryBytes(lying), `${w}×${h}`).toBeNull();
      }
      // Bytes flipped at random: decoded or refused (the checksum), never a crash or a throw.
      let seed = 42;
      for (let k = 0; k < 300; k++) {
        const bad = Buffer.from(good);
        for (let f = 0; f < 1 + (k % 4); f++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const at = 8 + (seed % (bad.length - 8));
          bad[at] = bad[at]! ^ (1 + (seed % 255));
        }
        const image = await tryBytes(bad);
        if (image) expect(image.data.length).toBe(image.width * image.height * image.channels);
      }
      expect(await decode(path.join(dir, 'missing.png'))).toBeNull();
      await writeFile(file, good);
      expect(await decode(file, 60 * 40 - 1)).toBeNull();
      expect(await decode(file, 60 * 40)).toMatchObject({ width: 60, height: 40 });
    });
  });
});
