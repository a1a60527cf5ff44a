import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText, type Job, type WorkflowDetails, type WorkflowDraft, type WorkflowSlot } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/*
 * Custom workflows end to end: a PNG the (fake) ComfyUI saved is imported, its slots are reviewed and
 * saved, and the saved workflow runs like a built-in template, with the request's values in the graph.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('workflows', { comfy: { stepMs: 5 } });
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
});

afterAll(async () => {
  await stack?.close();
});

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const api = (path: string, init?: RequestInit) => fetch(`${stack.url}${path}`, init);

async function runJob(body: object): Promise<Job> {
  const res = await api('/api/jobs', json(body));
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return waitFor(
    async () => {
      const job = (await (await api(`/api/jobs/${id}`)).json()) as Job;
      return job.status === 'completed' || job.status === 'failed' ? job : null;
    },
    20000,
    `job ${id}`,
  );
}

/** A PNG as ComfyUI saves it: from a real (fake-backend) run, so its `prompt` chunk is the graph that ran. */
async function comfyPng(): Promise<Buffer> {
  const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', params: { seed: 7, steps: 4, width: 512, height: 512 } });
  expect(job.status).toBe('completed');
  return Buffer.from(await (await api(job.assets![0]!.url)).arrayBuffer());
}

describe('custom workflows', () => {
  let png: Buffer;
  let saved: WorkflowDetails;

  it('imports a PNG ComfyUI saved: lists its inputs, suggests slots and checks it against /object_info', async () => {
    png = await comfyPng();
    expect(readPngText(png).prompt).toBeDefined();
    const res = await api('/api/workflows/import?name=Lighthouse', { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
    expect(res.status, await res.clone().text()).toBe(200);
    const draft = (await res.json()) as WorkflowDraft;
    expect(draft).toMatchObject({ name: 'Lighthouse', kind: 'image', source: 'png', check: { checked: true, problems: [] } });
    const params = draft.slots.map((s) => s.param);
    expect(params).toEqual(expect.arrayContaining(['model', 'prompt', 'negativePrompt', 'seed', 'steps', 'cfg', 'sampler', 'scheduler', 'width', 'height']));
    const promptSlot = draft.slots.find((s) => s.param === 'prompt')!;
    expect(draft.inputs).toContainEqual(expect.objectContaining({ nodeId: promptSlot.nodeId, classType: 'CLIPTextEncode', input: 'text', value: 'a lighthouse' }));
    // links are not inputs a user can mark
    expect(draft.inputs.some((i) => i.input === 'model' || i.input === 'clip')).toBe(false);

    // The user keeps prompt, seed and steps, and marks the latent width as well.
    const keep: WorkflowSlot[] = draft.slots.filter((s) => ['prompt', 'seed', 'steps', 'width'].includes(s.param));
    const create = await api('/api/workflows', json({ name: 'Lighthouse', graph: draft.graph, slots: keep }));
    expect(create.status, await create.clone().text()).toBe(201);
    saved = (await create.json()) as WorkflowDetails;
    expect(saved.id).toMatch(/^wf-[a-z0-9]{10}$/);
    expect(create.headers.get('location')).toBe(`/api/workflows/${saved.id}`);
    const list = (await (await api('/api/workflows')).json()) as { items: Array<{ id: string; nodeCount: number }> };
    expect(list.items).toContainEqual(expect.objectContaining({ id: saved.id, nodeCount: Object.keys(draft.graph).length }));
  });

  it('runs a saved workflow like a built-in one, with the request values in their slots', async () => {
    const job = await runJob({ provider: 'comfyui', kind: 'image', workflow: saved.id, prompt: 'a red fox', params: { seed: 99, steps: 3, width: 640 } });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const out = Buffer.from(await (await api(job.assets![0]!.url)).arrayBuffer());
    const text = readPngText(out);
    const ran = JSON.parse(text.prompt!) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    const byType = (t: string) => Object.values(ran).find((n) => n.class_type === t)!.inputs;
    expect(byType('KSampler')).toMatchObject({ seed: 99, steps: 3 });
    expect(byType('EmptyLatentImage')).toMatchObject({ width: 640, height: 512 });
    expect(Object.values(ran).some((n) => n.class_type === 'CLIPTextEncode' && n.inputs.text === 'a red fox')).toBe(true);
    expect(byType('SaveImage').filename_prefix).toBe(`orchestrator/${job.id}`);
    expect(JSON.parse(text.orchestrator!)).toMatchObject({ prompt: 'a red fox', seed: 99, workflow: 'Lighthouse' });
  });

  it('checks a run before queueing it, naming the node and input at fault', async () => {
    const slots = [...saved.slots, ...[{ param: 'sampler', nodeId: Object.entries(saved.graph).find(([, n]) => n.class_type === 'KSampler')![0], input: 'sampler_name' }]];
    const patched = await api(`/api/workflows/${saved.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slots }) });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const res = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: saved.id, prompt: 'x', params: { sampler: 'nope' } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_workflow', message: expect.stringMatching(/^KSampler \(#\d+\) input "sampler_name": value 'nope' is not in the list/) });
    const noPrompt = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: saved.id }));
    expect(noPrompt.status).toBe(400);
    expect(await noPrompt.json()).toMatchObject({ error: 'prompt_required' });
    const unknown = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: 'wf-0000000000', prompt: 'x' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'unknown_workflow' });
  });

  it('reports a node type or model the backend lacks when the workflow is imported', async () => {
    const graph = JSON.parse(readPngText(png).prompt!) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    const loader = Object.entries(graph).find(([, n]) => n.class_type === 'CheckpointLoaderSimple')![0];
    graph[loader]!.inputs.ckpt_name = 'missing.safetensors';
    graph['99'] = { class_type: 'NoSuchNode', inputs: {} };
    const res = await api('/api/workflows/import', json({ prompt: graph }));
    expect(res.status).toBe(200);
    const draft = (await res.json()) as WorkflowDraft;
    expect(draft.check.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: loader, input: 'ckpt_name', message: expect.stringContaining("'missing.safetensors' is not in the list") }),
        expect.objectContaining({ nodeId: '99', classType: 'NoSuchNode', input: '' }),
      ]),
    );
  });

  it('takes a workflow larger than the default 1 MB body limit', async () => {
    const graph = JSON.parse(readPngText(png).prompt!) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    const text = Object.entries(graph).find(([, n]) => n.class_type === 'CLIPTextEncode')![0];
    graph[text]!.inputs.text = 'a very long prompt '.repeat(100_000); // ~1.9 MB
    const res = await api('/api/workflows/import', json(graph));
    expect(res.status).toBe(200);
  });

  it('refuses what is not a usable workflow with a clear 4xx', async () => {
    const expectError = async (res: Response, status: number, error: string, message?: RegExp) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe(error);
      if (message) expect(body.message).toMatch(message);
    };
    await expectError(await api('/api/workflows/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"1": ' }), 400, 'invalid_json');
    await expectError(await api('/api/workflows/import', json({ nodes: [], links: [], version: 0.4 })), 400, 'invalid_workflow', /Export \(API\)/);
    await expectError(await api('/api/workflows/import', json({ '1': { inputs: {} } })), 400, 'invalid_workflow', /Node 1 has no class_type/);
    await expectError(await api('/api/workflows/import', json({ '1': { class_type: 'VAEDecode', inputs: { samples: ['7', 0] } } })), 400, 'invalid_workflow', /links to node 7/);
    await expectError(await api('/api/workflows/import', json([])), 400, 'invalid_workflow');
    const bare = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await expectError(await api('/api/workflows/import', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bare }), 400, 'invalid_workflow', /no ComfyUI "prompt" chunk/);
    await expectError(await api('/api/workflows/import', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415, 'unsupported_media_type');
    await expectError(await api('/api/workflows/import', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'GIF89a' }), 415, 'unsupported_media_type');
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x20);
    const tooBig = await api('/api/workflows/import', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: huge });
    expect(tooBig.status).toBe(413);

    const graph = saved.graph;
    const ksampler = Object.entries(graph).find(([, n]) => n.class_type === 'KSampler')![0];
    await expectError(await api('/api/workflows', json({ name: 'x', graph, slots: [{ param: 'seed', nodeId: ksampler, input: 'model' }] })), 400, 'invalid_slots', /linked to another node/);
    await expectError(await api('/api/workflows', json({ name: 'x', graph, slots: [{ param: 'prompt', nodeId: ksampler, input: 'seed' }] })), 400, 'invalid_slots', /expects a text input/);
    await expectError(await api('/api/workflows', json({ name: 'x', graph, slots: [{ param: 'seed', nodeId: 'nope', input: 'seed' }] })), 400, 'invalid_slots', /no node nope/);
    // Any name is a slot of the workflow's own, but it must be one: letters, digits, underscores.
    await expectError(await api('/api/workflows', json({ name: 'x', graph, slots: [{ param: 'bad name', nodeId: ksampler, input: 'seed' }] })), 400, 'validation_failed');
    await expectError(await api('/api/workflows/wf-0000000000'), 404, 'not_found');
    await expectError(await api('/api/workflows/..%2F..%2Fetc'), 400, 'validation_failed');
  });

  it('deletes a workflow; a job naming it afterwards is refused', async () => {
    const del = await api(`/api/workflows/${saved.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await api(`/api/workflows/${saved.id}`)).status).toBe(404);
    expect((await api(`/api/workflows/${saved.id}`, { method: 'DELETE' })).status).toBe(404);
    const res = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: saved.id, prompt: 'x' }));
    expect(res.status).toBe(400);
  });
});
