import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readFile } from 'node:fs/promises';
import { readPngText, type AppEvent, type Job } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('e2e', { comfy: { stepMs: 20 } });
  // the worker's monitor must have seen the backend before a model can be checked
  await waitFor(async () => {
    const res = await fetch(`${stack.url}/api/backends`);
    const list = (await res.json()) as { online: boolean }[];
    return list[0]?.online;
  }, 15000, 'backend online');
});

afterAll(async () => {
  await stack?.close();
});

function collectEvents(since?: string): { events: AppEvent[]; ws: WebSocket; open: Promise<void> } {
  const ws = new WebSocket(`${stack.wsUrl}/api/ws${since ? `?since=${since}` : ''}`);
  const events: AppEvent[] = [];
  ws.on('message', (data) => {
    const parsed = JSON.parse(String(data)) as AppEvent;
    if (parsed.id) events.push(parsed);
  });
  return { events, ws, open: new Promise((r) => ws.once('open', () => r())) };
}

describe('a prompt becomes an image through ComfyUI, end to end', () => {
  it('queues, reports per-step progress over the WebSocket, completes with a served PNG carrying our metadata', async () => {
    const { events, ws, open } = collectEvents();
    await open;
    const res = await fetch(`${stack.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'comfyui',
        kind: 'image',
        prompt: 'a lighthouse at dusk',
        negativePrompt: 'blurry',
        params: { seed: 42, steps: 8, width: 512, height: 512 },
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const done = await waitFor(() => events.find((e) => e.type === 'job.completed' && (e.data as Job).id === id), 20000, 'job.completed');
    ws.close();
    const mine = events.filter((e) => 'data' in e && (e.data as Job).id === id).map((e) => e.type);
    expect(mine[0]).toBe('job.queued');
    expect(mine).toContain('job.started');
    const steps = events
      .filter((e) => e.type === 'job.progress' && (e.data as Job).id === id)
      .map((e) => (e.data as Job).progress.step)
      .filter((s): s is number => typeof s === 'number');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);

    const job = done.data as Job;
    expect(job.status).toBe('completed');
    expect(job.progress.percent).toBe(100);
    expect(job.assets?.length).toBe(1);

    const asset = job.assets![0]!;
    const file = await fetch(`${stack.url}${asset.url}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = readPngText(bytes);
    expect(Object.keys(text)).toContain('prompt'); // ComfyUI's own graph
    const ours = JSON.parse(text.orchestrator ?? '{}') as Record<string, unknown>;
    expect(ours).toMatchObject({ jobId: id, prompt: 'a lighthouse at dusk', seed: 42, steps: 8 });

    const listed = (await (await fetch(`${stack.url}/api/assets`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((a) => a.id)).toContain(asset.id);
    const stored = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
    expect(stored.status).toBe('completed');
  });

  it('replays missed events to a client that reconnects with its last id', async () => {
    const first = collectEvents();
    await first.open;
    const res = await fetch(`${stack.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'reconnect', params: { steps: 6, width: 256, height: 256 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const queued = await waitFor(() => first.events.find((e) => e.type === 'job.queued'), 5000, 'queued');
    first.ws.close();
    // everything after `queued` happens while this client is away
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job).status === 'completed', 20000, 'completion');
    const second = collectEvents(queued.id);
    const replayed = await waitFor(() => second.events.find((e) => e.type === 'job.completed' && (e.data as Job).id === id), 5000, 'replay');
    second.ws.close();
    expect(replayed).toBeDefined();
    const ids = second.events.map((e) => e.id);
    expect(ids).not.toContain(queued.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('health reports Redis, the backend with its GPU, a live worker and unconfigured cloud keys', async () => {
    const health = (await (await fetch(`${stack.url}/api/health`)).json()) as {
      redis: { ok: boolean };
      backends: { online: boolean; simulated: boolean; devices: unknown[] }[];
      workers: { live: number };
      providers: { flux: { configured: boolean } };
    };
    expect(health.redis.ok).toBe(true);
    expect(health.backends[0]).toMatchObject({ online: true, simulated: true });
    expect(health.backends[0]!.devices.length).toBeGreaterThan(0);
    expect(health.workers.live).toBeGreaterThanOrEqual(1);
    expect(health.providers.flux.configured).toBe(false);
  });

  it('the written file is in OUTPUT_PATH with a JSON sidecar', async () => {
    const list = (await (await fetch(`${stack.url}/api/assets`)).json()) as { items: { relPath: string }[] };
    const first = list.items[0]!;
    const sidecar = JSON.parse(await readFile(`${stack.config.outputPath}/${first.relPath}.json`, 'utf8')) as { meta: { prompt?: string } };
    expect(typeof sidecar.meta.prompt).toBe('string');
  });
});
