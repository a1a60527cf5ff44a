/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// POST /prompt: counter semantics, prompt_id rules and every validation envelope of §1.1.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeComfy, startFakeComfy } from './index.js';
import { emptyImageGraph, getJson, postJson, txt2img, WsClient } from './testkit.js';

let fake: FakeComfy;
beforeAll(async () => {
  fake = await startFakeComfy({ stepMs: 1 });
});
afterAll(async () => {
  await fake.close();
});

const post = (prompt: unknown, extra: Record<string, unknown> = {}) => postJson(fake.url, '/prompt', { prompt, ...extra });
const nodeError = async (prompt: unknown, nodeId: string) => {
  const r = await post(prompt);
  expect(r.status, r.text).toBe(400);
  expect(r.json.error.type).toBe('prompt_outputs_failed_validation');
  return r.json.node_errors[nodeId].errors[0];
};
const img = (inputs: Record<string, unknown>) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 8, batch_size: 1, color: 0, ...inputs } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'v' } },
});

describe('top-level envelopes', () => {
  it('no_prompt, invalid_prompt (unknown / missing class_type), prompt_no_outputs', async () => {
    expect((await postJson(fake.url, '/prompt', {})).json).toEqual({
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {},
    });
    const unknown = await post({ '1': { class_type: 'NoSuchNode', inputs: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      error: { type: 'invalid_prompt', message: 'Cannot execute because node NoSuchNode does not exist.', details: "Node ID '#1'", extra_info: {} }, node_errors: {},
    });
    expect((await post({ '1': { inputs: {} } })).json.error).toEqual({
      type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: "Node ID '#1'", extra_info: {},
    });
    const noOut = await post({ '1': { class_type: 'EmptyImage', inputs: {} } });
    expect(noOut.json).toEqual({ error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, node_errors: {} });
    expect(noOut.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('malformed JSON → 500 text/plain like aiohttp', async () => {
    const r = await postJson(fake.url, '/prompt', '{nope');
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toContain('500 Internal Server Error');
  });

  it('counter increments on every POST without number (even failed ones); number echoed; front negates', async () => {
    const f = await startFakeComfy({ stepMs: 1 });
    try {
      const p = (b: Record<string, unknown>) => postJson(f.url, '/prompt', b);
      expect((await p({ prompt: emptyImageGraph(1) })).json.number).toBe(0);
      expect((await p({})).status).toBe(400); // consumes 1
      expect((await p({ prompt: emptyImageGraph(2) })).json.number).toBe(2);
      expect((await p({ prompt: emptyImageGraph(3), number: 5.5 })).json.number).toBe(5.5);
      expect((await p({ prompt: emptyImageGraph(4), front: true })).json.number).toBe(-3);
    } finally {
      await f.close();
    }
  });

  it('strict prompt_id (default): canonical lowercase UUID passes through, anything else is invalid_prompt_id', async () => {
    const id = randomUUID();
    expect((await post(emptyImageGraph(11), { prompt_id: id })).json.prompt_id).toBe(id);
    const bad = await post(emptyImageGraph(12), { prompt_id: 'my-custom-id' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('invalid_prompt_id');
    expect((await post(emptyImageGraph(13), { prompt_id: id.toUpperCase() })).status).toBe(400);
    expect((await post(emptyImageGraph(14), { prompt_id: null })).json.prompt_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('legacy prompt_id: any value stringified, null → "None"; version >= 0.4 reports missing_node_type', async () => {
    const f = await startFakeComfy({ stepMs: 1, strictPromptId: false, version: '0.38.2' });
    try {
      expect((await postJson(f.url, '/prompt', { prompt: emptyImageGraph(1), prompt_id: 'my-custom-id' })).json.prompt_id).toBe('my-custom-id');
      expect((await postJson(f.url, '/prompt', { prompt: emptyImageGraph(2), prompt_id: null })).json.prompt_id).toBe('None');
      const r = await postJson(f.url, '/prompt', { prompt: { '7': { class_type: 'Foo', inputs: {}, _meta: { title: 'My Foo' } } } });
      expect(r.json.error).toEqual({
        type: 'missing_node_type', message: "Node 'My Foo' not found. The custom node may not be installed.",
        details: "Node ID '#7'", extra_info: { node_id: '7', class_type: 'Foo', node_title: 'My Foo' },
      });
    } finally {
      await f.close();
    }
  });
});

describe('node_errors', () => {
  it('value_not_in_list on an upstream checkpoint: full envelope with input_config and dependent_outputs', async () => {
    const r = await post(txt2img({ ckpt: 'nope.safetensors' }));
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: {
        '4': {
          errors: [{
            type: 'value_not_in_list', message: 'Value not in list',
            details: "ckpt_name: 'nope.safetensors' not in ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors']",
            extra_info: {
              input_name: 'ckpt_name',
              input_config: [['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'], { tooltip: 'The name of the checkpoint (model) to load.' }],
              received_value: 'nope.safetensors',
            },
          }],
          dependent_outputs: ['9'], class_type: 'CheckpointLoaderSimple',
        },
      },
    });
  });

  it('value_not_in_list with a > 20 entry list has input_config null', async () => {
    const g = txt2img();
    g['3'].inputs.sampler_name = 'Euler';
    const e = await nodeError(g, '3');
    expect(e).toEqual({
      type: 'value_not_in_list', message: 'Value not in list', details: "sampler_name: 'Euler' not in (list of length 42)",
      extra_info: { input_name: 'sampler_name', input_config: null, received_value: 'Euler' },
    });
  });

  it('required_input_missing, bad_linked_input, return_type_mismatch', async () => {
    const g = img({});
    delete (g['1'].inputs as Record<string, unknown>).color;
    expect(await nodeError(g, '1')).toEqual({ type: 'required_input_missing', message: 'Required input is missing', details: 'color', extra_info: { input_name: 'color' } });
    const bad = await nodeError({ ...img({}), '2': { class_type: 'SaveImage', inputs: { images: ['1'], filename_prefix: 'x' } } }, '2');
    expect(bad).toMatchObject({ type: 'bad_linked_input', details: 'images', extra_info: { input_name: 'images', received_value: ['1'] } });
    const mismatch = await nodeError({
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'x' } },
    }, '2');
    expect(mismatch).toMatchObject({
      type: 'return_type_mismatch', message: 'Return type mismatch between linked nodes',
      details: 'images, received_type(LATENT) mismatch input_type(IMAGE)',
      extra_info: { input_name: 'images', received_type: 'LATENT', linked_node: ['5', 0] },
    });
  });

  it('invalid_input_type, value_smaller_than_min, value_bigger_than_max (float formatting)', async () => {
    expect(await nodeError(img({ height: 'abc' }), '1')).toMatchObject({
      type: 'invalid_input_type', message: 'Failed to convert an input value to a INT value',
      details: "height, abc, invalid literal for int() with base 10: 'abc'",
      extra_info: { input_name: 'height', received_value: 'abc', exception_message: "invalid literal for int() with base 10: 'abc'" },
    });
    expect(await nodeError(img({ width: 0 }), '1')).toMatchObject({ type: 'value_smaller_than_min', message: 'Value 0 smaller than min of 1', details: 'width' });
    const g = txt2img();
    g['3'].inputs.cfg = 101;
    expect(await nodeError(g, '3')).toMatchObject({ type: 'value_bigger_than_max', message: 'Value 101.0 bigger than max of 100.0', details: 'cfg' });
  });

  it('links to missing nodes: exception_during_validation (output) / exception_during_inner_validation (upstream)', async () => {
    const r = await post({ '2': { class_type: 'SaveImage', inputs: { images: ['99', 0], filename_prefix: 'x' } } });
    expect(r.json.error.details).toBe("Exception when validating node: '99'");
    expect(r.json.node_errors['2'].errors[0]).toMatchObject({
      type: 'exception_during_validation', message: 'Exception when validating node', details: "'99'", extra_info: { exception_type: 'KeyError' },
    });
    const g = txt2img();
    g['8'].inputs.samples = ['99', 0];
    const inner = await post(g);
    expect(Object.keys(inner.json.node_errors)).toEqual(['8']);
    expect(inner.json.node_errors['8'].errors[0]).toMatchObject({ type: 'exception_during_inner_validation', details: "'99'", extra_info: { input_name: 'images', exception_type: 'KeyError', linked_node: ['8', 0] } });
  });

  it('custom_validation_failed: LoadImage checks the file exists (and accepts sub/dir paths)', async () => {
    const e = await nodeError({
      '1': { class_type: 'LoadImage', inputs: { image: 'missing.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    }, '1');
    expect(e).toEqual({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: 'image - Invalid image file: missing.png', extra_info: { input_name: 'image' } });
  });

  it('partial success is 200 with node_errors; only the valid outputs run', async () => {
    const ws = await WsClient.connect(fake.url, 'partial');
    try {
      const r = await post({
        ...img({}),
        '3': { class_type: 'EmptyImage', inputs: { width: 0, height: 8, batch_size: 1, color: 0 } },
        '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
      }, { client_id: 'partial' });
      expect(r.status).toBe(200);
      expect(Object.keys(r.json.node_errors)).toEqual(['3']);
      expect(r.json.node_errors['3'].dependent_outputs).toEqual(['4']);
      await ws.done(r.json.prompt_id);
      const h = await getJson(fake.url, `/history/${r.json.prompt_id}`);
      expect(h.json[r.json.prompt_id].prompt[4]).toEqual(['2']);
      expect(Object.keys(h.json[r.json.prompt_id].outputs)).toEqual(['2']);
    } finally {
      ws.close();
    }
  });

  it('coerces in place (int truncation, numeric strings, STRING from number, __value__ unwrap); unreachable nodes are not validated', async () => {
    const ws = await WsClient.connect(fake.url, 'coerce');
    try {
      const r = await post({
        '1': { class_type: 'EmptyImage', inputs: { width: '16', height: 8.9, batch_size: true, color: { __value__: 5 } } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 123 } },
        '3': { class_type: 'EmptyImage', inputs: { width: -5 } },
      }, { client_id: 'coerce' });
      expect(r.status, r.text).toBe(200);
      await ws.done(r.json.prompt_id);
      const entry = (fake.history() as any)[r.json.prompt_id];
      expect(entry.prompt[2]['1'].inputs).toEqual({ width: 16, height: 8, batch_size: 1, color: 5 });
      expect(entry.prompt[2]['2'].inputs.filename_prefix).toBe('123');
      expect(entry.outputs['2'].images[0].filename).toBe('123_00001_.png');
    } finally {
      ws.close();
    }
  });

  it('validationError fault: next POST /prompt fails as if the checkpoint were not in the list (one-shot)', async () => {
    fake.faults.validationError = true;
    const e = await nodeError(txt2img(), '4');
    expect(e).toMatchObject({ type: 'value_not_in_list', details: "ckpt_name: 'v1-5-pruned-emaonly.safetensors' not in []" });
    expect(fake.faults.validationError).toBeUndefined();
    expect((await post(txt2img({ seed: 99 }))).status).toBe(200);
  });
});
