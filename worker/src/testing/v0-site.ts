import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { parseConfig, type Config, type JobProgress, type QueuedJobData, type V0JobRequest } from '@orchestrator/shared';
import type { RunContext } from '../providers/provider.js';

/* Test helpers for the v0 provider: a config against a fake's URL, a run context that records progress. */

export async function tempOutput(): Promise<{ outputPath: string; remove(): Promise<void> }> {
  const outputPath = await mkdtemp(path.join(tmpdir(), 'orch-v0-'));
  return { outputPath, remove: () => rm(outputPath, { recursive: true, force: true }) };
}

export function v0Config(outputPath: string, fake: { url: string; apiKey: string }, extra: Record<string, string> = {}): Config {
  return parseConfig({ OUTPUT_PATH: outputPath, DATA_PATH: outputPath, V0_API_URL: fake.url, V0_API_KEY: fake.apiKey, LOG_LEVEL: 'silent', ...extra });
}

export function runContext(over: Partial<RunContext> = {}): { ctx: RunContext; progress: JobProgress[]; abort(reason: string): void } {
  const progress: JobProgress[] = [];
  const ac = new AbortController();
  const ctx: RunContext = {
    signal: ac.signal,
    backend: { id: 'v0', url: '' },
    progress: (p) => progress.push(p),
    preview: () => undefined,
    attempt: 1,
    log: pino({ level: 'silent' }),
    ...over,
  };
  return { ctx, progress, abort: (reason) => ac.abort(reason) };
}

export function siteJob(request: Partial<V0JobRequest> = {}, id: string = randomUUID()): QueuedJobData {
  return { id, request: { provider: 'v0', kind: 'site', prompt: 'a landing page for a lighthouse museum', ...request } };
}
