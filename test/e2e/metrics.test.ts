import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/* GET /metrics while jobs run: Prometheus text an operator can scrape. */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('e2e-metrics', { comfy: { stepMs: 5 } });
});

afterAll(async () => {
  await stack?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${stack.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts finished jobs, times them, and shows queues, backends, the stream and the gallery', async () => {
    await scrape(); // counting starts with the first scrape
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stack.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: `metrics ${i}`, params: { steps: 2, width: 64, height: 64 } }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await waitFor(async () => {
      const jobs = await Promise.all(ids.map(async (id) => (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job));
      return jobs.every((j) => j.status === 'completed');
    }, 20000, 'jobs');
    const text = await waitFor(async () => {
      const t = await scrape();
      return value(t, 'orchestrator_jobs_finished_total{provider="comfyui",state="completed"}') === 3 ? t : null;
    }, 5000, 'the counter');
    expect(value(text, 'orchestrator_jobs_submitted_total{provider="comfyui"}')).toBe(3);
    expect(value(text, 'orchestrator_job_duration_seconds_count{provider="comfyui",backend="comfyui-1"}')).toBe(3);
    expect(value(text, 'orchestrator_job_queue_wait_seconds_count{provider="comfyui"}')).toBe(3);
    expect(value(text, 'orchestrator_backend_busy_seconds_total{backend="comfyui-1"}')).toBeGreaterThan(0);
    expect(value(text, 'orchestrator_jobs{provider="comfyui",state="queued"}')).toBe(0);
    expect(value(text, 'orchestrator_backend_online{backend="comfyui-1"}')).toBe(1);
    expect(value(text, 'orchestrator_events_stream_length')).toBeGreaterThan(10);
    expect(value(text, 'orchestrator_gallery_assets')).toBeGreaterThanOrEqual(3);
    expect(value(text, 'orchestrator_workers_live')).toBe(1);
    expect(text).toContain('orchestrator_server_process_resident_memory_bytes');
    expect(text).toContain('# HELP orchestrator_backend_busy_seconds_total');
  });
});
