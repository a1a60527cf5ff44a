import type { Readable } from 'node:stream';

/*
 * Where a worker's results go and its inputs come from, wherever the worker runs: the server's own
 * folders when the disk is shared (LocalFileStore), or through the server's storage API when it is not
 * (the worker's HttpFileStore). Paths are relative, `/`-separated, and never leave their root.
 */

export interface DirFile {
  /** Relative to the folder, `/`-separated. */
  name: string;
  data: string | Uint8Array;
}

export interface FileStore {
  /** What a person would call it: "shared disk", "uploads to server". */
  readonly kind: string;
  /** The file's bytes, or null when there is none. */
  read(relPath: string): Promise<Buffer | null>;
  /** Size of the file, or null when there is none. */
  size(relPath: string): Promise<number | null>;
  /** Writes the file so a reader sees the old one or all of the new one (never part of it). */
  write(relPath: string, data: string | Uint8Array): Promise<void>;
  /** The same, from a local file, streamed (an output of hundreds of MB is never held in memory). */
  writeFrom(relPath: string, localFile: string): Promise<void>;
  /** Replaces a folder with exactly these files, at once. Files whose names cannot be written are refused (returned). */
  replaceDir(relDir: string, files: readonly DirFile[]): Promise<{ refused: string[] }>;
  /** Names directly in a folder ([] when there is none). */
  list(relDir: string): Promise<string[]>;
  /** Removes a file (nothing when there is none). */
  remove(relPath: string): Promise<void>;
  /** A readable stream of the file, or null. */
  open?(relPath: string): Promise<Readable | null>;
}

/** A relative path that stays inside its root, `/`-separated; null for anything else. */
export function safeRelPath(rel: string): string | null {
  if (typeof rel !== 'string' || rel === '' || rel.length > 1024 || rel.includes('\0') || rel.includes('\\')) return null;
  if (rel.startsWith('/') || /^[a-zA-Z]:/.test(rel)) return null;
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  return parts.join('/');
}
