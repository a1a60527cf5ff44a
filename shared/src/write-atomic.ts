import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/*
 * The one way a file is written so that a reader sees none of it or all of it: through a hidden temp name
 * beside the target (`.<name>.<random><suffix>`, same folder so the rename stays on one file system),
 * renamed into place. A failure removes the temp file and leaves the target as it was.
 *
 * The suffix tells sweeps what a temp file is: `.part` (the default) for output and upload folders,
 * which the gallery's scanner and watcher skip; `.tmp` for the thumbnail cache, whose sweep
 * (server/src/gallery/thumbnails.ts) deletes `*.tmp` files older than an hour.
 */

export type TempSuffix = '.part' | '.tmp';

/** The temp name a write of `file` goes through. */
export function tempNameFor(file: string, suffix: TempSuffix = '.part'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}${suffix}`);
}

/**
 * Writes `file` atomically: `data` as it is, or whatever `write` puts at the temp path it is given (a
 * copy, a stream). The folder must exist.
 */
export async function writeAtomic(file: string, data: string | Uint8Array | ((tmp: string) => Promise<void>), suffix: TempSuffix = '.part'): Promise<void> {
  const tmp = tempNameFor(file, suffix);
  try {
    await (typeof data === 'function' ? data(tmp) : writeFile(tmp, data));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
