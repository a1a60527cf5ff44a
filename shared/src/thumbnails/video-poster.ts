import { spawn } from 'node:child_process';

/*
 * Video posters come from ffmpeg, which a machine may not have (it is a system package, not an npm
 * dependency). Whether it runs is found out once, at the first video, by running `ffmpeg -version`.
 * The server's thumbnails and the worker's thumbnails of its own video outputs both take the first frame
 * this way, so a poster is the same whoever made it.
 */

const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15000;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs: number, maxBytes: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(chunks), stderr });
    });
  });
}

export class VideoPosters {
  private available: Promise<boolean> | null = null;

  /** `ffmpegPath` null means "never use ffmpeg" (posters are always placeholders). */
  constructor(
    private readonly ffmpegPath: string | null = 'ffmpeg',
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  /** True when ffmpeg runs here; asked once, then remembered for the life of the process. */
  isAvailable(): Promise<boolean> {
    const cmd = this.ffmpegPath;
    if (cmd === null) return Promise.resolve(false);
    this.available ??= run(cmd, ['-hide_banner', '-version'], 5000, 1024 * 1024).then(
      (r) => r.code === 0,
      () => false,
    );
    return this.available;
  }

  /**
   * The first frame of `realPath` as a PNG, or null when ffmpeg is absent. Throws when ffmpeg is there
   * but cannot read the file (corrupt video), so the caller shows a placeholder.
   */
  async firstFrame(realPath: string): Promise<Buffer | null> {
    if (!(await this.isAvailable())) return null;
    // `file:` keeps ffmpeg from reading a protocol out of the name; one thread per job because the
    // server's thumbnail pool already runs one job per core.
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-threads', '1', '-ss', '0', '-i', `file:${realPath}`];
    args.push('-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-');
    const res = await run(this.ffmpegPath!, args, this.timeoutMs, MAX_FRAME_BYTES);
    if (res.code !== 0 || res.stdout.length === 0) {
      throw new Error(`ffmpeg could not read a frame (exit ${res.code}): ${res.stderr.trim().slice(0, 200)}`);
    }
    return res.stdout;
  }
}
