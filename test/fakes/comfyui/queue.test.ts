/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// ComfyUI's own prompt queue (§1.2–§1.5): prompts accepted while one runs and run one at a time in
// order, GET /queue items, POST /queue {delete}, POST /interrupt with and without prompt_id. A long
// txt2img (many sampler steps) keeps one prompt running while the others wait.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeComfy, startFakeComfy } from './index.js';
import { emptyImageGraph, getJson, postJson, txt2img, WsClient } from './testkit.js';

let fake: FakeComfy;
let ws: WsClient;
beforeEach(async () => {
  fake = await startFakeComfy({ stepMs: 5, previews: false });
  ws = await WsClient.connect(fake.url, 'q');
  await ws.waitFor((f) => f.type === 'status');
});
afterEach(async () => {
  ws.close();
  await fake.close();
});

const submit = async (prompt: unknown): Promise<{ id: string; number: number }> => {
  const r = await postJson(fake.url, '/prompt', { prompt, prompt_id: randomUUID(), client_id: 'q' });
  expect(r.status, r.text).toBe(200);
  expect(r.json.node_errors).toEqual({});
  return { id: r.json.prompt_id as string, number: r.json.number as number };
};
/** Submit a prompt that runs for at least steps × 5 ms, and wait until its sampler is going. */
const startLong = async (steps: number, seed = 1): Promise<{ id: string; number: number; graph: Record<string, any> }> => {
  const graph = txt2img({ steps, seed });
  const p = await submit(graph);
  await ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === p.id);
  return { ...p, graph };
};
const progressOf = (id: string): number[] => ws.ofType('progress').filter((f) => f.data.prompt_id === id).map((f) => f.data.value as number);
const statusOf = (id: string): string | undefined => (fake.history() as any)[id]?.status.status_str;
const interruptedIds = (): string[] => ws.ofType('execution_interrupted').map((f) => f.data.prompt_id as string);

describe('the prompt queue', () => {
  it('accepts prompts while one runs, lists them in GET /queue as 5-arrays, and runs them one after another', async () => {
    const p1 = await startLong(100);
    const g2 = emptyImageGraph(2);
    const g3 = emptyImageGraph(3);
    const p2 = await submit(g2);
    const p3 = await submit(g3);
    expect([p1.number, p2.number, p3.number]).toEqual([0, 1, 2]);
    expect((await getJson(fake.url, '/prompt')).json).toEqual({ exec_info: { queue_remaining: 3 } });

    const q = (await getJson(fake.url, '/queue')).json;
    expect(Object.keys(q)).toEqual(['queue_running', 'queue_pending']);
    expect(q.queue_running).toEqual([[0, p1.id, p1.graph, { client_id: 'q' }, ['9']]]);
    const pending = [...q.queue_pending].sort((a: any[], b: any[]) => a[0] - b[0]); // a heap: sort client-side
    expect(pending).toEqual([
      [1, p2.id, g2, { client_id: 'q' }, ['2']],
      [2, p3.id, g3, { client_id: 'q' }, ['2']],
    ]);

    await ws.done(p3.id);
    const ids = [p1.id, p2.id, p3.id];
    expect(ws.ofType('execution_start').map((f) => f.data.prompt_id)).toEqual(ids);
    // Strictly one at a time: each prompt starts only after the previous one's end signal.
    const at = (type: string, id: string, node?: null): number =>
      ws.frames.findIndex((f: any) => f.type === type && f.data.prompt_id === id && (node === undefined || f.data.node === node));
    for (let i = 1; i < ids.length; i++) expect(at('execution_start', ids[i]!)).toBeGreaterThan(at('executing', ids[i - 1]!, null));
    expect(ids.map(statusOf)).toEqual(['success', 'success', 'success']);
    expect(progressOf(p1.id)).toHaveLength(100);
    expect((await getJson(fake.url, '/queue')).json).toEqual({ queue_running: [], queue_pending: [] });
  });

  it('POST /queue {delete} drops only that pending prompt: it never starts nor gets history; the running one is untouched', async () => {
    const p1 = await startLong(60);
    const p2 = await submit(emptyImageGraph(2));
    const p3 = await submit(emptyImageGraph(3));
    await ws.waitFor((f) => f.type === 'status' && f.data.status.exec_info.queue_remaining === 3); // p3's enqueue
    const statusBefore = ws.ofType('status').length;
    const del = await postJson(fake.url, '/queue', { delete: [p2.id, p1.id] }); // the running id is ignored
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    await ws.waitFor(() => ws.ofType('status').length > statusBefore);
    expect(ws.ofType('status')[statusBefore]!.data).toEqual({ status: { exec_info: { queue_remaining: 2 } } });
    const q = (await getJson(fake.url, '/queue')).json;
    expect(q.queue_running.map((it: any[]) => it[1])).toEqual([p1.id]);
    expect(q.queue_pending.map((it: any[]) => it[1])).toEqual([p3.id]);

    await ws.done(p3.id);
    expect(ws.ofType('execution_start').map((f) => f.data.prompt_id)).toEqual([p1.id, p3.id]);
    expect(ws.frames.some((f: any) => f.data?.prompt_id === p2.id)).toBe(false);
    expect((await getJson(fake.url, `/history/${p2.id}`)).json).toEqual({});
    expect([statusOf(p1.id), statusOf(p3.id)]).toEqual(['success', 'success']);
    expect(progressOf(p1.id)).toHaveLength(60);
  });

  it('POST /interrupt without prompt_id stops only the running prompt; the pending ones then run normally', async () => {
    expect((await postJson(fake.url, '/interrupt', '')).status).toBe(200); // idle: reset when the next prompt starts
    const p1 = await startLong(400);
    const p2 = await submit(txt2img({ steps: 3, seed: 2 }));
    const p3 = await submit(emptyImageGraph(3));
    const r = await postJson(fake.url, '/interrupt', '');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    await ws.done(p3.id);
    expect(interruptedIds()).toEqual([p1.id]);
    expect(progressOf(p1.id).length).toBeLessThan(400);
    expect([statusOf(p1.id), statusOf(p2.id), statusOf(p3.id)]).toEqual(['error', 'success', 'success']);
    expect(progressOf(p2.id)).toEqual([1, 2, 3]);
  });

  it('POST /interrupt {prompt_id} of a pending prompt is a no-op; with the running id it stops that one only', async () => {
    const p1 = await startLong(400);
    const p2 = await submit(txt2img({ steps: 3, seed: 2 }));
    expect((await postJson(fake.url, '/interrupt', { prompt_id: p2.id })).status).toBe(200);
    const seen = progressOf(p1.id).length;
    // The sampler checks the flag at every step: a few more steps prove nothing was interrupted.
    await ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === p1.id && f.data.value >= seen + 4);
    expect(interruptedIds()).toEqual([]);
    expect((await getJson(fake.url, '/queue')).json.queue_pending.map((it: any[]) => it[1])).toEqual([p2.id]);

    expect((await postJson(fake.url, '/interrupt', { prompt_id: p1.id })).status).toBe(200);
    await ws.done(p2.id);
    expect(interruptedIds()).toEqual([p1.id]);
    expect(ws.ofType('execution_interrupted')[0]!.data).toMatchObject({ node_id: '3', node_type: 'KSampler' });
    expect([statusOf(p1.id), statusOf(p2.id)]).toEqual(['error', 'success']);
    expect(fake.stats.interrupts).toBe(2);
  });
});
