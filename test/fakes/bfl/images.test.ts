// The fake's encoders make real files: PNG chunks and CRCs check out, and JPEG/WebP headers carry the size.
import { describe, expect, it } from 'vitest';
import { encodeImage, encodeJpeg, gradient } from './images.js';
import { checkPng, probe } from './probe.js';

describe('fake BFL image encoders', () => {
  it('writes a PNG whose chunks, CRCs and IDAT size are valid, with tEXt metadata', () => {
    const png = encodeImage('png', 33, 17, 5, { prompt: 'hello' });
    expect(checkPng(png)).toEqual({ width: 33, height: 17, text: { prompt: 'hello' } });
  });

  it.each(['jpeg', 'webp'] as const)('writes a %s whose header carries odd sizes', (format) => {
    expect(probe(encodeImage(format, 1021, 77, 1))).toEqual({ format, width: 1021, height: 77 });
  });

  it('ends the JPEG entropy data with EOI and never leaves an unstuffed 0xFF inside it', () => {
    const jpg = encodeJpeg(64, 64, gradient(64, 64, 255));
    expect(jpg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    const sos = jpg.indexOf(Buffer.from([0xff, 0xda]));
    const data = jpg.subarray(sos + 2 + jpg.readUInt16BE(sos + 2), -2);
    for (let i = 0; i < data.length; i++) if (data[i] === 0xff) expect(data[i + 1]).toBe(0);
  });
});
