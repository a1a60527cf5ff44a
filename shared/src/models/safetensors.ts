/*
 * The safetensors header, read without touching tensor data:
 *
 *   bytes 0..7    N, unsigned 64-bit little-endian
 *   bytes 8..8+N  UTF-8 JSON: { "<tensor>": {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str} }
 *
 * Pure functions over Uint8Array: the caller reads the first bytes of a file (say 64 KiB), calls
 * parseSafetensorsHeader, and when the header is longer than that reads `bytesNeeded` bytes and calls again.
 */

/** The reference implementation refuses headers above 100 MB; so do we. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

export type SafetensorsErrorCode =
  | 'truncated' // fewer than 8 bytes, or fewer header bytes than announced
  | 'header_too_large' // N > SAFETENSORS_MAX_HEADER_BYTES
  | 'header_too_small' // N < 2: no room for "{}"
  | 'not_json' // not UTF-8, not JSON, or does not start with '{'
  | 'not_object' // JSON is not an object
  | 'invalid_tensor'; // an entry without a string dtype, an integer shape or valid data_offsets

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** [begin, end) relative to the start of the data section (8 + N). */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: SafetensorsTensor[];
  /** `__metadata__`; values that are not strings (not allowed by the format, seen in the wild) are JSON-encoded. */
  metadata: Record<string, string>;
}

export type SafetensorsHeaderResult =
  | { complete: false; headerLength: number; /** total bytes from the file start needed to parse */ bytesNeeded: number }
  | ({ complete: true; headerLength: number } & SafetensorsHeader);

/** N from the first 8 bytes. Throws SafetensorsError (`truncated`, `header_too_large`, `header_too_small`). */
export function safetensorsHeaderLength(bytes8: Uint8Array): number {
  if (!(bytes8 instanceof Uint8Array) || bytes8.length < 8) {
    throw new SafetensorsError('truncated', 'safetensors: need the first 8 bytes to read the header length');
  }
  const view = new DataView(bytes8.buffer, bytes8.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const length = high * 2 ** 32 + low; // exact below 2^53; anything with high >= 2^21 is far past the limit anyway
  if (length > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      'header_too_large',
      `safetensors: header length ${length} exceeds ${SAFETENSORS_MAX_HEADER_BYTES} bytes (not a safetensors file?)`,
    );
  }
  if (length < 2) throw new SafetensorsError('header_too_small', `safetensors: header length ${length} is too small`);
  return length;
}

const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses the N header bytes (the JSON). Throws SafetensorsError (`not_json`, `not_object`, `invalid_tensor`). */
export function parseSafetensorsJson(headerBytes: Uint8Array): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('not_json', 'safetensors: header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError('not_json', `safetensors: header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError('not_object', 'safetensors: header JSON is not an object');
  }

  const tensors: SafetensorsTensor[] = [];
  const metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      continue;
    }
    const bad = (why: string) => new SafetensorsError('invalid_tensor', `safetensors: tensor "${name}" ${why}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad('is not an object');
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || dtype === '') throw bad('has no dtype');
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) throw bad('has an invalid shape');
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !isNonNegativeInt(offsets[0]) ||
      !isNonNegativeInt(offsets[1]) ||
      offsets[1] < offsets[0]
    ) {
      throw bad('has invalid data_offsets');
    }
    tensors.push({ name, dtype, shape: [...shape], dataOffsets: [offsets[0], offsets[1]] });
  }
  return { tensors, metadata };
}

/**
 * Parses the header from the first bytes of a file. When `first` holds fewer than 8 + N bytes, returns
 * `{complete: false, bytesNeeded}` so the caller can read that many and call again. Throws SafetensorsError.
 */
export function parseSafetensorsHeader(first: Uint8Array): SafetensorsHeaderResult {
  const headerLength = safetensorsHeaderLength(first);
  if (first.length > 8) {
    // Fail fast on files that are not safetensors (a pickle/zip has no '{' here).
    let p = 8;
    while (p < first.length && p < 8 + headerLength && first[p] === 0x20) p++;
    if (p < first.length && p < 8 + headerLength && first[p] !== 0x7b) {
      throw new SafetensorsError('not_json', 'safetensors: header does not start with "{" (not a safetensors file?)');
    }
  }
  if (first.length < 8 + headerLength) return { complete: false, headerLength, bytesNeeded: 8 + headerLength };
  return { complete: true, headerLength, ...parseSafetensorsJson(first.subarray(8, 8 + headerLength)) };
}
