import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';

/*
 * How a worker knows whether it shares a folder with the server: the server writes a mark (a random
 * id) into the folder and the same id into Redis (`storage` hash). A worker that reads the same id from
 * the folder as it sees it shares the disk; any other answer means it does not.
 */

export const STORAGE_MARK_FILE = '.orchestrator/mark.json';
export type StorageMarkField = 'outputMark' | 'uploadsMark' | 'thumbsMark';

/** The mark in `root` as this process sees it, or null. */
export async function readStorageMark(root: string): Promise<string | null> {
  try {
    const id = (JSON.parse(await readFile(path.join(root, ...STORAGE_MARK_FILE.split('/')), 'utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id.length >= 16 ? id : null;
  } catch {
    return null;
  }
}

/** The folder's mark, written first if it has none. */
export async function ensureStorageMark(root: string): Promise<string> {
  const existing = await readStorageMark(root);
  if (existing) return existing;
  const id = randomBytes(16).toString('hex');
  const file = path.join(root, ...STORAGE_MARK_FILE.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ id, note: 'Orchestrator: a worker that sees this id shares this folder with the server' }) + '\n');
  return id;
}

/**
 * Marks the server's output and uploads folders (and its thumbnail cache, where a worker on the same disk
 * writes the thumbnails of its outputs) and publishes the marks in Redis.
 */
export async function markStorageFolders(redis: Redis, storageKey: string, folders: { output: string; uploads: string; thumbs?: string }): Promise<void> {
  const [outputMark, uploadsMark, thumbsMark] = await Promise.all([
    ensureStorageMark(folders.output),
    ensureStorageMark(folders.uploads),
    folders.thumbs ? ensureStorageMark(folders.thumbs) : null,
  ]);
  await redis.hset(storageKey, 'outputMark', outputMark, 'uploadsMark', uploadsMark, ...(thumbsMark ? ['thumbsMark', thumbsMark] : []));
}
