import type { Job } from '@orchestrator/shared';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** VRAM as ComfyUI reports it (bytes), rounded to whole GB. */
export function formatVram(bytes: number | undefined): string | null {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) return null;
  return `${Math.round(bytes / 1024 ** 3)} GB`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** Short time for lists: "14:05" today, "Nov 24, 14:05" otherwise. */
export function formatShortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? timeOnly.format(d) : dayAndTime.format(d);
}

/** "step 7/20 · ETA 3s", or what is known of it. */
export function progressLabel(job: Job): string {
  const { step, totalSteps, etaMs, message, percent } = job.progress;
  if (job.status === 'queued') return message ?? 'Waiting for a backend';
  const parts: string[] = [];
  if (step !== undefined && totalSteps !== undefined) parts.push(`step ${step}/${totalSteps}`);
  else parts.push(`${Math.round(percent)}%`);
  if (etaMs !== undefined) parts.push(`ETA ${formatDuration(etaMs)}`);
  if (message && step === undefined) parts.push(message);
  return parts.join(' · ');
}

export const STATUS_LABEL: Record<Job['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
