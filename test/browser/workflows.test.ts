import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm, shoot } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-workflows', { comfy: { stepMs: 5 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A PNG as ComfyUI saves it (with its `prompt` chunk), from a run on the fake backend. */
async function comfyPng(): Promise<Buffer> {
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
  const res = await fetch(`${stack.url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', params: { steps: 3, width: 512, height: 512 } }),
  });
  const { id } = (await res.json()) as { id: string };
  const job = await waitFor(async () => {
    const j = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
    return j.status === 'completed' ? j : null;
  }, 20000, 'seed job');
  return Buffer.from(await (await fetch(`${stack.url}${job.assets![0]!.url}`)).arrayBuffer());
}

describe('custom workflows, driven in Chromium', () => {
  it('imports a ComfyUI PNG, marks its slots, saves it and runs it from the Workflow mode', { timeout: 60000 }, async () => {
    const png = await comfyPng();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);

    const mode = page.getByTestId('mode-workflow');
    await waitFor(() => mode.isEnabled(), 15000, 'Workflow mode enabled');
    await mode.click();
    await page.getByText('Bring your own ComfyUI graph').waitFor();
    // Esc closes the dialog and gives focus back to the button that opened it.
    await page.getByTestId('workflow-import').click();
    await page.getByTestId('workflow-editor').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('workflow-editor').waitFor({ state: 'detached' });
    expect(await page.getByTestId('workflow-import').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByTestId('workflow-import').click();
    const dialog = page.getByTestId('workflow-editor');
    await dialog.getByTestId('workflow-file').setInputFiles({ name: 'lighthouse.png', mimeType: 'image/png', buffer: png });

    await dialog.getByText('The backend has every node and model this workflow uses.').waitFor({ timeout: 10000 });
    expect(await dialog.getByTestId('workflow-name').inputValue()).toBe('lighthouse');
    expect(await dialog.getByTestId('workflow-input').count()).toBeGreaterThan(10);
    // The suggested slots are marked; the user drops steps and keeps the rest.
    const steps = dialog.getByLabel(/^Slot for KSampler #\d+ steps$/);
    expect(await steps.inputValue()).toBe('steps');
    await steps.selectOption('');
    expect(await dialog.getByLabel(/^Slot for CLIPTextEncode #\d+ text$/).first().inputValue()).toBe('prompt');
    await dialog.getByTestId('workflow-name').fill('Lighthouse graph');
    await dialog.getByTestId('workflow-save').click();
    await dialog.waitFor({ state: 'detached' });

    // The run form shows one field per slot.
    await waitFor(async () => (await page.getByTestId('workflow-select').locator('option:checked').textContent())?.includes('Lighthouse graph'), 10000, 'the saved workflow chosen');
    await page.locator('#wf-prompt').waitFor();
    expect(await page.locator('#wf-steps').count()).toBe(0);
    expect(await page.locator('#wf-width').getAttribute('placeholder')).toBe('512');
    // Export gives back the API-format graph, under the workflow's name.
    const exported = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await exported;
    expect(file.suggestedFilename()).toBe('Lighthouse graph.json');
    const graph = JSON.parse(await readFile(await file.path(), 'utf8')) as Record<string, { class_type: string }>;
    expect(Object.values(graph).map((n) => n.class_type)).toContain('KSampler');

    await page.locator('#wf-prompt').fill('a red fox in the snow');
    await page.locator('#wf-width').fill('640');
    await page.getByTestId('generate-button').click();

    const job = await waitFor(async () => {
      const list = (await (await fetch(`${stack.url}/api/jobs?limit=5`)).json()) as PageOf<Job>;
      return list.items.find((j) => j.request.provider === 'comfyui' && j.request.workflow?.startsWith('wf-') && j.status === 'completed');
    }, 20000, 'the workflow job');
    // The prompt is the request's own field; every other slot travels by its name.
    expect(job.request).toMatchObject({ prompt: 'a red fox in the snow', slots: { width: 640 } });
    expect(job.request.provider === 'comfyui' && job.request.params?.width).toBeFalsy();
    await page.locator(`[data-testid="asset-tile"][data-type="image"]`).nth(1).waitFor({ timeout: 10000 });

    // What was typed survives a reload, per workflow.
    await page.reload();
    await page.locator('#wf-prompt').waitFor({ timeout: 15000 });
    expect(await page.locator('#wf-prompt').inputValue()).toBe('a red fox in the snow');
    expect(await page.locator('#wf-width').inputValue()).toBe('640');

    // Each field is typed from the backend's /object_info: the checkpoint is a list of the backend's files,
    // and a width outside EmptyLatentImage's range is reported naming the slot, with nothing queued.
    const models = await page.locator('#wf-model option').allTextContents();
    expect(models.some((m) => m.includes('.safetensors'))).toBe(true);
    expect(await page.locator('#wf-width').getAttribute('step')).toBe('8');
    const before = ((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items.length;
    await page.locator('#wf-width').fill('99999');
    await page.getByTestId('generate-button').click();
    await page.getByText(/Slot "width" \(EmptyLatentImage #\d+ width\): 99999 is above the maximum 16384/).waitFor({ timeout: 5000 });
    const after = ((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items.length;
    expect(after).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('types the run form from /object_info: a STRING, a COMBO and a FLOAT with step 0.01 of the graph’s own slots; the editor makes any input one', { timeout: 60000 }, async () => {
    const graph = {
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
      '3': {
        class_type: 'KSampler',
        inputs: { seed: 1234, steps: 2, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
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
    const res = await fetch(`${stack.url}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Zoomer', graph, slots }) });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);
    await page.getByTestId('mode-workflow').click();
    await page.getByTestId('workflow-select').selectOption(id);
    const zoom = page.locator('#wf-zoom');
    await zoom.waitFor({ timeout: 10000 });
    expect(await zoom.evaluate((el) => [(el as HTMLInputElement).type, (el as HTMLInputElement).step, (el as HTMLInputElement).min, (el as HTMLInputElement).max])).toEqual(['number', '0.01', '0.01', '8']);
    expect(await page.locator('#wf-method option').allTextContents()).toEqual(expect.arrayContaining(['bilinear', 'lanczos']));
    expect(await page.locator('#wf-subject').evaluate((el) => el.tagName)).toBe('TEXTAREA');

    // A value its slot does not take is named before anything is sent.
    await zoom.fill('9');
    await page.getByTestId('generate-button').click();
    await page.getByText(/Slot "zoom" \(ImageScaleBy #10 scale_by\): 9 is above the maximum 8/).waitFor({ timeout: 5000 });

    await zoom.fill('1.25');
    await page.locator('#wf-method').selectOption('bicubic');
    await page.locator('#wf-subject').fill('a red fox');
    await page.getByTestId('generate-button').click();
    const job = await waitFor(async () => {
      const list = (await (await fetch(`${stack.url}/api/jobs?limit=10`)).json()) as PageOf<Job>;
      return list.items.find((j) => j.request.provider === 'comfyui' && j.request.workflow === id && j.status === 'completed');
    }, 20000, 'the Zoomer job');
    expect(job.request).toMatchObject({ slots: { subject: 'a red fox', method: 'bicubic', zoom: 1.25 } });
    const asset = (await (await fetch(`${stack.url}/api/assets/${job.assets![0]!.id}`)).json()) as { meta: Record<string, unknown> };
    expect(asset.meta).toMatchObject({ workflow: 'Zoomer', seed: 1234, width: 80, height: 80, slots: { subject: 'a red fox', method: 'bicubic', zoom: 1.25 } });

    // Any literal input becomes a slot of its own from the editor: SaveImage's prefix, renamed.
    await page.getByRole('button', { name: 'Edit slots' }).click();
    const dialog = page.getByTestId('workflow-editor');
    await dialog.getByLabel('Slot for SaveImage #9 filename_prefix', { exact: true }).selectOption('__own');
    const name = dialog.getByLabel('Name of the slot for SaveImage #9 filename_prefix');
    expect(await name.inputValue()).toBe('filename_prefix');
    await name.fill('prefix');
    await dialog.getByTestId('workflow-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('#wf-prefix').waitFor({ timeout: 10000 });
    expect(await page.locator('#wf-prefix').getAttribute('placeholder')).toBe('mine');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says so when the chosen workflow was deleted elsewhere, and never runs another one in its place', { timeout: 60000 }, async () => {
    const graph = (text: string) => ({
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text, clip: ['4', 1] } },
      '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 2, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['6', 0], latent_image: ['5', 0] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', images: ['8', 0] } },
    });
    const save = async (name: string) => {
      const res = await fetch(`${stack.url}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, graph: graph(name), slots: [{ param: 'prompt', nodeId: '6', input: 'text' }] }) });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const keeper = await save('Keeper');
    const doomed = await save('Doomed');
    const jobsOf = async (id: string) => ((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items.filter((j) => j.request.provider === 'comfyui' && j.request.workflow === id);
    const keeperJobs = (await jobsOf(keeper)).length;

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);
    await page.getByTestId('mode-workflow').click();
    await page.getByTestId('workflow-select').selectOption(doomed);
    await page.getByRole('form', { name: 'Run the workflow Doomed' }).waitFor({ timeout: 10000 });

    // Deleted in another tab: this tab still shows the form; Generate finds out and says so, running nothing.
    expect((await fetch(`${stack.url}/api/workflows/${doomed}`, { method: 'DELETE' })).status).toBe(200);
    await page.locator('#wf-prompt').fill('should not run');
    await page.getByTestId('generate-button').click();
    const notice = page.getByTestId('workflow-deleted');
    await notice.waitFor({ timeout: 10000 });
    await expect(notice.textContent()).resolves.toContain('Workflow “Doomed” was deleted');
    expect(await page.getByTestId('mode-workflow').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('workflow-select').inputValue()).toBe('');
    expect(await page.getByRole('form', { name: /Run the workflow/ }).count()).toBe(0); // nothing to submit
    await shoot(page, 'workflow-deleted-1440.png');

    // After a reload (the choice is remembered) it is the same: no silent fall back to "Keeper".
    await page.reload();
    await notice.waitFor({ timeout: 15000 });
    expect(await page.getByRole('form', { name: /Run the workflow/ }).count()).toBe(0);
    expect(await jobsOf(keeper)).toHaveLength(keeperJobs);
    expect(await jobsOf(doomed)).toHaveLength(0);

    // Picking another one clears the notice and runs that one.
    await page.getByTestId('workflow-select').selectOption(keeper);
    await page.getByRole('form', { name: 'Run the workflow Keeper' }).waitFor({ timeout: 10000 });
    expect(await notice.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
