import type { Agent, ChatProblem, ChatTarget, Provider } from '@orchestrator/shared';
import type { ChatReply } from './command-runner.js';

/* The words of the chat's replies: what an API client reads in `text` (the web shows cards beside it). */

export const PROVIDER_LABEL: Readonly<Record<Provider, string>> = { comfyui: 'ComfyUI', flux: 'FLUX', v0: 'v0' };

const MODEL_EXTENSION = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i;
export const friendlyModel = (file: string) => (file.split('/').pop() ?? file).replace(MODEL_EXTENSION, '');

/** "ComfyUI · sd_xl_base_1.0", "ComfyUI (video) · svd_xt", "FLUX · flux-dev", "v0". */
export function targetLabel(t: Pick<ChatTarget, 'provider' | 'kind' | 'model'>): string {
  const what = t.kind === 'video' ? 'ComfyUI (video)' : PROVIDER_LABEL[t.provider];
  return t.model ? `${what} · ${friendlyModel(t.model)}` : what;
}

export function problemReply(p: ChatProblem): ChatReply {
  const hint = p.hint && !p.message.includes(p.hint) ? `\nTry: ${p.hint}` : '';
  return {
    text: `${p.message}${hint}`,
    card: { type: 'problem', code: p.code, ...(p.hint ? { hint: p.hint } : {}), ...(p.candidates && p.candidates.length > 0 ? { candidates: p.candidates } : {}) },
  };
}

/** "#3", "#3 and #4", "#3–#6". */
export function jobNumbers(ns: readonly number[]): string {
  if (ns.length === 0) return '';
  if (ns.length === 1) return `#${ns[0]}`;
  const contiguous = ns.every((n, i) => i === 0 || n === ns[i - 1]! + 1);
  if (contiguous && ns.length > 2) return `#${ns[0]}–#${ns[ns.length - 1]}`;
  return `${ns.slice(0, -1).map((n) => `#${n}`).join(', ')} and #${ns[ns.length - 1]}`;
}

function state(a: Agent): string {
  if (!a.enabled) return a.draining ? 'off (draining)' : 'off';
  return a.online ? 'on' : 'on, offline';
}

/** The agents as lines of a table; `detailed` (`/agent-list ws`) adds what each is doing. */
export function agentTable(agents: readonly Agent[], detailed: boolean): string {
  const width = Math.max(...agents.map((a) => a.name.length), 4);
  const lines = agents.map((a) => {
    const base = `${a.name.padEnd(width)}  ${a.kind.padEnd(8)}  ${state(a)}`;
    if (!detailed) return base;
    const parts = [
      a.busy ? `busy${a.currentJob ? ` with ${a.currentJob.slice(0, 8)}` : ''}` : 'idle',
      `${a.queue.waiting} waiting, ${a.queue.running} running`,
      ...(a.loadedModel ? [`loaded ${friendlyModel(a.loadedModel)}`] : []),
      ...(a.owner ? [`worker ${a.owner}`] : []),
      ...(a.message ? [a.message] : []),
    ];
    return `${base} · ${parts.join(' · ')}`;
  });
  return ['Agents (switch with /agent-on <name>, /agent-off <name>):', ...lines].join('\n');
}

export function agentSwitched(a: Agent): string {
  if (a.enabled) return `${a.name} is on${a.online ? '' : ' (but offline: its jobs wait until it is back)'}`;
  return `${a.name} is off: ${a.draining ? 'its running job finishes, ' : ''}nothing new starts on it; its jobs wait`;
}
