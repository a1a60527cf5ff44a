import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../../../test/fakes/comfyui/index.js';
import {
  ALL_TEMPLATES,
  FLUX_CHECKPOINT_TEMPLATE,
  FLUX_LOCAL_TEMPLATE,
  TemplateChoiceError,
  withLoras,
  formatLoraMeta,
  parseLoraMeta,
  MissingTemplateParam,
  SD15_TEMPLATE,
  SD3_SEPARATE_ENCODERS_TEMPLATE,
  SD3_TEMPLATE,
  SDXL_TEMPLATE,
  TEMPLATES,
  buildWorkflow,
  familyDefaults,
  readTemplateParams,
  resolveTemplateFamily,
  templateFamilyFromName,
  templateFor,
  type TemplateValues,
} from './index.js';
import { prepareWorkflow } from './request.js';
import { alignComboValues, validateWorkflowAgainstObjectInfo } from './validate-workflow.js';

const CHECKPOINTS = [
  'flux1-dev-fp8.safetensors',
  'sd_xl_base_1.0.safetensors',
  'v1-5-pruned-emaonly.safetensors',
  'sd3.5_large_fp8_scaled.safetensors',
  'sd3.5_large.safetensors',
  'svd_xt.safetensors',
];
let fake: FakeComfy;
let objectInfo: Record<string, unknown>;

beforeAll(async () => {
  fake = await startFakeComfy({ checkpoints: CHECKPOINTS });
  objectInfo = (await (await fetch(`${fake.url}/object_info`)).json()) as Record<string, unknown>;
});
afterAll(async () => {
  await fake?.close();
});

const base: TemplateValues = { prompt: 'a lighthouse', seed: 42, filenamePrefix: 'orchestrator/test' };
const PARAMS: Record<keyof typeof TEMPLATES, TemplateValues> = {
  sd15: { ...base, model: 'v1-5-pruned-emaonly.safetensors' },
  sdxl: { ...base, model: 'sd_xl_base_1.0.safetensors' },
  sd3: { ...base, model: 'sd3.5_large_fp8_scaled.safetensors' },
  flux: { ...base, model: 'flux1-dev.safetensors' },
  svd: { ...base, model: 'svd_xt.safetensors', image: 'input.png', outputFps: 6 },
};
/** Per template id: the variants take their family's values with their own model. */
const VALUES: Record<string, TemplateValues> = {
  ...Object.fromEntries(Object.entries(TEMPLATES).map(([family, t]) => [t.id, PARAMS[family as keyof typeof TEMPLATES]])),
  [SD3_SEPARATE_ENCODERS_TEMPLATE.id]: { ...base, model: 'sd3.5_large.safetensors' },
  [FLUX_CHECKPOINT_TEMPLATE.id]: { ...base, model: 'flux1-dev-fp8.safetensors' },
};

describe('templates against the fake ComfyUI /object_info', () => {
  for (const template of ALL_TEMPLATES) {
    it(`${template.id}: every node is installed and every input validates, with the template's defaults`, () => {
      expect(VALUES[template.id]).toBeDefined();
      expect(template.nodeTypes.filter((t) => objectInfo[t] === undefined)).toEqual([]);
      expect(validateWorkflowAgainstObjectInfo(buildWorkflow(template, VALUES[template.id]!), objectInfo)).toEqual([]);
    });
  }

  it('lists every family template and the variants (SD3.5 separate encoders, FLUX checkpoint), each once', () => {
    expect(ALL_TEMPLATES.map((t) => t.id)).toEqual([
      'sd15-txt2img',
      'sdxl-txt2img',
      'sd3-txt2img',
      'flux-txt2img',
      'svd-img2vid',
      'sd3-txt2img-separate-encoders',
      'flux-txt2img-checkpoint',
    ]);
    expect(templateFor('sd3')).toBe(SD3_TEMPLATE);
    expect(templateFor('sd3', { separateTextEncoders: true })).toBe(SD3_SEPARATE_ENCODERS_TEMPLATE);
    expect(templateFor('flux', { separateTextEncoders: true })).toBe(FLUX_LOCAL_TEMPLATE);
    expect(SD3_SEPARATE_ENCODERS_TEMPLATE.bindings).toMatchObject({
      clipName1: [['43', 'clip_name1']],
      clipName2: [['43', 'clip_name2']],
      clipName3: [['43', 'clip_name3']],
    });
    const g = buildWorkflow(SD3_SEPARATE_ENCODERS_TEMPLATE, VALUES['sd3-txt2img-separate-encoders']!);
    expect([g['16']!.inputs.clip, g['40']!.inputs.clip, g['8']!.inputs.vae]).toEqual([['43', 0], ['43', 0], ['4', 2]]);
  });

  it('declares bindings for every placeholder, defaults, and a form per family', () => {
    expect(TEMPLATES.sdxl.bindings.seed).toEqual([['3', 'seed']]);
    expect(TEMPLATES.svd.bindings.image).toEqual([['23', 'image']]);
    expect(familyDefaults('sd15')).toMatchObject({ width: 512, height: 512 });
    expect(familyDefaults('sdxl')).toMatchObject({ width: 1024, height: 1024 });
    expect(familyDefaults('sd3')).toMatchObject({ shift: 3, scheduler: 'sgm_uniform' });
    expect(familyDefaults('flux')).toMatchObject({ guidance: 3.5 });
    expect(familyDefaults('flux').cfg).toBeUndefined();
    expect(familyDefaults('svd')).toMatchObject({ frames: 14, motionBucketId: 127, fps: 6, width: 1024, height: 576 });
    expect(TEMPLATES.flux.form.map((f) => f.name)).toContain('guidance');
    expect(TEMPLATES.flux.form.map((f) => f.name)).not.toContain('cfg');
    expect(TEMPLATES.svd.form.map((f) => f.name)).toEqual(expect.arrayContaining(['inputImage', 'frames', 'motionBucketId', 'augmentationLevel']));
  });

  it('builds a fresh graph, reads the values back, and names a missing parameter', () => {
    const g = buildWorkflow(TEMPLATES.sdxl, { ...PARAMS.sdxl, steps: 9 });
    expect(g['3']!.inputs).toMatchObject({ seed: 42, steps: 9, cfg: 7, model: ['4', 0] });
    expect(readTemplateParams(TEMPLATES.sdxl, g)).toMatchObject({ seed: 42, steps: 9, model: 'sd_xl_base_1.0.safetensors' });
    expect(TEMPLATES.sdxl.graph['3']!.inputs.steps).toEqual({ $param: 'steps' });
    expect(() => buildWorkflow(TEMPLATES.svd, { ...base, model: 'svd.safetensors' })).toThrow(MissingTemplateParam);
  });

  it('prepareWorkflow: FLUX takes params.textEncoders as [t5xxl, clip_l] and params.vae', () => {
    const request = { provider: 'comfyui', kind: 'image', prompt: 'a fox', model: 'flux1-dev.safetensors', family: 'flux' } as const;
    const plain = prepareWorkflow(request, { seed: 1 });
    expect(plain.template).toBe(FLUX_LOCAL_TEMPLATE);
    expect(plain.values).toMatchObject({ clipName1: 't5xxl_fp16.safetensors', clipName2: 'clip_l.safetensors', vae: 'ae.safetensors' });
    const own = prepareWorkflow({ ...request, params: { textEncoders: ['t5xxl_fp8_e4m3fn.safetensors', 'clip_l.safetensors'], vae: 'flux/ae.sft' } }, { seed: 1 });
    const g = buildWorkflow(own.template, own.values);
    expect(g['11']!.inputs).toEqual({ clip_name1: 't5xxl_fp8_e4m3fn.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' });
    expect(g['10']!.inputs).toEqual({ vae_name: 'flux/ae.sft' });
    expect(g['12']!.inputs.unet_name).toBe('flux1-dev.safetensors');
  });

  it('prepareWorkflow: SD3 with three text encoders runs the TripleCLIPLoader variant, in [clip_l, clip_g, t5xxl] order', () => {
    const request = { provider: 'comfyui', kind: 'image', prompt: 'a fox', model: 'sd3.5_large.safetensors' } as const;
    expect(prepareWorkflow(request, { seed: 1 }).template).toBe(SD3_TEMPLATE);
    const encoders = ['clip_l.safetensors', 'clip_g.safetensors', 't5xxl_fp8_e4m3fn_scaled.safetensors'];
    const w = prepareWorkflow({ ...request, params: { textEncoders: encoders, cfg: 5.45 } }, { seed: 1 });
    expect(w.template).toBe(SD3_SEPARATE_ENCODERS_TEMPLATE);
    const g = buildWorkflow(w.template, w.values);
    expect(g['43']).toEqual({ class_type: 'TripleCLIPLoader', inputs: { clip_name1: encoders[0], clip_name2: encoders[1], clip_name3: encoders[2] } });
    expect(g['3']!.inputs.cfg).toBe(5.45);
    expect(readTemplateParams(w.template, g)).toMatchObject({ clipName3: encoders[2], model: 'sd3.5_large.safetensors' });
  });

  it('picks the family from the request, the catalogue, the name, then the kind', () => {
    expect(resolveTemplateFamily({ family: 'sd3', model: 'x.safetensors' })).toBe('sd3');
    expect(resolveTemplateFamily({ catalogueFamily: 'sd15', model: 'x.safetensors' })).toBe('sd15');
    expect(resolveTemplateFamily({ catalogueFamily: 'unknown', model: 'svd_xt.safetensors' })).toBe('svd');
    expect(templateFamilyFromName('sd_xl_base_1.0.safetensors')).toBe('sdxl');
    expect(templateFamilyFromName('v1-5-pruned-emaonly.safetensors')).toBe('sd15');
    expect(templateFamilyFromName('sd3.5_large.safetensors')).toBe('sd3');
    expect(templateFamilyFromName('flux1-dev-fp8.safetensors')).toBe('flux');
    expect(resolveTemplateFamily({ model: 'dreamshaper.safetensors' })).toBe('sdxl');
    expect(resolveTemplateFamily({ kind: 'video' })).toBe('svd');
  });
});

describe('validateWorkflowAgainstObjectInfo messages', () => {
  const sdxl = () => buildWorkflow(TEMPLATES.sdxl, PARAMS.sdxl) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;

  it('unknown class_type', () => {
    const g = { ...sdxl(), '99': { class_type: 'NoSuchNode', inputs: {} } };
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo)).toEqual([
      { nodeId: '99', classType: 'NoSuchNode', input: '', message: 'NoSuchNode (#99): node type NoSuchNode is not installed on the backend' },
    ]);
  });

  it('missing required input', () => {
    const g = sdxl();
    delete g['3']!.inputs.steps;
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo)).toEqual([
      { nodeId: '3', classType: 'KSampler', input: 'steps', message: 'KSampler (#3) input "steps": required input is missing' },
    ]);
  });

  it('combo value not in the list, legacy and V3 encodings', () => {
    const g = sdxl();
    g['4']!.inputs.ckpt_name = 'nope.safetensors';
    g['3']!.inputs.sampler_name = 'Euler';
    g['43'] = { class_type: 'TripleCLIPLoader', inputs: { clip_name1: 'clip_l.safetensors', clip_name2: 'clip_g.safetensors', clip_name3: 't5.bin' } };
    const problems = validateWorkflowAgainstObjectInfo(g, objectInfo);
    expect(problems.map((p) => [p.nodeId, p.input])).toEqual([
      ['3', 'sampler_name'],
      ['4', 'ckpt_name'],
      ['43', 'clip_name3'],
    ]);
    expect(problems[1]!.message).toBe(
      `CheckpointLoaderSimple (#4) input "ckpt_name": value 'nope.safetensors' is not in the list (${[...CHECKPOINTS].sort().map((c) => `'${c}'`).join(', ')})`,
    );
    expect(problems[0]!.message).toMatch(/^KSampler \(#3\) input "sampler_name": value 'Euler' is not in the list \(list of \d+, e\.g\. 'euler'/);
    expect(problems[2]!.message).toContain(`value 't5.bin' is not in the list ('clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors')`);
  });

  it('numbers out of range and not numbers', () => {
    const g = sdxl();
    g['3']!.inputs.steps = 0;
    g['3']!.inputs.cfg = 101;
    g['5']!.inputs.width = 'wide';
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo).map((p) => p.message)).toEqual([
      'KSampler (#3) input "steps": value 0 is smaller than the minimum 1',
      'KSampler (#3) input "cfg": value 101 is bigger than the maximum 100',
      `EmptyLatentImage (#5) input "width": 'wide' is not a number (INT)`,
    ]);
  });

  it('links to a missing node, a wrong output index, or an output of another type', () => {
    const g = sdxl();
    g['8']!.inputs.samples = ['77', 0];
    g['8']!.inputs.vae = ['4', 5];
    g['3']!.inputs.positive = ['5', 0];
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo).map((p) => `${p.nodeId}.${p.input}: ${p.message}`)).toEqual([
      '3.positive: KSampler (#3) input "positive": expects CONDITIONING but output 0 of EmptyLatentImage (#5) is LATENT',
      '8.samples: VAEDecode (#8) input "samples": links to node #77, which is not in the graph',
      '8.vae: VAEDecode (#8) input "vae": links to output 5 of CheckpointLoaderSimple (#4), which has 3 outputs',
    ]);
  });
});

describe('LoRAs', () => {
  it('formats and reads the LoRAs of a metadata line back, names with commas and colons included', () => {
    expect(parseLoraMeta('add_detail.safetensors:0.8, style/ink, wash:v2.safetensors:-1, x.safetensors:1e-7')).toEqual([
      { name: 'add_detail.safetensors', strength: 0.8 },
      { name: 'style/ink, wash:v2.safetensors', strength: -1 },
      { name: 'x.safetensors', strength: 1e-7 },
    ]);
    expect(parseLoraMeta(formatLoraMeta(loras))).toEqual(loras);
    expect(parseLoraMeta(undefined)).toEqual([]);
    expect(parseLoraMeta('')).toEqual([]);
  });
  const loras = [
    { name: 'add_detail.safetensors', strength: 0.8 },
    { name: 'style/ink_wash_sdxl.safetensors', strength: -0.5 },
  ];

  it('chains one LoraLoader per LoRA between the loader and every node that read its MODEL or CLIP', () => {
    const t = withLoras(SDXL_TEMPLATE, loras);
    const g = buildWorkflow(t, PARAMS.sdxl);
    expect(g['901']).toEqual({
      class_type: 'LoraLoader',
      inputs: { model: ['4', 0], clip: ['4', 1], lora_name: 'add_detail.safetensors', strength_model: 0.8, strength_clip: 0.8 },
    });
    expect(g['902']!.inputs).toMatchObject({ model: ['901', 0], clip: ['901', 1], lora_name: 'style/ink_wash_sdxl.safetensors', strength_model: -0.5 });
    expect(g['3']!.inputs.model).toEqual(['902', 0]);
    expect(g['6']!.inputs.clip).toEqual(['902', 1]);
    expect(g['7']!.inputs.clip).toEqual(['902', 1]);
    expect(g['8']!.inputs.vae).toEqual(['4', 2]); // the VAE is not the LoRA's business
    expect(SDXL_TEMPLATE.graph['3']!.inputs.model).toEqual(['4', 0]); // the template itself is untouched
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo)).toEqual([]);
  });

  it('works for every family that takes them, through the request, and refuses the others', () => {
    for (const [family, model] of [['sd15', 'v1-5-pruned-emaonly.safetensors'], ['sd3', 'sd3.5_large_fp8_scaled.safetensors'], ['flux', 'flux1-dev.safetensors']] as const) {
      const { template, values } = prepareWorkflow({ provider: 'comfyui', kind: 'image', family, model, prompt: 'x', params: { loras: [loras[0]!] } }, { seed: 1, filenamePrefix: 'p' });
      const g = buildWorkflow(template, values);
      expect(Object.values(g).filter((n) => n.class_type === 'LoraLoader')).toHaveLength(1);
      expect(validateWorkflowAgainstObjectInfo(g, objectInfo), family).toEqual([]);
    }
    const svd = { provider: 'comfyui', kind: 'video', family: 'svd', model: 'svd_xt.safetensors', params: { loras } } as const;
    expect(() => prepareWorkflow(svd, { seed: 1 })).toThrow(TemplateChoiceError);
  });

  it('names a LoRA the backend lacks', () => {
    const g = buildWorkflow(withLoras(SD15_TEMPLATE, [{ name: 'missing.safetensors', strength: 1 }]), PARAMS.sd15);
    expect(validateWorkflowAgainstObjectInfo(g, objectInfo)[0]).toMatchObject({ nodeId: '901', input: 'lora_name', message: expect.stringContaining("'missing.safetensors' is not in the list") });
  });
});

describe('the model folder picks the loader', () => {
  it('runs a FLUX file in checkpoints as an all-in-one checkpoint, one in diffusion_models with UNETLoader', () => {
    const request = { provider: 'comfyui', kind: 'image', family: 'flux', prompt: 'x' } as const;
    expect(prepareWorkflow({ ...request, model: 'flux1-dev-fp8.safetensors', modelFolder: 'checkpoints' }, { seed: 1 }).template).toBe(FLUX_CHECKPOINT_TEMPLATE);
    expect(prepareWorkflow({ ...request, model: 'flux1-dev.safetensors', modelFolder: 'diffusion_models' }, { seed: 1 }).template).toBe(FLUX_LOCAL_TEMPLATE);
    expect(prepareWorkflow({ ...request, model: 'flux1-dev.safetensors' }, { seed: 1 }).template).toBe(FLUX_LOCAL_TEMPLATE);
  });

  it('refuses a bare diffusion model of a family whose template loads a checkpoint', () => {
    expect(() =>
      prepareWorkflow({ provider: 'comfyui', kind: 'image', family: 'sd3', model: 'sd3.5_medium.safetensors', modelFolder: 'diffusion_models', prompt: 'x' }, { seed: 1 }),
    ).toThrow(/only FLUX ones can be run from the diffusion_models folder/);
  });
});

describe('model paths with either separator', () => {
  it('accepts a value that names a listed option with other separators, and aligns it to the backend spelling', () => {
    const info = { CheckpointLoaderSimple: { input: { required: { ckpt_name: [['SDXL\\juggernaut.safetensors', 'base.safetensors'], {}] } }, output: ['MODEL', 'CLIP', 'VAE'] } };
    const graph: Record<string, { class_type: string; inputs: Record<string, unknown> }> = {
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'SDXL/juggernaut.safetensors' } },
    };
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toEqual([]);
    expect(alignComboValues(graph, info)).toBe(1);
    expect(graph['4']!.inputs.ckpt_name).toBe('SDXL\\juggernaut.safetensors');
    expect(alignComboValues(graph, info)).toBe(0);
    graph['4']!.inputs.ckpt_name = 'SDXL/other.safetensors';
    expect(validateWorkflowAgainstObjectInfo(graph, info)).toHaveLength(1);
  });
});
