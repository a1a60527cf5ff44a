/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// Execution behaviour of the fake: message sequences (§2.3/§2.4), history (§1.6), PNG metadata
// (§4.2), caching, previews, and the runtime faults.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeComfy, startFakeComfy } from './index.js';
import { readPngChunks, readPngText } from './png.js';
import { emptyImageGraph, getJson, postJson, txt2img, WsClient } from './testkit.js';

let fake: FakeComfy;
const sockets: WsClient[] = [];
const connect = async (clientId?: string): Promise<WsClient> => {
  const c = await WsClient.connect(fake.url, clientId);
  sockets.push(c);
  await c.waitFor((f) => f.type === 'status');
  return c;
};
const submit = async (prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> => {
  const r = await postJson(fake.url, '/prompt', { prompt, prompt_id: randomUUID(), ...extra });
  expect(r.status, r.text).toBe(200);
  return r.json.prompt_id as string;
};

beforeEach(async () => {
  fake = await startFakeComfy({ stepMs: 5 });
});
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await fake.close();
});

describe('txt2img execution', () => {
  it('emits the exact owner sequence, progress 1..steps with type-1 previews, and writes history before the end signal', async () => {
    const a = await connect('owner-a');
    const b = await connect('other-b');
    const graph = txt2img({ steps: 3, width: 64, height: 48, batch: 2 });
    const id = await submit(graph, { client_id: 'owner-a', extra_data: { extra_pnginfo: { workflow: { nodes: [] } } } });
    await a.done(id);
    expect(fake.history()[id]).toBeDefined(); // written before executing{null}

    const order = a.ofType('executing').filter((f) => f.data.node !== null).map((f) => f.data.node as string);
    expect([...order].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    const expected = ['status', 'status', 'status', 'execution_start', 'execution_cached'];
    for (const n of order) {
      expected.push('progress_state', 'executing');
      if (n === '3') for (let s = 0; s < 3; s++) expected.push('progress_state', 'progress', 'BINARY');
      if (n === '9') expected.push('executed');
      expected.push('progress_state');
    }
    expected.push('execution_success', 'status', 'executing');
    expect(a.types()).toEqual(expected);
    expect(order.indexOf('3')).toBeGreaterThan(Math.max(order.indexOf('4'), order.indexOf('5'), order.indexOf('6'), order.indexOf('7')));

    // Queue counts: enqueue and pick-up both report 1 (running counts), finish 0.
    expect(a.ofType('status').map((f) => f.data.status.exec_info.queue_remaining)).toEqual([0, 1, 1, 0]);
    expect(a.ofType('status')[0]!.data.sid).toBe('owner-a');
    // Non-owner sees only the status broadcasts.
    expect(b.types()).toEqual(['status', 'status', 'status', 'status']);

    expect(a.ofType('progress').map((f) => f.data)).toEqual([1, 2, 3].map((v) => ({ value: v, max: 3, prompt_id: id, node: '3' })));
    const bins = a.frames.filter((f) => f.type === 'BINARY') as Array<{ bytes: Buffer }>;
    for (const f of bins) {
      expect(f.bytes.readUInt32BE(0)).toBe(1);
      expect(f.bytes.readUInt32BE(4)).toBe(2);
      expect(f.bytes.subarray(8, 12).toString('latin1')).toBe('\x89PNG');
    }
    const exec = a.ofType('executing')[0]!.data;
    expect(exec).toEqual({ node: order[0], display_node: order[0], prompt_id: id });
    const states = a.ofType('progress_state');
    const last = states[states.length - 1]!.data;
    expect(Object.keys(last.nodes).sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    expect(last.nodes['3']).toEqual({ value: 3, max: 3, state: 'finished', node_id: '3', prompt_id: id, display_node_id: '3', parent_node_id: null, real_node_id: '3' });
    const executed = a.ofType('executed')[0]!.data;
    expect(executed.output.images).toEqual([
      { filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' },
      { filename: 'ComfyUI_00002_.png', subfolder: '', type: 'output' },
    ]);

    const h = await getJson(fake.url, `/history/${id}`);
    const entry = h.json[id];
    expect(entry.prompt[0]).toBe(0);
    expect(entry.prompt[1]).toBe(id);
    expect(entry.prompt[2]).toEqual(graph);
    expect(entry.prompt[3]).toEqual({ extra_pnginfo: { workflow: { nodes: [] } }, client_id: 'owner-a' });
    expect(entry.prompt[4]).toEqual(['9']);
    expect(entry.outputs).toEqual({ '9': executed.output });
    expect(entry.status.status_str).toBe('success');
    expect(entry.status.completed).toBe(true);
    expect(entry.status.messages.map((m: any[]) => m[0])).toEqual(['execution_start', 'execution_cached', 'execution_success']);
    expect(typeof entry.status.messages[0][1].timestamp).toBe('number');
    expect(entry.meta).toEqual({ '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } });
    expect(Object.keys(entry)).toEqual(['prompt', 'outputs', 'status', 'meta']);

    // The PNG: latent size, prompt + workflow tEXt chunks.
    const view = await fetch(`${fake.url}/view?filename=ComfyUI_00001_.png&type=output`);
    expect(view.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await view.arrayBuffer());
    const ihdr = readPngChunks(png)[0]!;
    expect([ihdr.data.readUInt32BE(0), ihdr.data.readUInt32BE(4)]).toEqual([64, 48]);
    const text = readPngText(png);
    expect(JSON.parse(text.prompt!)).toEqual(graph);
    expect(JSON.parse(text.workflow!)).toEqual({ nodes: [] });
    expect(fake.stats).toMatchObject({ promptsSubmitted: 1, promptsExecuted: 1 });
  });

  it('sends type-4 previews before progress to sockets that sent the feature_flags handshake', async () => {
    const a = await WsClient.connect(fake.url, 'flags');
    sockets.push(a);
    a.send({ type: 'feature_flags', data: { supports_preview_metadata: true } });
    await a.waitFor((f) => f.type === 'feature_flags');
    expect(a.ofType('feature_flags')[0]!.data).toEqual({ supports_preview_metadata: true, max_upload_size: 104857600 });
    a.send({ type: 'feature_flags', data: {} }); // later handshakes are ignored
    const id = await submit(txt2img({ steps: 2 }), { client_id: 'flags' });
    await a.done(id);
    expect(a.ofType('feature_flags')).toHaveLength(1);
    const types = a.types();
    const i = types.indexOf('BINARY');
    expect(types.slice(i - 1, i + 2)).toEqual(['progress_state', 'BINARY', 'progress']);
    const bin = (a.frames[i] as { bytes: Buffer }).bytes;
    expect(bin.readUInt32BE(0)).toBe(4);
    const len = bin.readUInt32BE(4);
    expect(JSON.parse(bin.subarray(8, 8 + len).toString())).toEqual({
      node_id: '3', prompt_id: id, display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/png',
    });
    expect(bin.subarray(8 + len, 12 + len).toString('latin1')).toBe('\x89PNG');
  });

  it('without client_id every socket gets only status, progress_state, progress and previews', async () => {
    const a = await connect('watcher');
    const id = await submit(txt2img({ steps: 2 }));
    await a.waitFor(() => a.ofType('status').filter((f) => f.data.status.exec_info.queue_remaining === 0).length === 2);
    expect(new Set(a.types())).toEqual(new Set(['status', 'progress_state', 'progress', 'BINARY']));
    expect(fake.history()[id]).toBeDefined();
  });

  it('replays a fully cached rerun with the old filenames and writes nothing; a new seed re-samples', async () => {
    const a = await connect('c');
    const graph = txt2img({ steps: 2 });
    const id1 = await submit(graph, { client_id: 'c' });
    await a.done(id1);
    const from = a.frames.length;
    const id2 = await submit(graph, { client_id: 'c' });
    await a.done(id2);
    const second = a.frames.slice(from).map((f) => f.type);
    expect(second).toEqual(['status', 'status', 'execution_start', 'execution_cached', 'executed', 'progress_state', 'execution_success', 'status', 'executing']);
    const cached = a.frames.slice(from).find((f) => f.type === 'execution_cached') as any;
    expect([...cached.data.nodes].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    expect(readdirSync(path.join(fake.rootDir, 'output'))).toEqual(['ComfyUI_00001_.png']);
    const h = fake.history() as any;
    expect(h[id2].outputs).toEqual(h[id1].outputs);

    const id3 = await submit(txt2img({ steps: 2, seed: 42 }), { client_id: 'c' });
    await a.done(id3);
    const c3 = a.ofType('execution_cached').find((f) => f.data.prompt_id === id3)!;
    expect([...c3.data.nodes].sort()).toEqual(['4', '5', '6', '7']);
    const files = readdirSync(path.join(fake.rootDir, 'output')).sort();
    expect(files).toEqual(['ComfyUI_00001_.png', 'ComfyUI_00002_.png']);
    const [f1, f2] = await Promise.all(files.map((f) => fetch(`${fake.url}/view?filename=${f}`).then((r) => r.arrayBuffer())));
    expect(Buffer.from(f1!).equals(Buffer.from(f2!))).toBe(false);
  });

  it('runs prompts one at a time in priority order (lower number first, front jumps ahead)', async () => {
    const a = await connect('q');
    fake.faults.slowStartMs = 400;
    const first = await submit(emptyImageGraph(1), { client_id: 'q' });
    const late = await submit(emptyImageGraph(2), { client_id: 'q', number: 50 });
    const early = await submit(emptyImageGraph(3), { client_id: 'q', number: 5 });
    const front = await submit(emptyImageGraph(4), { client_id: 'q', front: true });
    const q = await getJson(fake.url, '/queue');
    expect(q.json.queue_running.map((it: any[]) => it[1])).toEqual([first]);
    expect(q.json.queue_pending).toHaveLength(3);
    expect(q.json.queue_pending.every((it: any[]) => it.length === 5)).toBe(true);
    fake.faults.slowStartMs = 0;
    await a.done(late);
    const starts = a.ofType('execution_start').map((f) => f.data.prompt_id);
    expect(starts).toEqual([first, front, early, late]);
  });
});

describe('interrupts and faults', () => {
  it('interrupts cooperatively at the next sampler step; targeted interrupts need the running id', async () => {
    const a = await connect('i');
    const id = await submit(txt2img({ steps: 200 }), { client_id: 'i' });
    await a.waitFor((f) => f.type === 'progress' && f.data.value === 2);
    expect((await postJson(fake.url, '/interrupt', { prompt_id: randomUUID() })).status).toBe(200);
    await a.waitFor((f) => f.type === 'progress' && f.data.value === 5);
    const r = await postJson(fake.url, '/interrupt', { prompt_id: id });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    await a.done(id);
    const intr = a.ofType('execution_interrupted')[0]!.data;
    expect(intr).toMatchObject({ prompt_id: id, node_id: '3', node_type: 'KSampler' });
    expect([...intr.executed].sort()).toEqual(['4', '5', '6', '7']);
    expect(a.ofType('progress').length).toBeLessThan(20);
    expect(a.types().slice(-3)).toEqual(['execution_interrupted', 'status', 'executing']);
    const entry = (fake.history() as any)[id];
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry.status.messages.at(-1)[0]).toBe('execution_interrupted');
    expect(entry.outputs).toEqual({});
    expect(fake.stats.interrupts).toBe(2);
  });

  it('an interrupt during slowStartMs fires at the first node boundary, after its executing message', async () => {
    const a = await connect('s');
    fake.faults.slowStartMs = 400;
    const id = await submit(emptyImageGraph(7), { client_id: 's' });
    await a.waitFor((f) => f.type === 'status' && a.ofType('status').length === 3);
    await postJson(fake.url, '/interrupt', '');
    await a.done(id);
    expect(a.types().slice(3)).toEqual(['execution_start', 'execution_cached', 'progress_state', 'executing', 'execution_interrupted', 'status', 'executing']);
    expect(a.ofType('execution_interrupted')[0]!.data).toMatchObject({ node_id: '1', node_type: 'EmptyImage', executed: [] });
  });

  it('executionError fault → execution_error at the KSampler with the documented shape (one-shot)', async () => {
    const a = await connect('e');
    fake.faults.executionError = { message: 'CUDA out of memory (simulated)' };
    const id = await submit(txt2img({ steps: 2 }), { client_id: 'e' });
    await a.done(id);
    expect(fake.faults.executionError).toBeUndefined();
    const e = a.ofType('execution_error')[0]!.data;
    expect(e).toMatchObject({ prompt_id: id, node_id: '3', node_type: 'KSampler', exception_message: 'CUDA out of memory (simulated)\n', exception_type: 'RuntimeError' });
    expect(Object.keys(e)).toEqual(['prompt_id', 'node_id', 'node_type', 'executed', 'exception_message', 'exception_type', 'traceback', 'current_inputs', 'current_outputs', 'timestamp']);
    expect(e.current_inputs.seed).toEqual([8566257]);
    expect(e.current_inputs.model[0]).toMatch(/^<comfy\.model_patcher\.ModelPatcher object at 0x/);
    expect(a.types().slice(-3)).toEqual(['execution_error', 'status', 'executing']);
    const entry = (fake.history() as any)[id];
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry.outputs).toEqual({});
    // The next prompt runs normally.
    const id2 = await submit(txt2img({ steps: 2, seed: 3 }), { client_id: 'e' });
    await a.done(id2);
    expect((fake.history() as any)[id2].status.status_str).toBe('success');
  });

  it('LoadImage on a non-image upload fails at runtime with PIL.UnidentifiedImageError', async () => {
    const a = await connect('d');
    const fd = new FormData();
    fd.append('image', new Blob([Buffer.from('not an image')]), 'bad.png');
    expect((await fetch(`${fake.url}/upload/image`, { method: 'POST', body: fd })).status).toBe(200);
    const id = await submit({
      '1': { class_type: 'LoadImage', inputs: { image: 'bad.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    }, { client_id: 'd' });
    await a.done(id);
    const e = a.ofType('execution_error')[0]!.data;
    expect(e).toMatchObject({ node_id: '1', node_type: 'LoadImage', executed: [], exception_type: 'PIL.UnidentifiedImageError', current_inputs: { image: ['bad.png'] } });
    expect(e.exception_message).toMatch(/^cannot identify image file '.*input\/bad\.png'\n$/);
  });

  it('dropWsAfterSteps terminates sockets mid-prompt; a reconnect gets executing{node} without prompt_id', async () => {
    await fake.close();
    fake = await startFakeComfy({ stepMs: 25 });
    const a = await connect('drop');
    fake.faults.dropWsAfterSteps = 2;
    const id = await submit(txt2img({ steps: 40 }), { client_id: 'drop' });
    await a.waitClosed();
    expect(a.ofType('progress').map((f) => f.data.value)).toEqual([1, 2]);
    const b = await WsClient.connect(fake.url, 'drop');
    sockets.push(b);
    await b.waitFor((f) => f.type === 'executing');
    expect(b.frames[0]).toMatchObject({ type: 'status', data: { sid: 'drop' } });
    expect(b.frames[1]).toEqual({ type: 'executing', data: { node: '3' } });
    await b.done(id);
    expect((fake.history() as any)[id].status.status_str).toBe('success');
    expect(fake.faults.dropWsAfterSteps).toBeUndefined();
  });

  it('refuse fault: HTTP 503 and WS upgrades rejected, until cleared', async () => {
    fake.faults.refuse = true;
    expect((await fetch(`${fake.url}/system_stats`)).status).toBe(503);
    await expect(WsClient.connect(fake.url, 'r')).rejects.toThrow(/503/);
    fake.faults.refuse = false;
    expect((await fetch(`${fake.url}/system_stats`)).status).toBe(200);
  });

  it('stop() looks like a box going down; start() returns on the same port with history kept', async () => {
    const a = await connect('box');
    const port = fake.port;
    const id = await submit(txt2img({ steps: 20 }), { client_id: 'box' });
    await a.waitFor((f) => f.type === 'progress' && f.data.value === 2);
    await fake.stop();
    await a.waitClosed();
    await expect(fetch(`${fake.url}/queue`)).rejects.toThrow();
    await fake.start();
    expect(fake.port).toBe(port);
    // The in-flight prompt kept running in memory; reconcile from /history/{id}.
    let entry: any;
    for (let i = 0; i < 200 && !entry; i++) {
      entry = (await getJson(fake.url, `/history/${id}`)).json[id];
      if (!entry) await new Promise((r) => setTimeout(r, 25));
    }
    expect(entry.status.status_str).toBe('success');
  });
});
