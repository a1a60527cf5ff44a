/*
 * Video facts through ffprobe (Debian's ffmpeg package), when it is installed; without it a video is
 * indexed with its file facts only. At most two probes run at once, each with a time limit, so a
 * folder of videos cannot take the machine's two cores from the server.
 */
import { execFile } from 'node:child_process';
import pLimit from 'p-limit';

export interface VideoFacts {
  width?: number;
  height?: number;
  durationMs?: number;
  frames?: number;
  fps?: number;
  /** Text in PNG-chunk form: ComfyUI's Video Helper Suite stores `{prompt, workflow}` in the `comment` tag. */
  text: Record<string, string>;
}

const TIMEOUT_MS = 10_000;
const MAX_RUNNING = 2;

interface FfprobeOutput {
  streams?: Array<{ width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; nb_frames?: string; duration?: string }>;
  format?: { duration?: string; tags?: Record<string, string> };
}

export class VideoProber {
  private available: Promise<boolean> | null = null;
  private readonly limit = pLimit(MAX_RUNNING);

  constructor(private readonly binary = 'ffprobe') {}

  isAvailable(): Promise<boolean> {
    this.available ??= new Promise((resolve) => {
      execFile(this.binary, ['-version'], { timeout: 5000 }, (err) => resolve(!err));
    });
    return this.available;
  }

  async probe(file: string): Promise<VideoFacts> {
    if (!(await this.isAvailable())) return { text: {} };
    const out = await this.limit(() => this.run(file));
    return out ? parseFfprobe(out) : { text: {} };
  }

  private run(file: string): Promise<FfprobeOutput | null> {
    const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', '--', file];
    return new Promise((resolve) => {
      execFile(this.binary, args, { timeout: TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
        if (err) return resolve(null);
        try {
          resolve(JSON.parse(stdout) as FfprobeOutput);
        } catch {
          resolve(null);
        }
      });
    });
  }
}

function positive(n: number): number | undefined {
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function rate(text: string | undefined): number | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!m || Number(m[2]) === 0) return undefined;
  return positive(Math.round((Number(m[1]) / Number(m[2])) * 1000) / 1000);
}

export function parseFfprobe(out: FfprobeOutput): VideoFacts {
  const facts: VideoFacts = { text: {} };
  const s = out.streams?.[0];
  const set = <K extends keyof VideoFacts>(k: K, v: VideoFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('width', positive(Number(s?.width)));
  set('height', positive(Number(s?.height)));
  set('fps', rate(s?.avg_frame_rate) ?? rate(s?.r_frame_rate));
  set('frames', positive(Number.parseInt(s?.nb_frames ?? '', 10)));
  const seconds = Number(s?.duration ?? out.format?.duration);
  set('durationMs', positive(Math.round(seconds * 1000)));
  const tags = out.format?.tags ?? {};
  const lower = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of ['prompt', 'parameters']) if (typeof lower[key] === 'string') facts.text[key] = lower[key];
  if (typeof lower.comment === 'string' && !facts.text.prompt) {
    try {
      const parsed = JSON.parse(lower.comment) as { prompt?: unknown };
      if (typeof parsed.prompt === 'string') facts.text.prompt = parsed.prompt;
      else if (parsed.prompt && typeof parsed.prompt === 'object') facts.text.prompt = JSON.stringify(parsed.prompt);
    } catch {
      // a plain-text comment is not ours to read
    }
  }
  return facts;
}
