import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, waitFor, type Harness } from './testing/harness.js';

let h: Harness;
let fakes: FakeComfy[] = [];
const runtimes: WorkerRuntime[] = [];

beforeAll(async () => {
  h = await createHarness('multi');
  fakes = await Promise.all([startFakeComfy({ stepMs: 10 }), startFakeComfy({ stepMs: 10 })]);
});

afterAll(async () => {
  for (const rt of runtimes) await rt.close();
  for (const f of fakes) await f.close();
  await h?.close();
});

async function fakePending(fake: FakeComfy): Promise<number> {
  const res = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_pending: unknown[] };
  return res.queue_pending.length;
}

describe('several backends and several workers', () => {
  it('spreads jobs over every backend', async () => {
    runtimes.push(await startWorkerRuntime(h.config(fakes.map((f) => f.url)), { monitorIntervalMs: 300 }));
    const ids = await Promise.all(Array.from({ length: 6 }, () => h.enqueue({ params: { steps: 10 } })));
    const jobs = await Promise.all(ids.map((id) => h.waitForJob(id, (j) => j.status === 'completed')));
    const backends = new Set(jobs.map((j) => j.backend));
    expect(backends).toEqual(new Set(['comfyui-1', 'comfyui-2']));
    expect(fakes[0]!.stats.promptsSubmitted + fakes[1]!.stats.promptsSubmitted).toBe(6);
  });

  it('two worker processes on one backend: one owns it, and it never holds more than the pipeline depth (one running, one waiting in ComfyUI)', async () => {
    const one = [fakes[0]!.url];
    runtimes.push(await startWorkerRuntime(h.config(one), { monitorIntervalMs: 300 }));
    runtimes.push(await startWorkerRuntime(h.config(one), { monitorIntervalMs: 300 }));
    await runtimes[0]!.close(); // only the two single-backend workers take jobs now
    const owners = await waitFor('one owner', async () => {
      const held = [runtimes[1]!, runtimes[2]!].filter((r) => r.owned().includes('comfyui-1'));
      return held.length === 1 ? held : null;
    });
    expect(owners).toHaveLength(1);
    const before = fakes[0]!.stats.promptsSubmitted;
    const ids = await Promise.all(Array.from({ length: 4 }, () => h.enqueue({ params: { steps: 15 } })));
    let maxPending = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        maxPending = Math.max(maxPending, await fakePending(fakes[0]!));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const jobs = await Promise.all(ids.map((id) => h.waitForJob(id, (j) => j.status === 'completed', 20000)));
    done = true;
    await sampler;
    expect(maxPending).toBe(1);
    expect(fakes[0]!.stats.promptsSubmitted).toBe(before + 4);
    expect(new Set(jobs.map((j) => j.backend))).toEqual(new Set(['comfyui-1']));
  });
});
