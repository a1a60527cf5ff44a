import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../../test/fakes/comfyui/png.js';
import { encodeVp8l, writeWebp } from '../../../../test/fakes/comfyui/webp.js';
import { webpSize, withFileSize } from './output-meta.js';

const grey = (w: number) => (_y: number, row: Buffer) => row.fill(128, 0, w * 3);

/** A still WebP with a bare VP8L chunk (no VP8X), as simple encoders write it. */
function simpleWebp(w: number, h: number): Buffer {
  const bits = encodeVp8l(w, h, grey(w));
  const chunk = Buffer.alloc(8);
  chunk.write('VP8L', 0, 'latin1');
  chunk.writeUInt32LE(bits.length, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + 8 + bits.length, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, chunk, bits]);
}

describe('output metadata records the file’s own size', () => {
  it('reads an animated WebP’s canvas (VP8X) and a still one’s (VP8L)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'output-meta-'));
    try {
      await writeWebp(join(dir, 'clip.webp'), 72, 40, 3, () => grey(72), 100, null);
      expect(webpSize(await readFile(join(dir, 'clip.webp')))).toEqual({ width: 72, height: 40 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(webpSize(simpleWebp(33, 17))).toEqual({ width: 33, height: 17 });
    expect(webpSize(Buffer.from('not a webp at all, just some text'))).toBeNull();
  });

  it('replaces the requested width × height by the file’s (PNG or WebP), and keeps the object when they agree', () => {
    const meta = { prompt: 'a fox', width: 640, height: 384, seed: 7 };
    expect(withFileSize(meta, encodePng(320, 192, grey(320)))).toEqual({ prompt: 'a fox', width: 320, height: 192, seed: 7 });
    expect(withFileSize({ prompt: 'no size' }, simpleWebp(50, 30))).toEqual({ prompt: 'no size', width: 50, height: 30 });
    const same = { width: 50, height: 30 };
    expect(withFileSize(same, simpleWebp(50, 30))).toBe(same);
    expect(withFileSize(meta, Buffer.from('unreadable'))).toBe(meta);
  });
});
