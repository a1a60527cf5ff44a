import { createHash } from 'node:crypto';
import { BACKEND_MODEL_FOLDERS } from '@orchestrator/shared';
import { ComfyHttpError, type ComfyHttpClient } from '../providers/comfyui/http-client.js';

/*
 * The model files a ComfyUI backend reports per folder (protocol §1.9, §4.4): `GET /models` for the
 * folder keys it knows, then `GET /models/{folder}` for each of ours among them (`ipadapter` only where a
 * custom node registered it). A 404 for one folder drops that folder; any other failure fails the read,
 * so the caller keeps the lists it had. Names come back with `/` whatever the backend's OS.
 */

export type ModelListClient = Pick<ComfyHttpClient, 'modelFolders' | 'modelFiles'>;

export interface ModelLists {
  /** folder key → sorted relative names with `/`, in the order of the folders asked for. */
  folders: Record<string, string[]>;
  /** The backend's own path separator (backslash: ComfyUI on Windows). */
  separator: '/' | '\\';
}

const is404 = (err: unknown) => err instanceof ComfyHttpError && err.status === 404;

/** Unique, `/`-separated, sorted. */
function normalizeModelNames(files: readonly string[]): string[] {
  return [...new Set(files.map((f) => f.replace(/\\/g, '/')))].sort();
}

/** A short digest of the lists: what tells a changed listing from an unchanged one. */
export function modelListsHash(folders: Record<string, readonly string[]>): string {
  return createHash('sha1').update(JSON.stringify(folders)).digest('hex').slice(0, 16);
}

export async function readModelLists(
  client: ModelListClient,
  o: { folders?: readonly string[]; os?: unknown } = {},
): Promise<ModelLists> {
  const folders = o.folders ?? BACKEND_MODEL_FOLDERS;
  let wanted: readonly string[];
  try {
    const known = new Set(await client.modelFolders());
    wanted = folders.filter((f) => known.has(f));
  } catch (err) {
    // A server without GET /models: ask for every folder and keep those that answer.
    if (!is404(err)) throw err;
    wanted = folders;
  }
  const found = new Map<string, string[]>();
  let backslashes = false;
  await Promise.all(
    wanted.map(async (folder) => {
      try {
        const files = await client.modelFiles(folder);
        backslashes ||= files.some((f) => f.includes('\\'));
        found.set(folder, normalizeModelNames(files));
      } catch (err) {
        if (!is404(err)) throw err;
      }
    }),
  );
  const ordered = Object.fromEntries(folders.flatMap((f) => (found.has(f) ? [[f, found.get(f)!]] : [])));
  return { folders: ordered, separator: backslashes || o.os === 'nt' ? '\\' : '/' };
}

/** Files per folder, for BackendStatus.modelCounts. */
export function modelCounts(folders: Record<string, readonly string[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(folders).map(([k, v]) => [k, v.length]));
}
