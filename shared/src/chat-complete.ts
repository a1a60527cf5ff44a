import { CHAT_COMMANDS, CHAT_FLAG_NAMES, CHAT_FLAGS, findCommand, findFlag, flagToken, tokenizeChat, type ChatCommandName, type CommandSpec, type RawToken } from './chat-grammar.js';
import { modelMatchKey, modelStem, modelsStartingWith, type ModelCandidate } from './chat-models.js';
import { FLUX_MODELS } from './requests/flux.js';
import { V0_MODELS } from './requests/v0.js';

/*
 * Autocomplete for the chat input, from the grammar's own tables: command names after `/`, the flags
 * a command takes after `--`, a flag's values (ratios, sizes, samplers, FLUX and v0 models), and the
 * arguments (catalogue models for /apex-comfy, agents for /agent-on|off, commands for /help).
 */

export type ChatCompletionKind = 'command' | 'flag' | 'value' | 'model' | 'agent' | 'topic';

export interface ChatCompletionItem {
  /** What the list shows. */
  label: string;
  /** What replaces the token being typed (ends with a space to move on). */
  insert: string;
  detail?: string;
  kind: ChatCompletionKind;
}

export interface ChatCompletion {
  /** The range of the text the chosen item replaces. */
  from: number;
  to: number;
  items: ChatCompletionItem[];
}

export interface CompletionSources {
  /** ComfyUI checkpoints and diffusion models (the catalogue). */
  models?: readonly ModelCandidate[];
  /** Agent names (providers and backends). */
  agents?: readonly string[];
  samplers?: readonly string[];
  /** Plain text is a prompt for this command (the thread's target). */
  plainCommand?: ChatCommandName;
}

const MAX_ITEMS = 12;

/** A value as one token: quoted when it holds whitespace or starts like a flag. */
export function quoteToken(value: string): string {
  return /\s|^[-—–"'“]/u.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

const startsWith = (name: string, typed: string) => name.toLowerCase().startsWith(typed.toLowerCase());
/** The name, or one of its words (`ult` finds flux-pro-1.1-ultra), starts with what is typed. */
const wordStartsWith = (name: string, typed: string) => startsWith(name, typed) || name.split(/[-_.\s]+/).some((w) => startsWith(w, typed));

function commandItems(typed: string): ChatCompletionItem[] {
  const t = typed.replace(/^\//, '').toLowerCase();
  const out: ChatCompletionItem[] = [];
  for (const c of Object.values(CHAT_COMMANDS)) {
    const hit = [c.name, ...(c.aliases ?? [])].some((n) => n.startsWith(t));
    if (hit) out.push({ label: `/${c.name}`, insert: `/${c.name} `, detail: c.usage.replace(/^\/\S+\s*/, '') || c.summary, kind: 'command' });
  }
  return out;
}

function flagItems(typed: string, command: CommandSpec | null, used: ReadonlySet<string>): ChatCompletionItem[] {
  const t = typed.replace(/^(--|—|–|-)/, '').toLowerCase();
  const names = command?.flags ?? CHAT_FLAG_NAMES;
  // Flags whose own name starts so first, then those found by an alias (--r: --raw before --n, alias "repeat").
  const byName = names.filter((n) => !used.has(n) && n.startsWith(t));
  const byAlias = names.filter((n) => !used.has(n) && !n.startsWith(t) && (CHAT_FLAGS[n].aliases ?? []).some((a) => a.startsWith(t)));
  return [...byName, ...byAlias]
    .map((n) => ({ label: CHAT_FLAGS[n].usage, insert: `--${n} `, detail: CHAT_FLAGS[n].summary, kind: 'flag' as const }));
}

function valueItems(flag: string, typed: string, command: CommandSpec | null, sources: CompletionSources): ChatCompletionItem[] {
  const spec = findFlag(flag);
  if (!spec || spec.value === 'none') return [];
  let values: readonly string[] = spec.suggestions ?? [];
  if (spec.name === 'sampler' && sources.samplers && sources.samplers.length > 0) values = sources.samplers;
  if (spec.name === 'model') {
    if (command?.name === 'apex-flux') values = FLUX_MODELS;
    else if (command?.name === 'v0') values = V0_MODELS;
    else if (command?.name === 'video') {
      return modelsStartingWith(typed, (sources.models ?? []).filter((m) => m.family === 'svd' || /svd|stable.?video/i.test(m.file)), MAX_ITEMS).map((m) => modelItem(m));
    }
  }
  return values.filter((v) => wordStartsWith(v, typed)).map((v) => ({ label: v, insert: `${quoteToken(v)} `, kind: 'value' as const }));
}

function modelItem(m: ModelCandidate): ChatCompletionItem {
  return { label: m.name && modelMatchKey(m.name) !== modelMatchKey(modelStem(m.file)) ? `${modelStem(m.file)} — ${m.name}` : modelStem(m.file), insert: `${quoteToken(m.file)} `, detail: [m.family && m.family !== 'unknown' ? m.family : null, m.folder].filter(Boolean).join(' · '), kind: 'model' };
}

function argItems(command: CommandSpec, index: number, typed: string, sources: CompletionSources): ChatCompletionItem[] {
  const spec = command.args[index];
  switch (spec?.kind) {
    case 'model':
      return modelsStartingWith(typed, sources.models ?? [], MAX_ITEMS).map(modelItem);
    case 'agent':
      return (sources.agents ?? []).filter((a) => startsWith(a, typed)).map((a) => ({ label: a, insert: `${a} `, kind: 'agent' as const }));
    case 'topic':
      return commandItems(typed).map((i) => ({ ...i, insert: `${i.label.slice(1)} `, kind: 'topic' as const }));
    case 'ws':
      return startsWith('ws', typed) ? [{ label: 'ws', insert: 'ws ', detail: 'with status: current job, loaded model, queue, worker', kind: 'value' }] : [];
    default:
      return [];
  }
}

/** What to offer at `caret` in `text`; null when nothing fits. */
export function completeChat(text: string, caret: number, sources: CompletionSources = {}): ChatCompletion | null {
  const tokens = tokenizeChat(text);
  const current: RawToken | undefined = tokens.find((t) => t.start < caret && caret <= t.end);
  if (!current && caret > 0 && !/\s/u.test(text[caret - 1]!)) return null;
  const from = current?.start ?? caret;
  const to = current?.end ?? caret;
  const typed = current ? text.slice(current.start, caret) : '';
  const before = tokens.filter((t) => t.end <= from);

  const first = before[0];
  if (!first && typed.startsWith('/')) return result(from, to, commandItems(typed));
  const slash = first && !first.quoted && first.value.startsWith('/') ? findCommand(first.value.slice(1)) : undefined;
  if (first && first.value.startsWith('/') && !slash) return null;
  const command = slash ?? (sources.plainCommand ? CHAT_COMMANDS[sources.plainCommand] : null);
  const rest = slash ? before.slice(1) : before;

  // Walk what comes before: which flags are used, whether the last one waits for its value, how many arguments.
  const used = new Set<string>();
  let positional = 0;
  let awaiting: string | null = null;
  for (const t of rest) {
    const f = flagToken(t);
    if (f) {
      const spec = findFlag(f.name);
      if (spec) used.add(spec.name);
      awaiting = spec && spec.value !== 'none' && f.inline === undefined ? spec.name : null;
      continue;
    }
    if (awaiting) {
      awaiting = findFlag(awaiting)?.value === 'words' ? awaiting : null;
      continue;
    }
    positional++;
  }
  if (/^(--|—|–|-)/.test(typed) && !current?.quoted) return result(from, to, flagItems(typed, command, used));
  if (awaiting) return result(from, to, valueItems(awaiting, typed.replace(/^["“']/, ''), command, sources));
  if (slash && positional < slash.args.length) return result(from, to, argItems(slash, positional, typed.replace(/^["“']/, ''), sources));
  return null;
}

function result(from: number, to: number, items: ChatCompletionItem[]): ChatCompletion | null {
  return items.length > 0 ? { from, to, items: items.slice(0, MAX_ITEMS) } : null;
}
