import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText, type Asset, type BackendStatus, type GenerationMeta, type Job, type WorkflowDetails } from '@orchestrator/shared';
import { CONTROLNET_MODELS } from '../fakes/comfyui/index.js';
import { encodePng } from '../fakes/comfyui/png.js';
import { probeImage } from '../fakes/comfyui/imageprobe.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/*
 * Issue 14 end to end, through the real server and worker against the ComfyUI fake (with the
 * IP-Adapter pack installed): img2img, inpainting from an uploaded mask, stacked ControlNets with
 * Canny, upscaling a gallery image, a hires fix, an IP-Adapter, and custom workflows whose slots are
 * any literal input, typed from /object_info. What ran is read back from the PNG ComfyUI saved.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('beyond', { comfy: { stepMs: 3, customNodes: ['ipadapter'], models: { controlnet: CONTROLNET_MODELS } } });
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as BackendStatus[])[0]?.online, 15000, 'backend online');
});

afterAll(async () => {
  await stack?.close();
});

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const api = (p: string, init?: RequestInit) => fetch(`${stack.url}${p}`, init);

async function waitJob(id: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = (await (await api(`/api/jobs/${id}`)).json()) as Job;
      return job.status === 'completed' || job.status === 'failed' ? job : null;
    },
    20000,
    `job ${id}`,
  );
}

async function runJob(body: object): Promise<Job> {
  const res = await api('/api/jobs', json(body));
  expect(res.status, await res.clone().text()).toBe(202);
  const job = await waitJob(((await res.json()) as { id: string }).id);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  return job;
}

/** The first output of a job: its bytes, the graph ComfyUI ran (its `prompt` chunk) and our metadata. */
async function output(job: Job): Promise<{ bytes: Buffer; graph: Graph; meta: GenerationMeta; asset: Asset; size: { width: number; height: number } }> {
  const bytes = Buffer.from(await (await api(job.assets![0]!.url)).arrayBuffer());
  const text = readPngText(bytes);
  const asset = (await (await api(`/api/assets/${job.assets![0]!.id}`)).json()) as Asset;
  const size = probeImage(bytes)!;
  return { bytes, graph: JSON.parse(text.prompt!) as Graph, meta: JSON.parse(text.orchestrator!) as GenerationMeta, asset, size };
}

const nodes = (g: Graph, type: string) => Object.entries(g).filter(([, n]) => n.class_type === type);
const only = (g: Graph, type: string) => {
  const found = nodes(g, type);
  expect(found.map(([, n]) => n.class_type), type).toHaveLength(1);
  return { id: found[0]![0], inputs: found[0]![1].inputs };
};

async function upload(png: Buffer, name = 'in.png'): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), name);
  const res = await api('/api/uploads', { method: 'POST', body: form });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A test picture: a gradient of the given size. */
const picture = (w: number, h: number) =>
  encodePng(w, h, (y, row) => {
    for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, 128], x * 3);
  });
/** A mask: white (repaint) in the right half. */
const halfMask = (w: number, h: number) =>
  encodePng(w, h, (_y, row) => {
    for (let x = 0; x < w; x++) row.fill(x >= w / 2 ? 255 : 0, x * 3, x * 3 + 3);
  });

describe('img2img and inpainting', () => {
  it('img2img: LoadImage → VAEEncode → KSampler with the denoise; the file (and its metadata) has the picture’s size', async () => {
    const id = await upload(picture(203, 121));
    const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a watercolor', inputImage: id, params: { denoise: 0.55, steps: 3 } });
    const { graph, meta, size } = await output(job);
    const load = only(graph, 'LoadImage');
    expect(load.inputs.image).toBe(`orchestrator-${id}.png`);
    const encode = only(graph, 'VAEEncode');
    expect(encode.inputs.pixels).toEqual([load.id, 0]);
    expect(only(graph, 'KSampler').inputs).toMatchObject({ latent_image: [encode.id, 0], denoise: 0.55 });
    expect(nodes(graph, 'EmptyLatentImage')).toEqual([]);
    // VAEEncode crops to a multiple of 8: the file is 200×120, and so is what the metadata says.
    expect(size).toMatchObject({ width: 200, height: 120 });
    expect(meta).toMatchObject({ width: 200, height: 120, denoise: 0.55, inputImage: id });
  });

  it('inpaint: the mask travels as an upload and reaches LoadImageMask; InpaintModelConditioning does the rest', async () => {
    const image = await upload(picture(128, 96));
    const maskPng = halfMask(128, 96);
    const mask = await upload(maskPng, 'mask.png');
    const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a red door', inputImage: image, mask, params: { steps: 3, seed: 5 } });
    const { graph, meta } = await output(job);
    const maskNode = only(graph, 'LoadImageMask');
    expect(maskNode.inputs).toEqual({ image: `orchestrator-${mask}.png`, channel: 'red' });
    // The backend holds the very mask the page painted.
    const onBackend = await readFile(path.join(stack.comfy[0]!.rootDir, 'input', String(maskNode.inputs.image)));
    expect(onBackend.equals(maskPng)).toBe(true);
    const cond = only(graph, 'InpaintModelConditioning');
    expect(cond.inputs).toMatchObject({ mask: [maskNode.id, 0], noise_mask: true });
    expect(only(graph, 'KSampler').inputs).toMatchObject({ positive: [cond.id, 0], negative: [cond.id, 1], latent_image: [cond.id, 2], denoise: 0.75 });
    expect(meta).toMatchObject({ mask, inputImage: image, denoise: 0.75, seed: 5 });
  });

  it('inpaint at another size: the mask is scaled and cropped like the picture (LoadImage → ImageScale → ImageToMask)', async () => {
    const image = await upload(picture(128, 96));
    const mask = await upload(halfMask(128, 96), 'mask.png');
    const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a red door', inputImage: image, mask, params: { steps: 2, width: 96, height: 96 } });
    const { graph, size } = await output(job);
    const toMask = only(graph, 'ImageToMask');
    const scaled = graph[String((toMask.inputs.image as [string, number])[0])]!;
    expect(scaled).toMatchObject({ class_type: 'ImageScale', inputs: { width: 96, height: 96, crop: 'center' } });
    expect(graph[String((scaled.inputs.image as [string, number])[0])]).toMatchObject({ class_type: 'LoadImage', inputs: { image: `orchestrator-${mask}.png` } });
    expect(only(graph, 'InpaintModelConditioning').inputs.mask).toEqual([toMask.id, 0]);
    expect(size).toEqual(expect.objectContaining({ width: 96, height: 96 }));
  });

  it('refuses a mask without a picture, or an image no upload or asset has, with a 400 naming the field', async () => {
    const noPicture = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', mask: 'abc' }));
    expect(noPicture.status).toBe(400);
    expect(await noPicture.json()).toMatchObject({ error: 'template_unsupported', message: expect.stringContaining('set inputImage') });
    const ghost = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', inputImage: 'no-such-upload' }));
    expect(ghost.status).toBe(400);
    expect(await ghost.json()).toMatchObject({ error: 'input_image_not_found', details: { field: 'inputImage', id: 'no-such-upload' } });
    const image = await upload(picture(64, 64));
    const ghostMask = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', inputImage: image, mask: 'no-such-mask' }));
    expect(ghostMask.status).toBe(400);
    expect(await ghostMask.json()).toMatchObject({ error: 'input_image_not_found', message: expect.stringContaining('mask: no upload or gallery asset has the id "no-such-mask"') });
    const ghostControl = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { controlNets: [{ model: 'controlnet-canny-sdxl-1.0.safetensors', image: 'gone' }] } }));
    expect(ghostControl.status).toBe(400);
    expect(await ghostControl.json()).toMatchObject({ error: 'input_image_not_found', details: { field: 'params.controlNets[0].image' } });
  });
});

describe('ControlNet, hires fix, IP-Adapter', () => {
  it('stacks two ControlNets (one with Canny) in order, each with its own image, strength and range', async () => {
    const edges = await upload(picture(64, 64), 'edges.png');
    const depth = await upload(picture(48, 48), 'depth.png');
    const job = await runJob({
      provider: 'comfyui',
      kind: 'image',
      prompt: 'a house',
      model: 'sd_xl_base_1.0.safetensors',
      params: {
        steps: 3,
        width: 64,
        height: 64,
        controlNets: [
          { model: 'controlnet-canny-sdxl-1.0.safetensors', image: edges, strength: 0.8, startPercent: 0, endPercent: 0.7, preprocessor: 'canny' },
          { model: 'diffusers_xl_depth_mid.safetensors', image: depth, strength: 0.5 },
        ],
      },
    });
    const { graph, meta } = await output(job);
    const applies = nodes(graph, 'ControlNetApplyAdvanced');
    expect(applies.map(([, n]) => [n.inputs.strength, n.inputs.end_percent])).toEqual([[0.8, 0.7], [0.5, 1]]);
    expect(only(graph, 'Canny').inputs.image).toEqual([nodes(graph, 'LoadImage')[0]![0], 0]);
    expect(only(graph, 'KSampler').inputs.positive).toEqual([applies[1]![0], 0]);
    expect(meta.controlNets).toBe('controlnet-canny-sdxl-1.0.safetensors:0.8 (canny), diffusers_xl_depth_mid.safetensors:0.5');
  });

  it('refuses a ControlNet of another family, or one no backend has, naming it', async () => {
    const a = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', model: 'sd_xl_base_1.0.safetensors', params: { controlNets: [{ model: 'control_v11p_sd15_canny.pth', image: 'x1' }] } }));
    expect(a.status).toBe(400);
    expect(await a.json()).toMatchObject({ error: 'template_unsupported', message: expect.stringContaining('made for SD1.5') });
    const b = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { controlNets: [{ model: 'nope.safetensors', image: 'x1' }] } }));
    expect(b.status).toBe(400);
    expect(await b.json()).toMatchObject({ error: 'model_unavailable', message: expect.stringContaining('ControlNet 1 "nope.safetensors" is not in the controlnet folder') });
  });

  it('hires fix: a second pass at 1.5×; the file (and metadata) is the larger size', async () => {
    const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a castle', params: { steps: 4, width: 64, height: 64, hiresFix: { scale: 1.5, denoise: 0.4, steps: 2 } } });
    const { graph, meta, size } = await output(job);
    expect(nodes(graph, 'KSampler')).toHaveLength(2);
    expect(only(graph, 'LatentUpscaleBy').inputs.scale_by).toBe(1.5);
    expect(size).toMatchObject({ width: 96, height: 96 });
    expect(meta).toMatchObject({ width: 96, height: 96, hiresFix: '×1.5, denoise 0.4, 2 steps' });
  });

  it('IP-Adapter: listed by the backend status only where the pack is installed, and run through its nodes', async () => {
    const backends = (await (await api('/api/backends')).json()) as BackendStatus[];
    expect(backends[0]!.nodes).toEqual(expect.arrayContaining(['Canny', 'UpscaleModelLoader', 'IPAdapterUnifiedLoader', 'IPAdapter']));
    const ref = await upload(picture(32, 32), 'ref.png');
    const job = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a portrait', params: { steps: 2, width: 64, height: 64, ipAdapter: { image: ref, weight: 0.7 } } });
    const { graph } = await output(job);
    expect(only(graph, 'IPAdapter').inputs).toMatchObject({ weight: 0.7, weight_type: 'standard' });
    expect(only(graph, 'KSampler').inputs.model).toEqual([only(graph, 'IPAdapter').id, 0]);
  });
});

describe('upscale', () => {
  let source: Job;
  beforeAll(async () => {
    source = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a small boat', params: { steps: 2, width: 96, height: 64 } });
  });

  it('POST /api/assets/:id/upscale with a model: 202, a new job whose file is factor × the picture', async () => {
    const res = await api(`/api/assets/${source.assets![0]!.id}/upscale`, json({ model: '4x-UltraSharp.pth', factor: 2 }));
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/jobs/${id}`);
    const job = await waitJob(id);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.request).toMatchObject({ workflow: 'upscale', inputImage: source.assets![0]!.id, params: { upscale: { model: '4x-UltraSharp.pth', factor: 2 } } });
    const { graph, meta, size } = await output(job);
    expect(only(graph, 'ImageUpscaleWithModel')).toBeDefined();
    expect(only(graph, 'ImageScale').inputs).toMatchObject({ width: 192, height: 128 });
    expect(nodes(graph, 'CheckpointLoaderSimple')).toEqual([]);
    expect(size).toMatchObject({ width: 192, height: 128 });
    // The picture's prompt goes along (the tray, the metadata and the file name say what was upscaled).
    expect(job.request).toMatchObject({ prompt: 'a small boat' });
    expect(meta).toMatchObject({ width: 192, height: 128, upscale: '4x-UltraSharp.pth ×2', inputImage: source.assets![0]!.id, prompt: 'a small boat' });
    expect(meta.seed).toBeUndefined();
    expect(meta.model).toBeUndefined();
  });

  it('without a model (and without a body): a lanczos resize by 2', async () => {
    const res = await api(`/api/assets/${source.assets![0]!.id}/upscale`, { method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(202);
    const job = await waitJob(((await res.json()) as { id: string }).id);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const { graph, size } = await output(job);
    expect(only(graph, 'ImageScaleBy').inputs).toMatchObject({ scale_by: 2, upscale_method: 'lanczos' });
    expect(size).toMatchObject({ width: 192, height: 128 });
  });

  it('refuses an unknown asset, a bad factor, an unknown model and a result over 16384 px', async () => {
    const id = source.assets![0]!.id;
    expect((await api('/api/assets/0123456789abcdef/upscale', json({}))).status).toBe(404);
    const bad = await api(`/api/assets/${id}/upscale`, json({ factor: 9 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed', details: [expect.objectContaining({ path: 'body/factor' })] });
    const model = await api(`/api/assets/${id}/upscale`, json({ model: 'nope.pth' }));
    expect(model.status).toBe(400);
    expect(await model.json()).toMatchObject({ error: 'model_unavailable' });
    expect((await api(`/api/assets/${id}/upscale`, json({ factor: 1, extra: true }))).status).toBe(400);
    // A 2096 px wide picture (img2img keeps its size, cropped to a multiple of 8) × 8 would be 16768 px.
    const wide = await runJob({ provider: 'comfyui', kind: 'image', prompt: 'a long strip', inputImage: await upload(picture(2100, 8)), params: { steps: 1 } });
    const tooLarge = await api(`/api/assets/${wide.assets![0]!.id}/upscale`, json({ factor: 8 }));
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toMatchObject({ error: 'validation_failed', message: expect.stringContaining('2096×8 × 8 is 16768×64'), details: [{ path: 'body/factor' }] });
  });
});

describe('custom workflows: any literal input as a slot', () => {
  let wf: WorkflowDetails;
  const graph: Graph = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: { seed: 1234, steps: 3, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '10': { class_type: 'ImageScaleBy', inputs: { image: ['8', 0], upscale_method: 'nearest-exact', scale_by: 1.0 } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'mine', images: ['10', 0] } },
  };
  const slots = [
    { param: 'subject', nodeId: '6', input: 'text' },
    { param: 'method', nodeId: '10', input: 'upscale_method' },
    { param: 'zoom', nodeId: '10', input: 'scale_by' },
  ];

  it('types the slots from /object_info: a STRING, a COMBO and a FLOAT with step 0.01', async () => {
    const res = await api('/api/workflows', json({ name: 'Zoomer', graph, slots }));
    expect(res.status, await res.clone().text()).toBe(201);
    wf = (await res.json()) as WorkflowDetails;
    const spec = Object.fromEntries(wf.slotSpecs.map((s) => [s.name, s]));
    expect(spec.subject).toMatchObject({ kind: 'text', multiline: true, classType: 'CLIPTextEncode', value: 'a lighthouse', checked: true, known: false });
    expect(spec.method).toMatchObject({ kind: 'combo', options: ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'], value: 'nearest-exact' });
    expect(spec.zoom).toMatchObject({ kind: 'float', min: 0.01, max: 8, step: 0.01, value: 1 });
  });

  it('runs with the slot values by name; the metadata records those slots, the graph’s own seed and the file’s size', async () => {
    const job = await runJob({ provider: 'comfyui', kind: 'image', workflow: wf.id, slots: { subject: 'a red fox', method: 'bicubic', zoom: 1.25 } });
    const { graph: ran, meta, size } = await output(job);
    expect(ran['6']!.inputs.text).toBe('a red fox');
    expect(ran['10']!.inputs).toMatchObject({ upscale_method: 'bicubic', scale_by: 1.25 });
    expect(ran['3']!.inputs.seed).toBe(1234);
    expect(size).toMatchObject({ width: 80, height: 80 });
    expect(meta).toMatchObject({ workflow: 'Zoomer', seed: 1234, width: 80, height: 80, slots: { subject: 'a red fox', method: 'bicubic', zoom: 1.25 } });
  });

  it('refuses a slot it does not have, or a value its slot does not take, naming the slot', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ zoom: 9 }, /Slot "zoom" \(ImageScaleBy #10 scale_by\): 9 is above the maximum 8/],
      [{ method: 'sideways' }, /Slot "method".*"sideways" is not one of its choices/],
      [{ subject: 3 }, /Slot "subject".*expects text/],
      [{ nope: 1 }, /"Zoomer" has no slot "nope" \(its slots: subject, method, zoom\)/],
    ];
    for (const [values, message] of cases) {
      const res = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: wf.id, slots: values }));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_slot', message: expect.stringMatching(message) });
    }
    const schema = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: wf.id, slots: { 'two words': 1 } }));
    expect(schema.status).toBe(400);
    expect(await schema.json()).toMatchObject({ error: 'validation_failed', details: [{ path: 'body/slots', message: 'unknown field(s): two words' }] });
    // Only the ComfyUI request's own complaint, none from the FLUX or v0 shapes ("unknown field(s): workflow", "multiple of 32").
    const odd = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: wf.id, params: { width: 333 } }));
    expect(odd.status).toBe(400);
    const oddBody = (await odd.json()) as { details: Array<{ path: string; message: string }> };
    expect(oddBody.details).toEqual([{ path: 'body/params/width', message: 'must be multiple of 8' }]);
  });

  it('a graph without a sampler: its own INT slot, no seed recorded, any width', async () => {
    const plain: Graph = {
      '1': { class_type: 'EmptyImage', inputs: { width: 50, height: 30, batch_size: 1, color: 255 } },
      '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 2, sigma: 1 } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'plain', images: ['2', 0] } },
    };
    const res = await api('/api/workflows', json({ name: 'Plain', graph: plain, slots: [{ param: 'color', nodeId: '1', input: 'color' }, { param: 'width', nodeId: '1', input: 'width' }] }));
    expect(res.status, await res.clone().text()).toBe(201);
    const saved = (await res.json()) as WorkflowDetails;
    const job = await runJob({ provider: 'comfyui', kind: 'image', workflow: saved.id, slots: { color: 65280, width: 333 } });
    const { graph: ran, meta, size } = await output(job);
    expect(ran['1']!.inputs).toMatchObject({ color: 65280, width: 333 });
    expect(size).toMatchObject({ width: 333, height: 30 });
    expect(meta.seed).toBeUndefined();
    expect(meta).toMatchObject({ width: 333, height: 30, slots: { color: 65280 } });
  });

  it('an image slot of its own (LoadImage.image): the upload reaches the backend under the name LoadImage gets', async () => {
    const g: Graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
      '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 1, sigma: 1 } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'photo', images: ['2', 0] } },
    };
    const res = await api(
      '/api/workflows',
      json({ name: 'Blur a photo', graph: g, slots: [{ param: 'photo', nodeId: '1', input: 'image' }, { param: 'radius', nodeId: '2', input: 'blur_radius' }] }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const saved = (await res.json()) as WorkflowDetails;
    expect(saved.slotSpecs.find((s) => s.name === 'photo')).toMatchObject({ kind: 'image', classType: 'LoadImage', checked: true });
    expect(saved.slotSpecs.find((s) => s.name === 'radius')).toMatchObject({ kind: 'int', min: 1, max: 31, step: 1 });
    const photo = await upload(picture(40, 24), 'photo.png');
    const job = await runJob({ provider: 'comfyui', kind: 'image', workflow: saved.id, slots: { photo, radius: 3 } });
    const { graph: ran, meta, size } = await output(job);
    expect(ran['1']!.inputs.image).toBe(`orchestrator-${photo}.png`);
    expect(ran['2']!.inputs.blur_radius).toBe(3);
    expect(size).toMatchObject({ width: 40, height: 24 });
    expect(meta).toMatchObject({ width: 40, height: 24, slots: { photo, radius: 3 } });
    expect(meta.seed).toBeUndefined();
    const ghost = await api('/api/jobs', json({ provider: 'comfyui', kind: 'image', workflow: saved.id, slots: { photo: 'not-uploaded' } }));
    expect(ghost.status).toBe(400);
    expect(await ghost.json()).toMatchObject({ error: 'input_image_not_found', details: { field: 'slots.photo' } });
  });

  it('flags a graph with no output node before anything is queued', async () => {
    const draft = await api('/api/workflows/import', json({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } } }));
    expect(draft.status).toBe(200);
    const body = (await draft.json()) as { check: { problems: Array<{ message: string }> } };
    expect(body.check.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('no output node') })]);
  });
});
