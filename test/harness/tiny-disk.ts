/*
 * A real full disk for tests: a tmpfs of a few hundred KB mounted on a folder, then filled to leave a
 * chosen number of bytes, so writes fail with the kernel's own ENOSPC (no mock of node:fs). Mounting
 * needs root on Linux (CI containers usually are); elsewhere `tinyDisk` answers null and the tests that
 * need it skip, leaving the injected-error tests to cover the same code.
 */
import { execFile } from 'node:child_process';
import { mkdir, open, rm, stat, statfs, truncate } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FILLER = '.filler';

export interface TinyDisk {
  dir: string;
  /** Bytes a new file may still take. */
  free(): Promise<number>;
  /** Fills the disk so that about `leaveBytes` remain (rounded down to whole 4 KB pages). */
  fill(leaveBytes?: number): Promise<void>;
  /** Removes the filler: the disk is empty again. */
  empty(): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts a `sizeKb` tmpfs on `dir` (created if need be); null when this process cannot mount. */
export async function tinyDisk(dir: string, sizeKb = 256): Promise<TinyDisk | null> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  await mkdir(dir, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir]);
  } catch {
    return null;
  }
  const free = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  const filler = `${dir}/${FILLER}`;
  return {
    dir,
    free,
    async fill(leaveBytes = 0) {
      await rm(filler, { force: true });
      // Writes real pages until the kernel refuses, then gives back what should stay free.
      const handle = await open(filler, 'w');
      const page = Buffer.alloc(4096, 1);
      try {
        for (;;) await handle.write(page);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        await handle.close();
      }
      const { size } = await stat(filler);
      await truncate(filler, Math.max(0, size - Math.ceil(leaveBytes / 4096) * 4096));
    },
    async empty() {
      await rm(filler, { force: true });
    },
    async unmount() {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    },
  };
}
