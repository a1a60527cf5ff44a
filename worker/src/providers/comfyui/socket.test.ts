import { describe, expect, it } from 'vitest';
import { parseBinaryFrame } from './socket.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

describe('binary preview frames', () => {
  it('parses a legacy type-1 frame (format 2 = PNG)', () => {
    const f = parseBinaryFrame(Buffer.concat([u32(1), u32(2), Buffer.from([0x89, 0x50])]));
    expect(f).toEqual({ mimeType: 'image/png', bytes: Buffer.from([0x89, 0x50]) });
    expect(parseBinaryFrame(Buffer.concat([u32(1), u32(1), Buffer.from([0xff])]))?.mimeType).toBe('image/jpeg');
  });

  it('parses a type-4 frame with its prompt id and image type', () => {
    const meta = Buffer.from(JSON.stringify({ node_id: '3', prompt_id: 'p1', image_type: 'image/jpeg' }));
    const f = parseBinaryFrame(Buffer.concat([u32(4), u32(meta.length), meta, Buffer.from([1, 2, 3])]));
    expect(f).toEqual({ mimeType: 'image/jpeg', promptId: 'p1', bytes: Buffer.from([1, 2, 3]) });
  });

  it('ignores text frames (type 3), truncated and unknown frames', () => {
    expect(parseBinaryFrame(Buffer.concat([u32(3), u32(1), Buffer.from('3hello')]))).toBeNull();
    expect(parseBinaryFrame(Buffer.from([0, 0, 0, 4]))).toBeNull();
    expect(parseBinaryFrame(Buffer.concat([u32(4), u32(100), Buffer.from('{}')]))).toBeNull();
  });
});
