import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, Asset } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * The gallery while jobs complete, as the page sees it: it lists GET /api/assets the moment a job
 * completes and follows the event channel. ~50 jobs (ComfyUI images on two fake backends, v0 sites
 * and a follow-up on one of them) finish while several views of the list are polled without pause.
 */

let stack: Stack;
let v0: FakeV0;

beforeAll(async () => {
  v0 = await startFakeV0({ pendingPolls: 1, syncMs: 10 });
  stack = await startStack('e2e-gallery', { backends: 2, comfy: { stepMs: 5 }, env: { V0_API_URL: v0.url, V0_API_KEY: v0.apiKey } });
  await waitFor(async () => {
    const list = (await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[];
    return list.length === 2 && list.every((b) => b.online);
  }, 15000, 'backends online');
});

afterAll(async () => {
  await stack?.close();
  await v0?.close();
});

const jobs = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));
const submit = jobs.submit;
const finished = (id: string) => jobs.finished(id, 60_000);

describe('the gallery while jobs complete', () => {
  it('never answers 5xx, and each asset is announced by exactly one asset.added', async () => {
    const events: AppEvent[] = [];
    const ws = new WebSocket(`${stack.wsUrl}/api/ws`);
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.id) events.push(e);
    });
    await new Promise<void>((r) => ws.once('open', () => r()));

    // Several views at once, as several open pages would ask them, until the last job is done.
    const failures: string[] = [];
    let requests = 0;
    let polling = true;
    const views = ['/api/assets?offset=0&limit=100', '/api/assets?limit=200', '/api/assets?type=site', '/api/assets?sort=name&limit=50', '/api/assets?q=fox'];
    const pollers = views.map(async (view) => {
      while (polling) {
        const res = await fetch(`${stack.url}${view}`);
        requests++;
        if (res.status >= 500) failures.push(`${view} → ${res.status} ${await res.text()}`);
        else await res.arrayBuffer();
      }
    });

    const ids: string[] = [];
    for (let i = 0; i < 46; i++) ids.push(await submit({ provider: 'comfyui', kind: 'image', prompt: `a fox, take ${i}`, params: { steps: 2, width: 64, height: 64 } }));
    for (let i = 0; i < 3; i++) ids.push(await submit({ provider: 'v0', kind: 'site', prompt: `a landing page for bakery ${i}` }));
    const jobs = await Promise.all(ids.map(finished));
    const site = jobs.find((j) => j.provider === 'v0')!;
    const followUp = await finished(await submit({ provider: 'v0', kind: 'site', prompt: 'make it blue', followUp: { assetId: site.assets![0]!.id } }));
    jobs.push(followUp);
    // The server's watcher sees every new file (and sidecar) after the worker has indexed it.
    await new Promise((r) => setTimeout(r, 1500));
    polling = false;
    await Promise.all(pollers);
    ws.close();

    expect(jobs.filter((j) => j.status !== 'completed').map((j) => `${j.id}: ${j.status} ${j.error?.message ?? ''}`)).toEqual([]);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);

    const assetIds = new Set(jobs.flatMap((j) => j.assets!.map((a) => a.id)));
    expect(assetIds.size).toBe(49); // the follow-up adds a version to its site, not an asset
    const added = new Map<string, number>();
    for (const e of events) if (e.type === 'asset.added') added.set((e.data as Asset).id, (added.get((e.data as Asset).id) ?? 0) + 1);
    expect([...added.keys()].sort()).toEqual([...assetIds].sort());
    expect([...added.entries()].filter(([, n]) => n !== 1)).toEqual([]);

    // The follow-up's new version reached clients as a change of the site, and the listing has it whole.
    const updates = events.filter((e) => e.type === 'asset.updated' && (e.data as Asset).id === site.assets![0]!.id);
    expect(updates.at(-1)?.data).toMatchObject({ site: { versions: [{}, {}] } });
    const listed = (await (await fetch(`${stack.url}/api/assets?type=site`)).json()) as { items: Asset[] };
    expect(listed.items.find((a) => a.id === site.assets![0]!.id)?.site?.versions).toHaveLength(2);
  }, 120000);
});
