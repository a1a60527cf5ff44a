import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../errors.js';

const forbidden = () => new HttpError('forbidden', 'That path is outside the output folder');
const missing = () => new HttpError('not_found', 'No such file');

function isInside(root: string, p: string): boolean {
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Resolves `rel` inside `root` after following every symlink, or throws: 400 for a NUL byte, 403 for
 * anything that lands outside the real root (`..`, absolute paths, a symlink pointing away), 404 when
 * nothing is there. The returned path is real, so the caller opens exactly what was checked.
 */
export async function resolveInside(root: string, rel: string): Promise<string> {
  if (rel.includes('\0')) throw new HttpError('invalid_path', 'The file name contains a NUL byte');
  if (rel === '' || path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('\\')) throw forbidden();
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw missing();
  }
  const candidate = path.resolve(realRoot, rel);
  if (!isInside(realRoot, candidate)) throw forbidden();
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw missing();
  }
  if (!isInside(realRoot, real)) throw forbidden();
  return real;
}
