import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_EXTENSIONS, MODEL_FOLDERS, extensionOf } from './model-folders.js';

/** One model file found under MODELS_PATH. */
export interface ScannedFile {
  /** `folder/file`: the catalogue id. */
  id: string;
  folder: string;
  /** Relative to the directory it was found in, forward slashes (what ComfyUI loaders take). */
  file: string;
  /** Absolute path as found (symlinks not resolved: ComfyUI opens this one). */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Folders deeper than this are not walked (a guard against pathological trees). */
const MAX_DEPTH = 16;
/** Stats in flight at once: enough to hide disk latency, few enough to leave the event loop free. */
const STAT_BATCH = 64;

/**
 * Lists every model file under the catalogue's folders, recursively, following symlinks (model folders
 * are often links to a shared disk) but never the same real directory twice. Hidden entries (`.git`,
 * `.cache`) are skipped. A missing MODELS_PATH or folder is simply empty.
 */
export async function scanModelFiles(root: string): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  const seen = new Set<string>();
  for (const folder of MODEL_FOLDERS) {
    const visitedDirs = new Set<string>();
    for (const dir of folder.dirs) {
      const candidates: { rel: string; abs: string }[] = [];
      await walk(path.join(root, dir), '', 0, visitedDirs, candidates);
      for (let i = 0; i < candidates.length; i += STAT_BATCH) {
        const batch = candidates.slice(i, i + STAT_BATCH);
        const stats = await Promise.all(batch.map((c) => stat(c.abs).catch(() => null)));
        batch.forEach((c, k) => {
          const s = stats[k];
          const id = `${folder.key}/${c.rel}`;
          if (!s || !s.isFile() || seen.has(id)) return;
          seen.add(id);
          out.push({ id, folder: folder.key, file: c.rel, path: c.abs, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
        });
      }
    }
  }
  return out;
}

async function walk(abs: string, rel: string, depth: number, visited: Set<string>, out: { rel: string; abs: string }[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    return;
  }
  if (visited.has(real)) return;
  visited.add(real);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const childAbs = path.join(abs, entry.name);
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(childAbs).catch(() => null);
      if (!target) continue;
      isDir = target.isDirectory();
    }
    if (isDir) await walk(childAbs, childRel, depth + 1, visited, out);
    else if (MODEL_EXTENSIONS.has(extensionOf(entry.name))) out.push({ rel: childRel, abs: childAbs });
  }
}
