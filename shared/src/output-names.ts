/*
 * The names of our outputs: `<yyyy-mm-dd>/<yyyy-mm-dd>_<prompt-slug>_<seed>_<job>[_<n>]<ext>`, e.g.
 * `2025-06-01/2025-06-01_a-lighthouse-at-dusk_42_3f9a1c2e.png`, so a folder of downloads sorts by day and
 * reads as what was asked for. Every part comes from the job alone (its creation day, prompt, seed, id, the
 * output's place): a retry of the same job rewrites the same files, and so gets the same asset ids
 * (assetIdForPath). Two jobs never share a name, even with the same prompt and seed, because the first
 * eight hex digits of the job id (a random UUID) are part of it; `_<n>` tells a job's outputs apart when it
 * has several. No randomness.
 *
 * Collisions: two jobs of the same day, slug and seed whose ids begin with the same 8 hex digits (one pair
 * in four billion) would share a name. claimOutputRelPath looks at what is there before the worker writes:
 * a name held by another job's output (its sidecar names another job, or a file without one) makes this
 * job use its whole id instead (32 hex digits, unique as job ids are). The same look on a retry finds the
 * same answer, so a retry still rewrites the files of its first attempt.
 *
 * Portable: lowercase ASCII letters, digits, `-` and `_` only (one spelling on case-insensitive disks,
 * nothing Windows, macOS or Linux refuses), never a leading dot (hidden, ignored by the gallery), and the
 * date in front means no name is ever a Windows device name (CON, NUL, COM1…). Pure: browser-safe.
 */

/** Longest prompt slug, in characters (the whole name stays near 100, far below every file system's 255). */
export const SLUG_MAX = 48;

/** Letters NFKD does not take apart into ASCII (ß, æ, ø…), spelled as people write them without the accent. */
const FOLD: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŋ: 'ng',
  ſ: 's',
};

/**
 * The prompt as a file-name slug: lowercase ASCII words joined by `-`, at most `max` characters, cut at a
 * word boundary (a single longer word is cut). Accents are dropped (é → e), apostrophes join their word
 * (fox's → foxs), everything else separates words. Empty when nothing Latin is left (a Chinese prompt).
 */
export function promptSlug(prompt: string | undefined, max = SLUG_MAX): string {
  if (!prompt) return '';
  const folded = prompt
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæœøđðþłıħŋſ]/g, (c) => FOLD[c] ?? '')
    .replace(/['’ʼ`]/g, '');
  const words = folded.split(/[^a-z0-9]+/).filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > max) {
      if (!slug) slug = word.slice(0, max);
      break;
    }
    slug = next;
  }
  return slug;
}

export interface OutputNameParts {
  /** When the job was created (its record's createdAt): the same for every attempt, unlike "now". */
  createdAt: Date | string;
  jobId: string;
  prompt?: string | undefined;
  seed?: number | undefined;
  /** 1-based place of this output among the job's outputs, and how many there are. */
  index: number;
  count: number;
  /** The file's real extension, with its dot (`.png`, `.webp`, `.mp4`); anything unusual becomes `.bin`. */
  ext: string;
  /** The slug when the prompt has none (empty, or no Latin letters): the asset's kind reads well there. */
  fallback?: string;
  /** The whole job id (32 hex digits) instead of its first 8: when the short name is another job's (claimOutputRelPath). */
  wholeJobId?: boolean;
}

/** `yyyy-mm-dd` (UTC) of a date or an ISO string; today for anything unreadable. */
export function outputDay(createdAt: Date | string): string {
  const date = typeof createdAt === 'string' ? new Date(createdAt) : createdAt;
  return (Number.isFinite(date.getTime()) ? date : new Date()).toISOString().slice(0, 10);
}

/** The part of a job id kept in its names: its first 8 hex digits (32 random bits of a v4 UUID), or `digits` of them. */
export function jobIdFragment(jobId: string, digits = 8): string {
  const hex = jobId.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 64);
  return hex.length >= digits ? hex.slice(0, digits) : hex.padEnd(digits, '0');
}

function seedPart(seed: number | undefined): string | null {
  if (seed === undefined || !Number.isFinite(seed)) return null;
  const digits = BigInt(Math.trunc(Math.abs(seed))).toString();
  return digits.length <= 20 ? digits : null; // past 2^64 it is no seed any sampler uses
}

/** An extension fit for an output's name: lowercase, `.` then 1-8 letters or digits; `.bin` for anything else. */
export function outputExt(ext: string): string {
  const lower = ext.toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(lower) ? lower : '.bin';
}

/** The output's file name (no folder). See the rules at the top of this file. */
export function outputFileName(p: OutputNameParts): string {
  const ext = outputExt(p.ext);
  const parts = [outputDay(p.createdAt), promptSlug(p.prompt) || promptSlug(p.fallback) || 'output'];
  const seed = seedPart(p.seed);
  if (seed !== null) parts.push(seed);
  parts.push(jobIdFragment(p.jobId, p.wholeJobId ? 32 : 8));
  if (p.count > 1) parts.push(String(p.index));
  return `${parts.join('_')}${ext}`;
}

/** Where the output goes under OUTPUT_PATH: its day's folder, then its name. */
export function outputRelPath(p: OutputNameParts): string {
  return `${outputDay(p.createdAt)}/${outputFileName(p)}`;
}

/** What claimOutputRelPath reads: the output store (a FileStore), as the worker reaches it. */
export interface OutputNameProbe {
  read(relPath: string): Promise<Uint8Array | null>;
  size(relPath: string): Promise<number | null>;
}

/** The job id an output's sidecar (`<file>.json`) names, if it is one. */
function sidecarJobId(bytes: Uint8Array): string | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const meta = parsed && typeof parsed === 'object' ? (parsed as { meta?: unknown }).meta : undefined;
    const jobId = meta && typeof meta === 'object' ? (meta as { jobId?: unknown }).jobId : undefined;
    return typeof jobId === 'string' ? jobId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where this output goes: outputRelPath, unless that name is held by another job's output (its sidecar
 * names another job, or the file is there without a sidecar), then the name with the whole job id. A
 * sidecar of this very job (an earlier attempt, perhaps cut short after the sidecar) means the name is
 * ours to rewrite. Deterministic for a job as long as the other job's file stays.
 */
export async function claimOutputRelPath(store: OutputNameProbe, p: OutputNameParts): Promise<string> {
  const rel = outputRelPath(p);
  if (p.wholeJobId) return rel;
  const sidecar = await store.read(`${rel}.json`);
  if (sidecar ? sidecarJobId(sidecar) === p.jobId : (await store.size(rel)) === null) return rel;
  return outputRelPath({ ...p, wholeJobId: true });
}
