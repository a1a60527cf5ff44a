import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { crc32, isPng, pngSize, readPngText, writePngText } from './png-text.js';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function tinyPng(width: number, height: number, text: Record<string, string> = {}): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1'))),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('PNG text chunks', () => {
  it('keeps existing chunks, adds ours before the image data, and reads both back', () => {
    const png = tinyPng(3, 2, { prompt: '{"1":{}}' });
    const out = writePngText(png, { orchestrator: '{"seed":42}', note: 'café ☕ unicode' });
    expect(isPng(out)).toBe(true);
    expect(pngSize(out)).toEqual({ width: 3, height: 2 });
    expect(readPngText(out)).toEqual({ prompt: '{"1":{}}', orchestrator: '{"seed":42}', note: 'café ☕ unicode' });
    const idat = Buffer.from(out).indexOf('IDAT');
    expect(Buffer.from(out).indexOf('orchestrator')).toBeLessThan(idat);
  });

  it('replaces a chunk with the same keyword instead of duplicating it', () => {
    const once = writePngText(tinyPng(1, 1), { orchestrator: 'a' });
    const twice = writePngText(once, { orchestrator: 'b' });
    expect(readPngText(twice)).toEqual({ orchestrator: 'b' });
    expect(twice.length).toBe(once.length);
  });

  it('reads what it can from truncated or foreign bytes and never throws while reading', () => {
    const png = writePngText(tinyPng(4, 4), { prompt: 'x' });
    expect(readPngText(png.subarray(0, 60))).toEqual({ prompt: 'x' });
    expect(readPngText(new Uint8Array([1, 2, 3]))).toEqual({});
    expect(() => writePngText(new Uint8Array(10), {})).toThrow(/not a PNG/);
  });
});
