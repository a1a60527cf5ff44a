import { open } from 'node:fs/promises';
import { SafetensorsError, parseSafetensorsJson, safetensorsHeaderLength, type SafetensorsHeader } from '@orchestrator/shared';

/**
 * Above this we do not read a header into memory (the format allows 100 MB; real checkpoints and
 * LoRAs with training metadata stay under a few MB).
 */
const MAX_HEADER_READ_BYTES = 32 * 1024 * 1024;
const PROBE_BYTES = 4096;

/**
 * Reads the safetensors header of a file without touching the weights: open, read the 8-byte length,
 * read the N header bytes, close. Throws SafetensorsError for a file that is not safetensors, and the
 * fs error when the file cannot be read.
 */
export async function readSafetensorsHeader(filePath: string): Promise<SafetensorsHeader> {
  const handle = await open(filePath, 'r');
  try {
    const first = new Uint8Array(8);
    const { bytesRead } = await handle.read(first, 0, 8, 0);
    const length = safetensorsHeaderLength(first.subarray(0, bytesRead));
    if (length > MAX_HEADER_READ_BYTES) {
      throw new SafetensorsError('header_too_large', `safetensors: header of ${length} bytes is larger than we read`);
    }
    const header = new Uint8Array(length);
    let got = (await handle.read(header, 0, Math.min(length, PROBE_BYTES), 8)).bytesRead;
    // Fail fast, before reading megabytes, on a file whose "header" does not start like JSON.
    const start = header.subarray(0, got).findIndex((b) => b !== 0x20);
    if (start >= 0 && header[start] !== 0x7b) {
      throw new SafetensorsError('not_json', 'safetensors: header does not start with "{" (not a safetensors file?)');
    }
    while (got < length) {
      const r = await handle.read(header, got, length - got, 8 + got);
      if (r.bytesRead === 0) break;
      got += r.bytesRead;
    }
    if (got < length) throw new SafetensorsError('truncated', `safetensors: header announces ${length} bytes, file has ${got}`);
    return parseSafetensorsJson(header);
  } finally {
    await handle.close();
  }
}
