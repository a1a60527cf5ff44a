/*
 * Which files under OUTPUT_PATH are gallery assets. Data, not branches: the extension tables say what a
 * file is; the name rules say what to pass over (hidden files, editors' and downloaders' temp files, our
 * JSON sidecars, the trash).
 */
import path from 'node:path';
import { SITE_MANIFEST, type AssetType } from '@orchestrator/shared';

export const MEDIA_BY_EXT: Readonly<Record<string, { type: AssetType; mimeType: string }>> = {
  '.png': { type: 'image', mimeType: 'image/png' },
  '.jpg': { type: 'image', mimeType: 'image/jpeg' },
  '.jpeg': { type: 'image', mimeType: 'image/jpeg' },
  '.webp': { type: 'image', mimeType: 'image/webp' },
  '.gif': { type: 'image', mimeType: 'image/gif' },
  '.mp4': { type: 'video', mimeType: 'video/mp4' },
  '.webm': { type: 'video', mimeType: 'video/webm' },
  '.mov': { type: 'video', mimeType: 'video/quicktime' },
};

export const SIDECAR_SUFFIX = '.json';
const TEMP_SUFFIXES = ['.tmp', '.part', '.crdownload', '.swp'];

/** A name never indexed nor watched: hidden, `~lock` and `.#emacs` files, temp downloads. */
export function isIgnoredName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('~')) return true;
  const lower = name.toLowerCase();
  return TEMP_SUFFIXES.some((s) => lower.endsWith(s));
}

/** True when any segment of a relative path is ignored (a file inside `.cache/` is hidden too). */
export function isIgnoredPath(relPath: string): boolean {
  return relPath.split('/').some((seg) => seg !== '' && isIgnoredName(seg));
}

export type FileRole =
  | { role: 'media'; type: AssetType; mimeType: string }
  | { role: 'site' }
  | { role: 'sidecar'; of: string }
  | { role: 'other' };

/** What a file (relative path, forward slashes) is to the gallery. */
export function fileRole(relPath: string): FileRole {
  const name = path.posix.basename(relPath);
  if (isIgnoredPath(relPath)) return { role: 'other' };
  if (name === SITE_MANIFEST && relPath.includes('/')) return { role: 'site' };
  const lower = name.toLowerCase();
  if (lower.endsWith(SIDECAR_SUFFIX)) {
    const of = relPath.slice(0, -SIDECAR_SUFFIX.length);
    return MEDIA_BY_EXT[path.posix.extname(of).toLowerCase()] ? { role: 'sidecar', of } : { role: 'other' };
  }
  const media = MEDIA_BY_EXT[path.posix.extname(lower)];
  return media ? { role: 'media', ...media } : { role: 'other' };
}

/** `a/b/c.png` for a path below `root` (any OS separators), or null when it is not below it. */
export function toRelPath(root: string, absPath: string): string | null {
  const rel = path.relative(root, absPath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Folders of DATA_PATH that are never gallery content, even when DATA_PATH lies inside OUTPUT_PATH. */
export const DATA_FOLDERS = ['trash', 'thumbs', 'uploads', 'redis'];

/** The absolute folders the walk and the watcher must skip. */
export function skippedFolders(outputPath: string, dataPath: string): string[] {
  const out = path.resolve(outputPath);
  return DATA_FOLDERS.map((f) => path.resolve(dataPath, f)).filter((p) => p.startsWith(out + path.sep));
}
