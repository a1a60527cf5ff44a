import { describe, expect, it } from 'vitest';
import { writePngText } from '../png-text.js';
import { SDXL_TEMPLATE, SVD_TEMPLATE, buildWorkflow } from './index.js';
import { WorkflowImportError, templateFromApiGraph, templateFromPng } from './import.js';

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
    delete sdxl['6'];
    delete sdxl['7'];
    expect(() => templateFromApiGraph(sdxl)).toThrow(/No prompt text/);
    expect(() => templateFromApiGraph([])).toThrow(WorkflowImportError);
    expect(() => templateFromApiGraph({ '1': { inputs: {} } })).toThrow('Node 1 has no class_type');
    expect(() => templateFromPng(PNG)).toThrow(/no ComfyUI "prompt" chunk/);
  });
});
