import { describe, expect, it } from 'vitest';
import {
  SAFETENSORS_MAX_HEADER_BYTES,
  SafetensorsError,
  parseSafetensorsHeader,
  parseSafetensorsJson,
  safetensorsHeaderLength,
  type SafetensorsErrorCode,
} from './safetensors.js';

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, I64: 8 };

/** Header bytes as the safetensors writer lays them out: u64 LE length, JSON, space padding to 8 bytes, then data. */
function safetensors(
  tensors: Record<string, { dtype: string; shape: number[] }>,
  metadata?: Record<string, unknown>,
  dataBytes = true,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const size = t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? 1);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.length + (dataBytes ? offset : 0));
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return out;
}

function rawHeader(json: string | Uint8Array, declared?: number): Uint8Array {
  const body = typeof json === 'string' ? new TextEncoder().encode(json) : json;
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? body.length), true);
  out.set(body, 8);
  return out;
}

function codeOf(fn: () => unknown): SafetensorsErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SafetensorsError) return err.code;
    throw err;
  }
  return undefined;
}

describe('safetensors header', () => {
  const file = safetensors(
    {
      'model.diffusion_model.input_blocks.0.0.weight': { dtype: 'F16', shape: [2, 4, 3, 3] },
      'model.diffusion_model.input_blocks.0.0.bias': { dtype: 'F16', shape: [2] },
      'first_stage_model.quant_conv.weight': { dtype: 'F32', shape: [8, 8, 1, 1] },
    },
    { format: 'pt', 'modelspec.architecture': 'stable-diffusion-v1', 'modelspec.title': 'Tiny' },
  );

  it('reads the length and the tensors with their metadata', () => {
    const n = safetensorsHeaderLength(file.subarray(0, 8));
    expect((8 + n) % 8).toBe(0);
    const r = parseSafetensorsHeader(file);
    expect(r.complete).toBe(true);
    if (!r.complete) return;
    expect(r.headerLength).toBe(n);
    expect(r.metadata).toEqual({ format: 'pt', 'modelspec.architecture': 'stable-diffusion-v1', 'modelspec.title': 'Tiny' });
    expect(r.tensors).toEqual([
      { name: 'model.diffusion_model.input_blocks.0.0.weight', dtype: 'F16', shape: [2, 4, 3, 3], dataOffsets: [0, 144] },
      { name: 'model.diffusion_model.input_blocks.0.0.bias', dtype: 'F16', shape: [2], dataOffsets: [144, 148] },
      { name: 'first_stage_model.quant_conv.weight', dtype: 'F32', shape: [8, 8, 1, 1], dataOffsets: [148, 404] },
    ]);
    expect(parseSafetensorsJson(file.subarray(8, 8 + n))).toEqual({ tensors: r.tensors, metadata: r.metadata });
  });

  it('asks for more bytes when the first read is shorter than the header', () => {
    const n = safetensorsHeaderLength(file);
    expect(parseSafetensorsHeader(file.subarray(0, 8))).toEqual({ complete: false, headerLength: n, bytesNeeded: 8 + n });
    expect(parseSafetensorsHeader(file.subarray(0, 40))).toEqual({ complete: false, headerLength: n, bytesNeeded: 8 + n });
    expect(parseSafetensorsHeader(file.subarray(0, 8 + n)).complete).toBe(true);
  });

  it('works on a view into a larger buffer (non-zero byteOffset)', () => {
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    expect(parseSafetensorsHeader(big.subarray(3)).complete).toBe(true);
  });

  it('accepts scalars, empty tensors, an empty header object and non-string metadata values', () => {
    const r = parseSafetensorsHeader(
      rawHeader('{"__metadata__":{"ss_epoch":3,"ok":"yes"},"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}'),
    );
    expect(r.complete && r.metadata).toEqual({ ss_epoch: '3', ok: 'yes' });
    expect(r.complete && r.tensors.map((t) => t.shape)).toEqual([[], [0]]);
    expect(parseSafetensorsHeader(rawHeader('{}  '))).toEqual({ complete: true, headerLength: 4, tensors: [], metadata: {} });
  });

  it('refuses what is not a safetensors header, with a code', () => {
    expect(codeOf(() => safetensorsHeaderLength(new Uint8Array(7)))).toBe('truncated');
    expect(codeOf(() => parseSafetensorsHeader(new Uint8Array(0)))).toBe('truncated');
    // A pickle checkpoint (.ckpt is a zip): "PK\x03\x04" + version bytes read as a huge length.
    expect(codeOf(() => safetensorsHeaderLength(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])))).toBe('header_too_large');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{}', SAFETENSORS_MAX_HEADER_BYTES + 1)))).toBe('header_too_large');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('', 0)))).toBe('header_too_small');
    const max = new Uint8Array(8).fill(0xff);
    expect(codeOf(() => safetensorsHeaderLength(max))).toBe('header_too_large');
    // First JSON byte is checked as soon as it is available, before the caller reads N bytes.
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('xx', 50_000)))).toBe('not_json');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"a": ')))).toBe('not_json');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))))).toBe('not_json');
    expect(codeOf(() => parseSafetensorsJson(new TextEncoder().encode('[1,2]')))).toBe('not_object');
    expect(codeOf(() => parseSafetensorsJson(new TextEncoder().encode('null')))).toBe('not_object');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"t": 5}')))).toBe('invalid_tensor');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"t": {"shape": [1], "data_offsets": [0, 4]}}')))).toBe('invalid_tensor');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"t": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}')))).toBe('invalid_tensor');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}')))).toBe('invalid_tensor');
    expect(codeOf(() => parseSafetensorsHeader(rawHeader('{"t": {"dtype": "F32", "shape": [1]}}')))).toBe('invalid_tensor');
  });

  it('gives errors a name, a code and a readable message', () => {
    let caught: unknown;
    try {
      safetensorsHeaderLength(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SafetensorsError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as SafetensorsError).name).toBe('SafetensorsError');
    expect((caught as SafetensorsError).message).toMatch(/4294967296 exceeds 100000000/);
  });
});
