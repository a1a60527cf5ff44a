// output/ input/ temp/ directories, ComfyUI's save-path counter, GET /view and POST /upload/image.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FormPart } from './multipart.js';
import { PyError, pyInt } from './py.js';

const MIME: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.svg': 'image/svg+xml', '.mp4': 'video/mp4',
  '.webm': 'video/webm', '.mov': 'video/quicktime', '.mkv': 'video/x-matroska', '.wav': 'audio/x-wav',
  '.mp3': 'audio/mpeg', '.flac': 'audio/flac', '.ogg': 'audio/ogg', '.json': 'application/json',
  '.txt': 'text/plain', '.html': 'text/html', '.htm': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
  '.glb': 'model/gltf-binary', '.gltf': 'model/gltf+json', '.xml': 'application/xml',
};
const FORCE_DOWNLOAD = new Set(['text/html', 'text/html-sandboxed', 'application/xhtml+xml', 'text/javascript', 'text/css']);
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.svg']);

export function guessMime(name: string): string | undefined {
  return MIME[path.extname(name).toLowerCase()];
}

export interface ViewResult {
  status: number;
  headers: Record<string, string>;
  file?: { path: string; start: number; end: number }; // inclusive range
}

/** Python os.path.dirname / basename on '/'-separated paths. */
function pyDirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  const head = p.slice(0, i + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}
const pyBasename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
function pyNormpath(p: string): string {
  if (p === '') return '.';
  const n = path.posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}
const pad2 = (n: number): string => String(n).padStart(2, '0');

export class FileStore {
  readonly output: string;
  readonly input: string;
  readonly temp: string;

  constructor(readonly root: string) {
    this.output = path.join(root, 'output');
    this.input = path.join(root, 'input');
    this.temp = path.join(root, 'temp');
  }

  /** Create the dirs; like ComfyUI, the temp dir is wiped at startup. */
  async init(): Promise<void> {
    await rm(this.temp, { recursive: true, force: true });
    for (const d of [this.output, this.input, this.temp]) await mkdir(d, { recursive: true });
  }

  dirByType(t: unknown): string | undefined {
    return t === 'output' ? this.output : t === 'input' ? this.input : t === 'temp' ? this.temp : undefined;
  }

  /** folder_paths.annotated_filepath: "x.png [output]" → ["x.png", outputDir]. */
  annotated(name: string): { name: string; dir?: string } {
    if (name.endsWith('[output]')) return { name: name.slice(0, -9), dir: this.output };
    if (name.endsWith('[input]')) return { name: name.slice(0, -8), dir: this.input };
    if (name.endsWith('[temp]')) return { name: name.slice(0, -7), dir: this.temp };
    return { name };
  }

  /** Absolute path of an annotated name (default dir: input); undefined if it escapes the base dir. */
  annotatedPath(name: unknown): string | undefined {
    if (typeof name !== 'string') throw new PyError('AttributeError', `'${typeof name}' object has no attribute 'endswith'`);
    const a = this.annotated(name);
    const base = a.dir ?? this.input;
    const p = path.resolve(base, a.name);
    return p === base || p.startsWith(base + path.sep) ? p : undefined;
  }

  existsAnnotated(name: unknown): boolean {
    const p = this.annotatedPath(name);
    return p !== undefined && existsSync(p);
  }

  /** LoadImage's combo options: image files at the top level of input/, sorted. */
  inputImages(): string[] {
    try {
      return readdirSync(this.input)
        .filter((f) => IMAGE_EXT.has(path.extname(f).toLowerCase()) && statSync(path.join(this.input, f)).isFile())
        .sort();
    } catch {
      return [];
    }
  }

  /** folder_paths.get_save_image_path. */
  async saveImagePath(
    prefixIn: string,
    baseDir: string,
    w: number,
    h: number,
  ): Promise<{ folder: string; filename: string; counter: number; subfolder: string }> {
    let prefix = prefixIn;
    if (prefix.includes('%')) {
      const d = new Date();
      prefix = prefix
        .replaceAll('%width%', String(w)).replaceAll('%height%', String(h))
        .replaceAll('%year%', String(d.getFullYear())).replaceAll('%month%', pad2(d.getMonth() + 1))
        .replaceAll('%day%', pad2(d.getDate())).replaceAll('%hour%', pad2(d.getHours()))
        .replaceAll('%minute%', pad2(d.getMinutes())).replaceAll('%second%', pad2(d.getSeconds()));
    }
    const norm = pyNormpath(prefix);
    const subfolder = pyDirname(norm);
    const filename = pyBasename(norm);
    const folder = path.resolve(baseDir, subfolder);
    if (folder !== baseDir && !folder.startsWith(baseDir + path.sep)) {
      throw new PyError(
        'Exception',
        '**** ERROR: Saving image outside the output folder is not allowed.' +
          `\n full_output_folder: ${folder}\n         output_dir: ${baseDir}\n         commonpath: ${path.parse(baseDir).root}`,
      );
    }
    const prefixLen = pyBasename(prefix).length;
    let counter = 1;
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      await mkdir(folder, { recursive: true });
      names = [];
    }
    let max = -1;
    for (const f of names) {
      const pre = f.slice(0, prefixLen + 1);
      let digits: number;
      try {
        digits = pyInt(f.slice(prefixLen + 1).split('_')[0]);
      } catch {
        digits = 0;
      }
      if (pre.slice(0, -1) === filename && pre.slice(-1) === '_') max = Math.max(max, digits);
    }
    if (max >= 0) counter = max + 1;
    return { folder, filename, counter, subfolder };
  }

  /** GET /view (channel/preview re-encoding is not simulated: the raw file is served). */
  async view(q: URLSearchParams, rangeHeader: string | undefined, ifNoneMatch: string | undefined): Promise<ViewResult> {
    const none: ViewResult = { status: 404, headers: {} };
    if (!q.has('filename')) return none;
    const ann = this.annotated(q.get('filename')!);
    let filename = ann.name;
    if (!filename) return { status: 400, headers: {} };
    if (filename[0] === '/' || filename.includes('..')) return { status: 400, headers: {} };
    let dir = ann.dir ?? this.dirByType(q.get('type') ?? 'output');
    if (dir === undefined) return { status: 400, headers: {} };
    if (q.has('subfolder')) {
      const full = path.resolve(dir, q.get('subfolder')!);
      if (full !== dir && !full.startsWith(dir + path.sep)) return { status: 403, headers: {} };
      dir = full;
    }
    filename = path.posix.basename(filename);
    const file = path.join(dir, filename);
    let st;
    try {
      st = await stat(file);
    } catch {
      return none;
    }
    if (!st.isFile()) return none;
    let ctype = guessMime(filename) ?? 'application/octet-stream';
    if (FORCE_DOWNLOAD.has(ctype)) ctype = 'application/octet-stream';
    const etag = `"${(st.mtimeMs * 1e6).toString(16).split('.')[0]}-${st.size.toString(16)}"`;
    const headers: Record<string, string> = {
      'Content-Type': ctype,
      'Content-Disposition': `filename="${filename}"`,
      'Accept-Ranges': 'bytes',
      'Last-Modified': st.mtime.toUTCString(),
      ETag: etag,
    };
    if (ifNoneMatch && (ifNoneMatch === '*' || ifNoneMatch.split(',').some((t) => t.trim() === etag))) {
      return { status: 304, headers };
    }
    const size = st.size;
    if (rangeHeader !== undefined) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
      let start = -1;
      let end = size - 1;
      if (m && (m[1] || m[2])) {
        if (m[1]) {
          start = Number(m[1]);
          if (m[2]) end = Math.min(Number(m[2]), size - 1);
        } else {
          start = Math.max(0, size - Number(m[2]));
        }
      }
      if (!m || start < 0 || start >= size || end < start) {
        return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } };
      }
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      return { status: 206, headers, file: { path: file, start, end } };
    }
    return { status: 200, headers, file: { path: file, start: 0, end: size - 1 } };
  }

  /** POST /upload/image. */
  async upload(parts: FormPart[]): Promise<{ status: number; json?: Record<string, unknown> }> {
    const field = (n: string): FormPart | undefined => parts.find((p) => p.name === n);
    const text = (n: string): string | undefined => field(n)?.data.toString('utf8');
    const type = text('type') ?? 'input';
    const dir = this.dirByType(type);
    if (dir === undefined) return { status: 500 }; // UnboundLocalError in get_dir_by_type
    const image = field('image');
    if (!image) return { status: 400 };
    if (image.filename === undefined) return { status: 500 }; // str has no .file
    let filename = image.filename;
    if (!filename) return { status: 400 };
    const subfolder = text('subfolder') ?? '';
    const folder = path.resolve(dir, pyNormpath(subfolder));
    let filepath = path.resolve(folder, filename);
    if (filepath !== dir && !filepath.startsWith(dir + path.sep)) return { status: 400 };
    await mkdir(folder, { recursive: true });
    const overwrite = text('overwrite');
    let duplicate = false;
    if (overwrite !== 'true' && overwrite !== '1') {
      const ext = path.extname(filename);
      const stem = ext ? filename.slice(0, -ext.length) : filename;
      const want = createHash('sha256').update(image.data).digest('hex');
      for (let i = 1; existsSync(filepath); i++) {
        try {
          const have = createHash('sha256').update(await readFile(filepath)).digest('hex');
          if (have === want) {
            duplicate = true;
            break;
          }
        } catch {
          /* directory or unreadable: treat as different */
        }
        filename = `${stem} (${i})${ext}`;
        filepath = path.join(folder, filename);
      }
    }
    if (!duplicate) {
      try {
        await writeFile(filepath, image.data);
      } catch {
        return { status: 500 };
      }
    }
    return { status: 200, json: { name: filename, subfolder, type } };
  }

  /** /internal/files/{type}: top-level file names, newest first. */
  async listTop(dir: string): Promise<string[]> {
    const names = await readdir(dir);
    const withTime = await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(dir, n)).catch(() => undefined);
        return s?.isFile() ? { n, t: s.mtimeMs } : undefined;
      }),
    );
    return withTime.filter((x): x is { n: string; t: number } => !!x).sort((a, b) => b.t - a.t).map((x) => x.n);
  }
}
