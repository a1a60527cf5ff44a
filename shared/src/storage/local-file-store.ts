import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyFile, mkdir, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { safeRelPath, type DirFile, type FileStore } from './file-store.js';
import { tempNameFor, writeAtomic } from '../write-atomic.js';

/** A folder on this machine's disk (OUTPUT_PATH, the uploads folder) as a FileStore. */
export class LocalFileStore implements FileStore {
  readonly kind = 'shared disk';

  constructor(readonly root: string) {}

  /** The absolute path of `rel`, checked to stay inside the root (after symlinks) when it exists. */
  async resolve(rel: string): Promise<string | null> {
    const safe = safeRelPath(rel);
    if (!safe) return null;
    try {
      const realRoot = await realpath(this.root);
      const target = path.join(realRoot, ...safe.split('/'));
      const real = await realpath(target).catch(() => null);
      if (real && !real.startsWith(realRoot + path.sep)) return null;
      return real ?? target;
    } catch {
      return null;
    }
  }

  private async target(rel: string): Promise<string> {
    const safe = safeRelPath(rel);
    if (!safe) throw new Error(`unsafe path: ${JSON.stringify(rel).slice(0, 200)}`);
    await mkdir(this.root, { recursive: true });
    const realRoot = await realpath(this.root);
    const file = path.join(realRoot, ...safe.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    const realDir = await realpath(path.dirname(file));
    if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) throw new Error(`path leaves its folder: ${safe}`);
    return file;
  }

  async read(rel: string): Promise<Buffer | null> {
    const file = await this.resolve(rel);
    return file ? readFile(file).catch(() => null) : null;
  }

  async size(rel: string): Promise<number | null> {
    const file = await this.resolve(rel);
    if (!file) return null;
    const s = await stat(file).catch(() => null);
    return s?.isFile() ? s.size : null;
  }

  async open(rel: string): Promise<Readable | null> {
    const file = await this.resolve(rel);
    if (!file || (await this.size(rel)) === null) return null;
    return createReadStream(file);
  }

  async write(rel: string, data: string | Uint8Array): Promise<void> {
    const file = await this.target(rel);
    await writeAtomic(file, data);
  }

  async writeFrom(rel: string, localFile: string): Promise<void> {
    const file = await this.target(rel);
    await writeAtomic(file, (tmp) => copyFile(localFile, tmp));
  }

  /**
   * Writes the file from a stream (the storage API's upload), checking its size against `maxBytes`
   * and, when given, its SHA-256: a mismatch keeps the old file and throws StreamCheckError.
   */
  async writeStream(rel: string, body: Readable, check: { maxBytes: number; sha256?: string }): Promise<{ size: number; sha256: string }> {
    const file = await this.target(rel);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > check.maxBytes) return done(new StreamCheckError('too_large', `larger than ${check.maxBytes} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    let digest = '';
    await writeAtomic(file, async (tmp) => {
      const out = createWriteStream(tmp);
      try {
        await pipeline(body, meter, out);
      } finally {
        // A failed pipeline may reject before the file is even opened: wait for it to close, or the
        // temp file would be created after its removal and stay behind.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      }
      digest = hash.digest('hex');
      if (check.sha256 && check.sha256.toLowerCase() !== digest) throw new StreamCheckError('checksum_mismatch', `SHA-256 ${digest} is not the ${check.sha256} announced`);
    });
    return { size, sha256: digest };
  }

  async replaceDir(relDir: string, files: readonly DirFile[]): Promise<{ refused: string[] }> {
    const final = await this.target(relDir);
    const tmp = tempNameFor(final);
    const refused: string[] = [];
    await mkdir(tmp, { recursive: true });
    try {
      for (const f of files) {
        const name = safeRelPath(f.name);
        if (!name) {
          refused.push(f.name);
          continue;
        }
        const target = path.join(tmp, ...name.split('/'));
        try {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, f.data);
        } catch (err) {
          // Only a name the folder cannot hold is refused (e.g. "a" is a file and "a/b" wants it as a
          // folder); anything else (a full disk) fails the whole version, which then never appears.
          if (!NAME_ERRNOS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
          refused.push(name);
        }
      }
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return { refused };
  }

  async remove(rel: string): Promise<void> {
    const file = await this.resolve(rel);
    if (file) await rm(file, { force: true });
  }

  async list(relDir: string): Promise<string[]> {
    const dir = await this.resolve(relDir);
    return dir ? readdir(dir).catch(() => []) : [];
  }
}

/** Errors of a name the folder cannot hold (as opposed to a disk that cannot hold the bytes). */
const NAME_ERRNOS = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'EINVAL']);

export class StreamCheckError extends Error {
  override readonly name = 'StreamCheckError';
  constructor(
    readonly code: 'too_large' | 'checksum_mismatch',
    message: string,
  ) {
    super(message);
  }
}
