import { priorityLevel, type Agent, type Job, type JobPriority, type WaitReason } from '@orchestrator/shared';
import { jobTitle } from './jobState';

/** What an agent's row says about it, most pressing first: a user's switch wins over the link state. */
export type AgentState = 'draining' | 'off' | 'offline' | 'online';

export function agentState(agent: Agent): AgentState {
  if (agent.draining) return 'draining';
  if (!agent.enabled) return 'off';
  if (!agent.online) return 'offline';
  return 'online';
}

const MODEL_EXTENSIONS = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i;

/** `SDXL/sd_xl_base_1.0.safetensors` → `sd_xl_base_1.0`: the file name without its folder or extension. */
export function friendlyModel(name: string): string {
  const file = name.split(/[\\/]/).pop() || name;
  return file.replace(MODEL_EXTENSIONS, '') || file;
}

/**
 * Worker ids are `host-pid-random`; a row has room for the host (cut short) and the pid, the full id
 * goes in the tooltip.
 */
export function shortWorker(id: string): string {
  const m = /^(.+)-(\d+)-[0-9a-f]{6}$/.exec(id);
  if (!m) return id.length > 16 ? `${id.slice(0, 15)}…` : id;
  const host = m[1]!.length > 12 ? `${m[1]!.slice(0, 11)}…` : m[1]!;
  return `${host}:${m[2]}`;
}

/** The model a job asks for, if its request names one. */
export function jobModel(job: Job): string | undefined {
  const r = job.request;
  return 'model' in r && typeof r.model === 'string' && r.model ? r.model : undefined;
}

export function jobPriority(job: Job): JobPriority {
  return priorityLevel(job.request.priority);
}

export const PRIORITY_LABEL: Record<JobPriority, string> = { high: 'High', normal: 'Normal', low: 'Low' };

/** Reasons that only need patience; the others need someone to act (switch on, start a worker, add a model). */
export function isBlocked(reason: WaitReason): boolean {
  return reason !== 'next' && reason !== 'behind';
}

/** A job's prompt cut to fit an accessible name or a tooltip. */
export function promptExcerpt(job: Job, max = 48): string {
  const text = jobTitle(job).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
