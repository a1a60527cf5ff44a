import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PassThrough, Readable } from 'node:stream';
import yazl from 'yazl';
import type { Asset } from '@orchestrator/shared';
import { resolveInside } from '../files/safe-path.js';

/*
 * Many assets as one zip, streamed: entries are opened one at a time as yazl reaches them, so memory
 * and file handles stay flat whatever the count, and the response's backpressure paces the disk reads.
 * Each file's JSON sidecar goes beside it (the prompt, seed and model are what make an output
 * reproducible). Ids that are not in the gallery, or whose file is gone or outside OUTPUT_PATH, are
 * listed in a `missing.txt` entry.
 */

export interface ZipEntry {
  name: string;
  /** The file on disk, or (STORAGE=s3) `open` gives its bytes. */
  realPath?: string;
  open?: () => Promise<Readable>;
  size: number;
  mtime: Date;
  compress: boolean;
}

/** A file found for the zip, or why it is missing. */
export type ZipFileFound = { realPath?: string; open?: () => Promise<Readable>; size: number; mtime: Date } | string;

export interface ZipPlan {
  entries: ZipEntry[];
  missing: { id: string; reason: string }[];
}

/** Already-compressed formats are stored: deflating them again costs CPU and saves nothing. */
const STORED_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.mp4', '.webm', '.mov', '.mkv', '.zip', '.gz']);

export function shouldCompress(name: string): boolean {
  return !STORED_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** A safe entry name: the base name only, no control or reserved characters (zip-slip proof). */
export function entryName(fileName: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (fileName.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  return base === '' || base === '.' || base === '..' ? fallback : base.slice(0, 200);
}

/** `a.png`, then `a (1).png`, `a (2).png`… Compared case-insensitively: zips are opened on macOS and Windows. */
export function uniqueName(name: string, taken: Set<string>): string {
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  let candidate = name;
  for (let n = 1; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext && ext !== name ? ext : ''}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

async function fileAt(outputPath: string, relPath: string): Promise<{ realPath: string; size: number; mtime: Date } | string> {
  try {
    const realPath = await resolveInside(outputPath, relPath);
    const st = await stat(realPath);
    if (!st.isFile()) return 'not a file';
    return { realPath, size: st.size, mtime: st.mtime };
  } catch (err) {
    return (err as { statusCode?: number }).statusCode === 403 ? 'outside the output folder' : 'file not found';
  }
}

/** Resolves every asset's file (and sidecar) inside OUTPUT_PATH, in the order the ids were asked for. */
export async function planZip(ids: string[], found: Asset[], outputPath: string, opts: { sidecars: boolean }): Promise<ZipPlan> {
  return planZipWith(ids, found, (rel) => fileAt(outputPath, rel), opts);
}

/** The same, each file found by `locate` (STORAGE=s3: in the bucket). */
export async function planZipWith(ids: string[], found: Asset[], locate: (relPath: string) => Promise<ZipFileFound>, opts: { sidecars: boolean }): Promise<ZipPlan> {
  const byId = new Map(found.map((a) => [a.id, a]));
  type Found = ZipFileFound | null;
  const resolved: [Found, Found][] = [];
  // A few at a time: a thousand realpath+stat calls at once would crowd libuv's four threads.
  for (let i = 0; i < ids.length; i += 16) {
    const batch = ids.slice(i, i + 16).map(async (id) => {
      const asset = byId.get(id);
      if (!asset) return [null, null] as [Found, Found];
      return Promise.all<[Promise<Found>, Promise<Found> | null]>([locate(asset.relPath), opts.sidecars ? locate(`${asset.relPath}.json`) : null]);
    });
    resolved.push(...(await Promise.all(batch)));
  }
  const plan: ZipPlan = { entries: [], missing: [] };
  const taken = new Set<string>(['missing.txt']);
  ids.forEach((id, i) => {
    const asset = byId.get(id);
    const [file, sidecar] = resolved[i]!;
    if (!asset || file === null) return plan.missing.push({ id, reason: 'not in the gallery' });
    if (typeof file === 'string') return plan.missing.push({ id, reason: file });
    const name = uniqueName(entryName(asset.fileName, `${id}${path.extname(asset.relPath)}`), taken);
    plan.entries.push({ name, ...file, compress: shouldCompress(name) });
    if (sidecar && typeof sidecar !== 'string') plan.entries.push({ name: uniqueName(`${name}.json`, taken), ...sidecar, compress: true });
  });
  return plan;
}

export function missingText(missing: ZipPlan['missing']): string {
  return `Not included in this download:\n${missing.map((m) => `${m.id}\t${m.reason}`).join('\n')}\n`;
}

export interface ZipHooks {
  /** Called as each entry's file is opened and closed (tests count them to prove abort cleans up). */
  onOpen?: () => void;
  onClose?: () => void;
}

/** The zip as a stream. Destroying it (client gone) closes the file being read and opens no more. */
export function zipStream(plan: ZipPlan, hooks: ZipHooks = {}): Readable {
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as PassThrough; // yazl's is a PassThrough; its typings say less
  let current: ReadStream | Readable | null = null;
  for (const entry of plan.entries) {
    zip.addReadStreamLazy(entry.name, { mtime: entry.mtime, size: entry.size, compress: entry.compress }, (done) => {
      if (out.destroyed) return; // aborted: leave the rest unopened
      if (entry.open) {
        entry.open().then(
          (rs) => {
            if (out.destroyed) return void rs.destroy();
            current = rs;
            hooks.onOpen?.();
            rs.once('error', (err) => out.destroy(err));
            rs.once('close', () => {
              if (current === rs) current = null;
              hooks.onClose?.();
            });
            done(null, rs);
          },
          (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
        );
        return;
      }
      const rs = createReadStream(entry.realPath!);
      current = rs;
      hooks.onOpen?.();
      // yazl pipes without forwarding errors: a file that fails mid-read must end the response.
      rs.once('error', (err) => out.destroy(err));
      rs.once('close', () => {
        if (current === rs) current = null;
        hooks.onClose?.();
      });
      done(null, rs);
    });
  }
  if (plan.missing.length > 0) zip.addBuffer(Buffer.from(missingText(plan.missing)), 'missing.txt', { mtime: new Date() });
  zip.on('error', (err: Error) => out.destroy(err));
  out.once('close', () => current?.destroy());
  zip.end();
  return out;
}
