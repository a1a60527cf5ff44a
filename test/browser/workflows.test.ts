import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
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
    expect(job.request).toMatchObject({ prompt: 'a red fox in the snow', params: { width: 640 } });
    await page.locator(`[data-testid="asset-tile"][data-type="image"]`).nth(1).waitFor({ timeout: 10000 });

    // What was typed survives a reload, per workflow.
    await page.reload();
    await page.locator('#wf-prompt').waitFor({ timeout: 15000 });
    expect(await page.locator('#wf-prompt').inputValue()).toBe('a red fox in the snow');
    expect(await page.locator('#wf-width').inputValue()).toBe('640');

    // A model the backend lacks is reported in the form, naming the node and input, and nothing is queued.
    await page.locator('#wf-model').fill('missing.safetensors');
    await page.getByTestId('generate-button').click();
    const problems = page.getByTestId('workflow-problems');
    await problems.waitFor({ timeout: 10000 });
    expect(await problems.textContent()).toMatch(/Node \d+ \(CheckpointLoaderSimple\), input ckpt_name: .*'missing.safetensors' is not in the list/);
    const jobs = (await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>;
    expect(jobs.items.filter((j) => j.request.provider === 'comfyui' && j.request.model === 'missing.safetensors')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
