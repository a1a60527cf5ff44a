import { describe, expect, it } from 'vitest';
import { writePngText } from '../png-text.js';
import { SDXL_TEMPLATE, SVD_TEMPLATE, buildWorkflow } from './index.js';
import {
  WorkflowImportError,
  normalizeWorkflowGraph,
  slotProblems,
  suggestSlots,
  templateFromApiGraph,
  templateFromPng,
  templateFromWorkflow,
  workflowGraphFromJson,
  workflowGraphFromPng,
  workflowInputs,
} from './import.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('custom workflow import', () => {
  it('turns a PNG prompt chunk into a template with slots and the found values as defaults', () => {
    const ran = buildWorkflow(SDXL_TEMPLATE, { model: 'sd_xl_base_1.0.safetensors', prompt: 'a fox', negativePrompt: 'blur', seed: 5, filenamePrefix: 'x' });
    const t = templateFromPng(writePngText(PNG, { prompt: JSON.stringify(ran) }), { id: 'mine' });
    expect(t).toMatchObject({ id: 'mine', family: 'sdxl', kind: 'image', outputNode: '9' });
    expect(t.bindings).toEqual(SDXL_TEMPLATE.bindings);
    expect(t.defaults).toMatchObject({ model: 'sd_xl_base_1.0.safetensors', negativePrompt: 'blur', seed: 5, width: 1024, cfg: 7 });
    expect(t.form.find((f) => f.name === 'steps')?.type).toBe('int');
    expect(t.form.find((f) => f.name === 'cfg')?.type).toBe('float');
    expect(buildWorkflow(t, { prompt: 'a fox' })).toEqual(ran);
  });

  it('imports a video graph and refuses what is not a usable workflow', () => {
    const ran = buildWorkflow(SVD_TEMPLATE, { model: 'svd_xt.safetensors', image: 'in.png', outputFps: 6, seed: 1, prompt: 'x' });
    const t = templateFromApiGraph(ran);
    expect(t).toMatchObject({ family: 'svd', kind: 'video', outputNode: '10' });
    expect(t.bindings.image).toEqual([['23', 'image']]);
    expect(t.defaults).toMatchObject({ model: 'svd_xt.safetensors', image: 'in.png' });
    const sdxl = buildWorkflow(SDXL_TEMPLATE, { model: 'm', prompt: 'p', seed: 1, filenamePrefix: 'x' });
    sdxl['3']!.inputs.positive = ['5', 0];
    sdxl['3']!.inputs.negative = ['5', 0];
    expect(() => templateFromApiGraph(sdxl)).toThrow(/No prompt text/);
    expect(() => templateFromApiGraph([])).toThrow(WorkflowImportError);
    expect(() => templateFromApiGraph({ '1': { inputs: {} } })).toThrow('Node 1 has no class_type');
    expect(() => templateFromPng(PNG)).toThrow(/no ComfyUI "prompt" chunk/);
  });
});

describe('custom workflow slots', () => {
  const graph = () =>
    normalizeWorkflowGraph({
      prompt: buildWorkflow(SDXL_TEMPLATE, { model: 'sd_xl_base_1.0.safetensors', prompt: 'a fox', negativePrompt: 'blur', seed: 5, filenamePrefix: 'mine' }),
    });

  it('reads a /prompt body, lists the literal inputs and suggests the well-known slots', () => {
    const g = graph();
    expect(workflowInputs(g).find((i) => i.nodeId === '3' && i.input === 'seed')).toEqual({ nodeId: '3', classType: 'KSampler', input: 'seed', value: 5 });
    expect(workflowInputs(g).some((i) => i.input === 'model')).toBe(false);
    expect(suggestSlots(g)).toEqual(expect.arrayContaining([{ param: 'prompt', nodeId: '6', input: 'text' }, { param: 'negativePrompt', nodeId: '7', input: 'text' }]));
  });

  it('binds only the marked slots (and every filename prefix); the rest keeps the graph values', () => {
    const t = templateFromWorkflow({ id: 'wf', name: 'Mine', graph: graph(), slots: [{ param: 'prompt', nodeId: '6', input: 'text' }, { param: 'seed', nodeId: '3', input: 'seed' }] });
    expect(Object.keys(t.bindings).sort()).toEqual(['filenamePrefix', 'prompt', 'seed']);
    const built = buildWorkflow(t, { prompt: 'an owl', seed: 11, filenamePrefix: 'orchestrator/j', steps: 99 });
    expect(built['6']!.inputs.text).toBe('an owl');
    expect(built['3']!.inputs).toMatchObject({ seed: 11, steps: 20 });
    expect(built['9']!.inputs.filename_prefix).toBe('orchestrator/j');
    expect(t.form.map((f) => [f.name, f.type])).toEqual([['prompt', 'text'], ['seed', 'int']]);
  });

  it('names what is wrong with a slot', () => {
    const g = graph();
    expect(slotProblems(g, [{ param: 'seed', nodeId: '3', input: 'model' }])[0]).toMatch(/linked to another node/);
    expect(slotProblems(g, [{ param: 'prompt', nodeId: '3', input: 'seed' }])[0]).toMatch(/expects a text input/);
    expect(slotProblems(g, [{ param: 'steps', nodeId: '3', input: 'nope' }])[0]).toMatch(/no such input/);
    expect(slotProblems(g, [{ param: 'seed', nodeId: '3', input: 'seed' }, { param: 'steps', nodeId: '3', input: 'seed' }])[0]).toMatch(/marked twice/);
    expect(() => templateFromWorkflow({ id: 'x', name: 'x', graph: g, slots: [{ param: 'seed', nodeId: '42', input: 'seed' }] })).toThrow(/no node 42/);
  });

  it('says how to get the API format from an editor-format file or PNG', () => {
    expect(() => normalizeWorkflowGraph({ nodes: [], links: [], version: 0.4 })).toThrow(/Export \(API\)/);
    expect(() => workflowGraphFromPng(writePngText(PNG, { workflow: '{"nodes":[],"links":[]}' }))).toThrow(/only the editor workflow/);
    expect(() => workflowGraphFromJson('{"1":')).toThrow('The file is not valid JSON');
  });
});
