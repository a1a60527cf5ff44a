import type { ChatProblemCode } from './chat.js';

/*
 * The chat's command grammar: one table of commands and one of flags, a tokenizer that keeps every
 * token's place in the text (for highlighting), and a parser whose problems name what is wrong and the
 * nearest valid form. The server executes what this parses; the web highlights and autocompletes with
 * the same tables (chat-complete.ts). Pure: no I/O, browser-safe.
 *
 * Syntax, as users know it from Midjourney and Discord bots:
 *   /command [args] [prompt] [--flag value]…     plain text = a prompt for the thread's target
 * Flags may stand anywhere after the command; `--neg` takes the words up to the next flag; a value
 * with spaces may be quoted ("…", '…', “…”, «…»); `--` alone ends the flags (the rest is prompt).
 * An em or en dash (—ar, as phones and macOS autocorrect `--`) counts as `--`.
 */

export const CHAT_COMMAND_NAMES = ['help', 'agent-list', 'agent-on', 'agent-off', 'apex-comfy', 'apex-flux', 'v0', 'video', 'cancel', 'retry', 'vary'] as const;
export type ChatCommandName = (typeof CHAT_COMMAND_NAMES)[number];

export const CHAT_FLAG_NAMES = ['ar', 'size', 'seed', 'steps', 'cfg', 'neg', 'sampler', 'raw', 'n', 'model', 'frames', 'fps'] as const;
export type ChatFlagName = (typeof CHAT_FLAG_NAMES)[number];

/** What a flag's value looks like: none (a switch), a number, a `W:H` ratio, a `WxH` size, one word, or the words up to the next flag. */
export type FlagValueKind = 'none' | 'integer' | 'number' | 'ratio' | 'size' | 'word' | 'words';

export interface FlagSpec {
  name: ChatFlagName;
  aliases?: readonly string[];
  value: FlagValueKind;
  /** `--ar <w:h>` */
  usage: string;
  summary: string;
  /** Values offered by autocomplete (the model flags take theirs from the provider). */
  suggestions?: readonly string[];
}

export const CHAT_FLAGS: Readonly<Record<ChatFlagName, FlagSpec>> = {
  ar: { name: 'ar', aliases: ['aspect'], value: 'ratio', usage: '--ar <w:h>', summary: 'aspect ratio, e.g. 16:9', suggestions: ['1:1', '16:9', '9:16', '3:2', '2:3', '4:3', '3:4', '21:9'] },
  size: { name: 'size', value: 'size', usage: '--size <w>x<h>', summary: 'exact size in pixels, e.g. 1216x832', suggestions: ['1024x1024', '1216x832', '832x1216', '1344x768', '768x1344', '512x512'] },
  seed: { name: 'seed', value: 'integer', usage: '--seed <n>', summary: 'the seed (the same seed and settings give the same image)' },
  steps: { name: 'steps', value: 'integer', usage: '--steps <n>', summary: 'sampling steps' },
  cfg: { name: 'cfg', aliases: ['guidance'], value: 'number', usage: '--cfg <x>', summary: 'prompt guidance (CFG; FLUX dev: guidance)' },
  neg: { name: 'neg', aliases: ['no'], value: 'words', usage: '--neg "<words>"', summary: 'negative prompt: what to keep out' },
  sampler: { name: 'sampler', value: 'word', usage: '--sampler <name>', summary: 'ComfyUI sampler, e.g. dpmpp_2m', suggestions: ['euler', 'euler_ancestral', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_sde', 'ddim', 'uni_pc'] },
  raw: { name: 'raw', value: 'none', usage: '--raw', summary: 'FLUX raw mode: less processed, photographic' },
  n: { name: 'n', aliases: ['count', 'repeat'], value: 'integer', usage: '--n <1-8>', summary: 'how many jobs (each its own seed)', suggestions: ['2', '4', '8'] },
  model: { name: 'model', value: 'word', usage: '--model <name>', summary: 'the model (FLUX: flux-pro-1.1-ultra…; v0: v0-pro…; video: an SVD checkpoint)' },
  frames: { name: 'frames', value: 'integer', usage: '--frames <n>', summary: 'video length in frames' },
  fps: { name: 'fps', value: 'integer', usage: '--fps <n>', summary: 'video frames per second' },
};

/** Most jobs one message may queue (`--n`). */
export const CHAT_MAX_JOBS_PER_MESSAGE = 8;

export type ArgKind = 'model' | 'agent' | 'job' | 'topic' | 'ws';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  optional?: boolean;
}

export interface CommandSpec {
  name: ChatCommandName;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  examples: readonly string[];
  args: readonly ArgSpec[];
  prompt: 'required' | 'optional' | 'none';
  flags: readonly ChatFlagName[];
  /** An attached image: needed, allowed, or refused. */
  image: 'required' | 'optional' | 'none';
}

const IMAGE_FLAGS: readonly ChatFlagName[] = ['ar', 'size', 'seed', 'steps', 'cfg', 'n'];

export const CHAT_COMMANDS: Readonly<Record<ChatCommandName, CommandSpec>> = {
  help: {
    name: 'help',
    aliases: ['?', 'commands'],
    usage: '/help [command]',
    summary: 'the commands, with examples',
    examples: ['/help', '/help apex-comfy'],
    args: [{ name: 'command', kind: 'topic', optional: true }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  'agent-list': {
    name: 'agent-list',
    aliases: ['agents'],
    usage: '/agent-list [ws]',
    summary: 'providers and backends and whether they are on; `ws` adds their status (current job, loaded model, queue, worker)',
    examples: ['/agent-list', '/agent-list ws'],
    args: [{ name: 'ws', kind: 'ws', optional: true }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  'agent-on': {
    name: 'agent-on',
    usage: '/agent-on <name>',
    summary: 'switch a provider or backend on (admin)',
    examples: ['/agent-on comfyui-1', '/agent-on flux'],
    args: [{ name: 'name', kind: 'agent' }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  'agent-off': {
    name: 'agent-off',
    usage: '/agent-off <name>',
    summary: 'switch a provider or backend off: its running job finishes, nothing new starts (admin)',
    examples: ['/agent-off comfyui-1'],
    args: [{ name: 'name', kind: 'agent' }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  'apex-comfy': {
    name: 'apex-comfy',
    aliases: ['comfy', 'comfyui'],
    usage: '/apex-comfy <model> <prompt> [flags]',
    summary: 'an image on a ComfyUI backend; <model> by file name, prefix or friendly name (sdxl, juggernaut)',
    examples: ['/apex-comfy sdxl a lighthouse at dusk --ar 16:9', '/apex-comfy sd_xl_base a fox in the snow --steps 30 --cfg 6.5 --neg "blurry, text" --n 4'],
    args: [{ name: 'model', kind: 'model' }],
    prompt: 'required',
    flags: [...IMAGE_FLAGS, 'neg', 'sampler'],
    image: 'none',
  },
  'apex-flux': {
    name: 'apex-flux',
    aliases: ['flux'],
    usage: '/apex-flux <prompt> [flags]',
    summary: 'an image from Black Forest Labs FLUX (default flux-pro-1.1-ultra; --model to change)',
    examples: ['/apex-flux a lighthouse at dusk --ar 21:9 --raw', '/apex-flux a red fox --model flux-dev --steps 28 --cfg 3'],
    args: [],
    prompt: 'required',
    flags: [...IMAGE_FLAGS, 'raw', 'model'],
    image: 'optional',
  },
  v0: {
    name: 'v0',
    aliases: ['site'],
    usage: '/v0 <prompt>',
    summary: 'a website from v0; then plain text in the thread changes it (a follow-up)',
    examples: ['/v0 a landing page for a lighthouse museum', '/v0 a pricing page --model v0-max'],
    args: [],
    prompt: 'required',
    flags: ['model'],
    image: 'none',
  },
  video: {
    name: 'video',
    usage: '/video [prompt] [flags]  (with an attached image)',
    summary: 'a short video from the attached image (Stable Video Diffusion on ComfyUI)',
    examples: ['/video  (attach an image: paste, drop or pick)', '/video --frames 25 --fps 8'],
    args: [],
    prompt: 'optional',
    flags: ['seed', 'steps', 'cfg', 'frames', 'fps', 'size', 'model', 'n'],
    image: 'required',
  },
  cancel: {
    name: 'cancel',
    usage: '/cancel [n|job-id]',
    summary: "cancel the thread's last job (all of its last batch), job #n, or a job by id",
    examples: ['/cancel', '/cancel 2'],
    args: [{ name: 'job', kind: 'job', optional: true }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  retry: {
    name: 'retry',
    usage: '/retry [n|job-id]',
    summary: "run the thread's last failed or cancelled job (or job #n) again",
    examples: ['/retry', '/retry 3'],
    args: [{ name: 'job', kind: 'job', optional: true }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
  vary: {
    name: 'vary',
    aliases: ['variations'],
    usage: '/vary [n|job-id]',
    summary: "the same settings with a new seed, for the thread's last job or job #n",
    examples: ['/vary', '/vary 1'],
    args: [{ name: 'job', kind: 'job', optional: true }],
    prompt: 'none',
    flags: [],
    image: 'none',
  },
};

// ---------------------------------------------------------------- tokens

export interface RawToken {
  /** The token's value: quotes removed, escapes applied. */
  value: string;
  start: number;
  end: number;
  quoted: boolean;
}

const QUOTES: Readonly<Record<string, readonly string[]>> = {
  '"': ['"', '”'],
  "'": ["'", '’'],
  '“': ['”', '"', '“'],
  '„': ['“', '”', '"'],
  '‘': ['’', "'"],
  '«': ['»'],
};
const SPACE = /\s/u;

/**
 * Splits on whitespace. A token that opens with a quote runs to its closing quote (and on to the next
 * whitespace); without a closing quote the quote is an ordinary character (a prompt may say 12" vinyl).
 */
export function tokenizeChat(input: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  while (i < input.length) {
    if (SPACE.test(input[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const closers = QUOTES[input[i]!];
    if (closers) {
      let j = i + 1;
      let value = '';
      let closed = false;
      while (j < input.length) {
        const c = input[j]!;
        if (c === '\\' && j + 1 < input.length && (closers.includes(input[j + 1]!) || input[j + 1] === '\\')) {
          value += input[j + 1];
          j += 2;
          continue;
        }
        if (closers.includes(c) && (j + 1 >= input.length || SPACE.test(input[j + 1]!))) {
          closed = true;
          j++;
          break;
        }
        value += c;
        j++;
      }
      if (closed) {
        out.push({ value, start, end: j, quoted: true });
        i = j;
        continue;
      }
    }
    while (i < input.length && !SPACE.test(input[i]!)) i++;
    out.push({ value: input.slice(start, i), start, end: i, quoted: false });
  }
  return out;
}

// ---------------------------------------------------------------- parse

export type ChatTokenRole = 'command' | 'arg' | 'flag' | 'value' | 'prompt' | 'bad';

export interface ChatToken {
  role: ChatTokenRole;
  start: number;
  end: number;
}

export interface ChatFlags {
  ar?: string;
  size?: { width: number; height: number };
  seed?: number;
  steps?: number;
  cfg?: number;
  neg?: string;
  sampler?: string;
  raw?: boolean;
  n?: number;
  model?: string;
  frames?: number;
  fps?: number;
}

/** Where each flag stood in the text, so a later check (a value out of range) can point at it. */
export type FlagSpans = Partial<Record<ChatFlagName, { start: number; end: number; text: string }>>;

export interface ChatProblem {
  code: ChatProblemCode;
  message: string;
  /** The nearest valid form of the whole text, when there is one. */
  hint?: string;
  /** The part of the text at fault. */
  span?: { start: number; end: number };
  candidates?: string[];
}

export interface ParsedChat {
  /** null: plain text, a prompt for the thread's target. */
  command: ChatCommandName | null;
  args: string[];
  prompt: string;
  flags: ChatFlags;
  spans: FlagSpans;
}

export type ChatParse = { ok: true; parsed: ParsedChat; tokens: ChatToken[] } | { ok: false; problem: ChatProblem; tokens: ChatToken[] };

export interface ParseOptions {
  /** Plain text is read as this command's prompt and flags (the thread's target). */
  plainCommand?: ChatCommandName;
}

const FLAG_RE = /^(?:--|—|–)([\p{L}][\p{L}\p{N}-]*)(?:=(.*))?$/su;

/** The flag a token names (`--ar`, `—ar`, `--ar=16:9`), or null. Quoted tokens are never flags. */
export function flagToken(t: RawToken): { name: string; inline?: string } | null {
  if (t.quoted) return null;
  const m = FLAG_RE.exec(t.value);
  if (!m) return null;
  return m[2] !== undefined ? { name: m[1]!.toLowerCase(), inline: m[2] } : { name: m[1]!.toLowerCase() };
}

const isEndOfFlags = (t: RawToken) => !t.quoted && t.value === '--';

export function findFlag(name: string): FlagSpec | undefined {
  const n = name.toLowerCase();
  return Object.values(CHAT_FLAGS).find((f) => f.name === n || f.aliases?.includes(n));
}

export function findCommand(name: string): CommandSpec | undefined {
  const n = name.toLowerCase().replace(/^\//, '');
  return Object.values(CHAT_COMMANDS).find((c) => c.name === n || c.aliases?.includes(n));
}

/** Optimal string alignment distance (Levenshtein with transpositions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The names closest to `typed`: its prefix matches, else those within a small edit distance, best first. */
export function nearest(typed: string, names: readonly string[], max = 3): string[] {
  const t = typed.toLowerCase();
  if (t === '') return [];
  const prefixed = names.filter((n) => n.startsWith(t));
  if (prefixed.length > 0) return prefixed.slice(0, max);
  const limit = Math.max(1, Math.min(3, Math.floor(t.length / 3)));
  return names
    .map((n) => ({ n, d: editDistance(t, n) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}

const orList = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);

/** The text with [start, end) replaced. */
function replaced(input: string, start: number, end: number, by: string): string {
  const before = input.slice(0, start);
  const after = input.slice(end);
  return (by === '' ? `${before.trimEnd()} ${after.trimStart()}` : `${before}${by}${after}`).trim();
}

const JOB_REF_RE = /^#?([1-9][0-9]{0,8})$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `2`, `#2` → {n: 2}; a job id → {id}; else null. */
export function parseJobRef(text: string): { n: number } | { id: string } | null {
  const m = JOB_REF_RE.exec(text);
  if (m) return { n: Number(m[1]) };
  const lower = text.toLowerCase();
  return UUID_RE.test(lower) ? { id: lower } : null;
}

function parseValue(spec: FlagSpec, text: string): { ok: true; value: string | number | { width: number; height: number } } | { ok: false; message: string } {
  const v = text.trim();
  switch (spec.value) {
    case 'integer':
      return /^[+]?[0-9]{1,16}$/.test(v) && Number.isSafeInteger(Number(v)) ? { ok: true, value: Number(v) } : { ok: false, message: `${spec.usage.split(' ')[0]} takes a whole number (got "${v}")` };
    case 'number': {
      const n = Number(v.replace(',', '.'));
      return v !== '' && /^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$/.test(v) && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `${spec.usage.split(' ')[0]} takes a number (got "${v}")` };
    }
    case 'ratio':
      return /^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$/.test(v) ? { ok: true, value: v } : { ok: false, message: `--ar takes a ratio like 16:9 (got "${v}")` };
    case 'size': {
      const m = /^([1-9][0-9]{1,4})\s*[x×*]\s*([1-9][0-9]{1,4})$/iu.exec(v);
      return m ? { ok: true, value: { width: Number(m[1]), height: Number(m[2]) } } : { ok: false, message: `--size takes width x height, like 1216x832 (got "${v}")` };
    }
    case 'word':
    case 'words':
      return v !== '' ? { ok: true, value: v } : { ok: false, message: `${spec.usage.split(' ')[0]} needs a value: ${spec.usage}` };
    case 'none':
      return { ok: true, value: 1 };
  }
}

/**
 * Parses one message. Never throws: a problem says what is wrong, where, and (in `hint`) the nearest
 * valid form of the whole text. Ranges (steps ≤ 200…) are not checked here but by the job request's
 * own schema once the target is known (chat-request.ts).
 */
export function parseChat(input: string, options: ParseOptions = {}): ChatParse {
  const raw = tokenizeChat(input);
  const tokens: ChatToken[] = [];
  const fail = (problem: ChatProblem): ChatParse => {
    if (problem.span) {
      const s = problem.span;
      const at = tokens.findIndex((t) => t.start === s.start);
      if (at >= 0) tokens[at] = { ...tokens[at]!, role: 'bad' };
      else tokens.push({ role: 'bad', start: s.start, end: s.end });
    }
    return { ok: false, problem, tokens };
  };
  if (raw.length === 0) return fail({ code: 'empty', message: 'Type a prompt, or / for the commands' });

  let command: CommandSpec | null = null;
  let rest = raw;
  const first = raw[0]!;
  if (!first.quoted && first.value.startsWith('/')) {
    const typed = first.value.slice(1);
    command = findCommand(typed) ?? null;
    tokens.push({ role: command ? 'command' : 'bad', start: first.start, end: first.end });
    if (!command) return fail(unknownCommand(input, first));
    rest = raw.slice(1);
  } else if (options.plainCommand) {
    command = CHAT_COMMANDS[options.plainCommand];
  }
  const takes = command?.flags ?? CHAT_FLAG_NAMES;
  const plain = command !== null && rest === raw;

  const flags: ChatFlags = {};
  const spans: FlagSpans = {};
  const words: RawToken[] = [];
  /** Groups of adjacent prompt tokens (flags between them split the prompt). */
  let endOfFlags = false;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (!endOfFlags && isEndOfFlags(t)) {
      endOfFlags = true;
      tokens.push({ role: 'flag', start: t.start, end: t.end });
      continue;
    }
    const f = endOfFlags ? null : flagToken(t);
    if (!f) {
      words.push(t);
      continue;
    }
    const spec = findFlag(f.name);
    if (!spec) return fail(unknownFlag(input, t, f.name, takes, command));
    if (!takes.includes(spec.name)) {
      const by = command ? (plain ? `a prompt for ${describeCommand(command)}` : `/${command.name}`) : 'this';
      const others = takes.length > 0 ? `; it takes ${takes.map((n) => `--${n}`).join(', ')}` : '';
      return fail({
        code: 'flag_not_taken',
        message: `${by} takes no --${spec.name}${others}`,
        hint: replaced(input, t.start, flagEnd(rest, i, spec, f.inline), ''),
        span: { start: t.start, end: t.end },
      });
    }
    if (spans[spec.name]) {
      return fail({ code: 'repeated_flag', message: `--${spec.name} is given twice: keep one`, hint: replaced(input, t.start, flagEnd(rest, i, spec, f.inline), ''), span: { start: t.start, end: t.end } });
    }
    tokens.push({ role: 'flag', start: t.start, end: t.end });
    if (spec.value === 'none') {
      if (f.inline !== undefined) return fail({ code: 'bad_flag_value', message: `${spec.usage} takes no value`, hint: replaced(input, t.start, t.end, `--${spec.name}`), span: { start: t.start, end: t.end } });
      (flags as Record<string, unknown>)[spec.name] = true;
      spans[spec.name] = { start: t.start, end: t.end, text: `--${spec.name}` };
      continue;
    }
    let valueText: string;
    let valueStart: number;
    let valueEnd: number;
    if (f.inline !== undefined) {
      valueText = f.inline;
      valueStart = t.start + t.value.indexOf('=') + 1;
      valueEnd = t.end;
    } else {
      const next = rest[i + 1];
      if (!next || flagToken(next) || isEndOfFlags(next)) {
        return fail({ code: 'bad_flag_value', message: `--${spec.name} needs a value: ${spec.usage}`, hint: usageHint(command), span: { start: t.start, end: t.end } });
      }
      if (spec.value === 'words' && !next.quoted) {
        // Midjourney's --no: every word up to the next flag.
        let j = i + 1;
        while (j + 1 < rest.length && !flagToken(rest[j + 1]!) && !isEndOfFlags(rest[j + 1]!)) j++;
        valueStart = next.start;
        valueEnd = rest[j]!.end;
        valueText = input.slice(valueStart, valueEnd);
        i = j;
      } else {
        valueText = next.value;
        valueStart = next.start;
        valueEnd = next.end;
        i++;
      }
    }
    const parsed = parseValue(spec, valueText);
    tokens.push({ role: parsed.ok ? 'value' : 'bad', start: valueStart, end: valueEnd });
    if (!parsed.ok) return fail({ code: 'bad_flag_value', message: parsed.message, hint: usageHint(command), span: { start: valueStart, end: valueEnd } });
    (flags as Record<string, unknown>)[spec.name] = parsed.value;
    spans[spec.name] = { start: t.start, end: valueEnd, text: input.slice(t.start, valueEnd) };
  }

  // Positional arguments first, the rest is the prompt.
  const args: string[] = [];
  const argSpecs = plain ? [] : (command?.args ?? []);
  let w = 0;
  for (const spec of argSpecs) {
    const t = words[w];
    if (!t) {
      if (spec.optional) break;
      return fail({ code: 'missing_argument', message: `/${command!.name} needs <${spec.name}>: ${command!.usage}`, hint: command!.usage });
    }
    const problem = checkArg(spec, t, command!, input);
    tokens.push({ role: problem ? 'bad' : 'arg', start: t.start, end: t.end });
    if (problem) return fail(problem);
    args.push(spec.kind === 'topic' ? t.value.replace(/^\//, '').toLowerCase() : t.value);
    w++;
  }
  const promptWords = words.slice(w);
  for (const t of promptWords) tokens.push({ role: 'prompt', start: t.start, end: t.end });
  tokens.sort((a, b) => a.start - b.start);
  const prompt = joinPrompt(input, promptWords);

  if (command) {
    if (command.prompt === 'none' && promptWords.length > 0) {
      const t = promptWords[0]!;
      return fail({ code: 'unexpected_argument', message: `/${command.name} takes no more than that: ${command.usage}`, hint: replaced(input, t.start, promptWords[promptWords.length - 1]!.end, ''), span: { start: t.start, end: promptWords[promptWords.length - 1]!.end } });
    }
    if (command.prompt === 'required' && prompt === '') {
      return fail({ code: 'missing_argument', message: plain ? 'Type a prompt' : `/${command.name} needs a prompt: ${command.usage}`, hint: command.usage });
    }
  } else if (prompt === '') {
    return fail({ code: 'missing_argument', message: 'Type a prompt as well as the flags', hint: input.trim() });
  }
  return { ok: true, parsed: { command: plain ? null : (command?.name ?? null), args, prompt, flags, spans }, tokens };
}

/** The end of a flag and its value, to drop them from a hint. */
function flagEnd(rest: readonly RawToken[], i: number, spec: FlagSpec, inline: string | undefined): number {
  const t = rest[i]!;
  if (spec.value === 'none' || inline !== undefined) return t.end;
  const next = rest[i + 1];
  if (!next || flagToken(next)) return t.end;
  if (spec.value !== 'words' || next.quoted) return next.end;
  let j = i + 1;
  while (j + 1 < rest.length && !flagToken(rest[j + 1]!)) j++;
  return rest[j]!.end;
}

/** Prompt tokens as typed (inner spacing and line breaks kept), groups split by flags joined with a space. */
function joinPrompt(input: string, words: readonly RawToken[]): string {
  const parts: string[] = [];
  let group: RawToken[] = [];
  const flush = () => {
    if (group.length > 0) parts.push(input.slice(group[0]!.start, group[group.length - 1]!.end));
    group = [];
  };
  for (const t of words) {
    const prev = group[group.length - 1];
    if (prev && /\S/u.test(input.slice(prev.end, t.start))) flush();
    group.push(t);
  }
  flush();
  return parts.join(' ').trim();
}

function describeCommand(c: CommandSpec): string {
  return c.name === 'apex-comfy' ? 'ComfyUI' : c.name === 'apex-flux' ? 'FLUX' : c.name === 'v0' ? 'v0' : c.name === 'video' ? 'a video' : `/${c.name}`;
}

function usageHint(command: CommandSpec | null): string | undefined {
  return command?.usage;
}

function unknownCommand(input: string, first: RawToken): ChatProblem {
  const typed = first.value.slice(1).toLowerCase();
  const names = Object.values(CHAT_COMMANDS).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  const close = [...new Set(nearest(typed, names).map((n) => findCommand(n)!.name))];
  const span = { start: first.start, end: first.end };
  if (typed === '') return { code: 'unknown_command', message: 'Type a command after the slash; /help lists them', hint: '/help', span };
  if (close.length === 0) {
    return { code: 'unknown_command', message: `Unknown command /${typed}. Commands: ${CHAT_COMMAND_NAMES.map((n) => `/${n}`).join(', ')}`, hint: '/help', span };
  }
  const best = CHAT_COMMANDS[close[0]!];
  return {
    code: 'unknown_command',
    message: `Unknown command /${typed}: did you mean ${orList(close.map((n) => `/${n}`))}? (${best.usage})`,
    hint: replaced(input, first.start, first.end, `/${best.name}`),
    span,
    candidates: close.map((n) => `/${n}`),
  };
}

function unknownFlag(input: string, t: RawToken, name: string, takes: readonly ChatFlagName[], command: CommandSpec | null): ChatProblem {
  const names = takes.flatMap((n) => [n, ...(CHAT_FLAGS[n].aliases ?? [])]);
  const close = [...new Set(nearest(name, names).map((n) => findFlag(n)!.name))];
  const span = { start: t.start, end: t.end };
  const where = command ? ` (${command.usage})` : '';
  if (close.length === 0) {
    const list = takes.length > 0 ? `; flags here: ${takes.map((n) => `--${n}`).join(', ')}` : '';
    return { code: 'unknown_flag', message: `Unknown flag --${name}${list}`, ...(command ? { hint: command.usage } : {}), span };
  }
  const eq = t.value.indexOf('=');
  const fixed = `--${close[0]}${eq >= 0 ? t.value.slice(eq) : ''}`;
  return { code: 'unknown_flag', message: `Unknown flag --${name}: did you mean ${orList(close.map((n) => `--${n}`))}?${where}`, hint: replaced(input, t.start, t.end, fixed), span, candidates: close.map((n) => `--${n}`) };
}

function checkArg(spec: ArgSpec, t: RawToken, command: CommandSpec, input: string): ChatProblem | null {
  const span = { start: t.start, end: t.end };
  switch (spec.kind) {
    case 'job':
      return parseJobRef(t.value) ? null : { code: 'bad_flag_value', message: `/${command.name} takes a job number from this thread (like 2) or a job id: ${command.usage}`, hint: replaced(input, t.start, t.end, ''), span };
    case 'ws':
      return t.value.toLowerCase() === 'ws' ? null : { code: 'unexpected_argument', message: `/${command.name} takes only "ws" (with status): ${command.usage}`, hint: replaced(input, t.start, t.end, 'ws'), span };
    case 'topic': {
      if (findCommand(t.value)) return null;
      const typed = t.value.replace(/^\//, '').toLowerCase();
      const close = nearest(typed, CHAT_COMMAND_NAMES);
      return {
        code: 'unknown_command',
        message: close.length > 0 ? `No command /${typed}: did you mean ${orList(close.map((n) => `/${n}`))}?` : `No command /${typed}; /help lists them`,
        hint: close[0] ? `/help ${close[0]}` : '/help',
        span,
      };
    }
    case 'agent':
      return /^[A-Za-z0-9_.-]{1,64}$/.test(t.value) ? null : { code: 'bad_flag_value', message: `"${t.value}" is not an agent name: ${command.usage}`, hint: '/agent-list', span };
    case 'model':
      return t.value.trim() === '' ? { code: 'missing_argument', message: `/${command.name} needs <model>: ${command.usage}`, hint: command.usage, span } : null;
  }
}

// ---------------------------------------------------------------- help

/** `/help` in words: every command with what it does and an example, then the flags. */
export function helpText(topic?: string): string {
  if (topic) {
    const c = findCommand(topic);
    if (c) {
      const flags = c.flags.map((n) => `  ${CHAT_FLAGS[n].usage} — ${CHAT_FLAGS[n].summary}`);
      return [`${c.usage}`, `  ${c.summary}`, ...(flags.length > 0 ? ['Flags:', ...flags] : []), 'Examples:', ...c.examples.map((e) => `  ${e}`)].join('\n');
    }
  }
  const lines = Object.values(CHAT_COMMANDS).map((c) => `${c.usage} — ${c.summary}\n  e.g. ${c.examples[0]}`);
  const flags = CHAT_FLAG_NAMES.map((n) => `${CHAT_FLAGS[n].usage} — ${CHAT_FLAGS[n].summary}`);
  return ['Commands:', ...lines, '', 'Flags:', ...flags, '', "Plain text is a prompt for the thread's current target (the provider and model of its last command)."].join('\n');
}
