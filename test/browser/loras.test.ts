/*
 * LoRAs in the image form, in Chromium against the real server, worker and the ComfyUI fake: the
 * fake's backend reports two LoRAs ('add_detail' with no family, 'style/ink_wash_sdxl'), and
 * MODELS_PATH holds the ink wash file too, with a trigger word in its header. What the form sends
 * must reach the job's request, and what ran must show in the inspector.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Job } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { LAYOUTS, safetensorsBytes, writeModel } from '../../server/src/testing/safetensors-files.js';

const INK = 'style/ink_wash_sdxl.safetensors';
const DETAIL = 'add_detail.safetensors';

let stack: Stack;
let browser: Browser;
let modelsPath: string;

beforeAll(async () => {
  modelsPath = await mkdtemp(path.join(tmpdir(), 'orch-lora-models-'));
  await writeModel(modelsPath, `loras/${INK}`, safetensorsBytes(LAYOUTS.sdxlLora, { 'modelspec.trigger_phrase': 'inkwash' }));
  stack = await startStack('browser-loras', { env: { MODELS_PATH: modelsPath }, comfy: { stepMs: 30, checkpoints: [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'] } });
  // The backend's per-folder lists (LoRAs among them) arrive with the worker's first full probe.
  await waitFor(
    async () => {
      const page = (await (await fetch(`${stack.url}/api/models?folder=loras`)).json()) as { items: Array<{ id: string; backends: string[] }> };
      return page.items.find((m) => m.id === `loras/${DETAIL}`)?.backends.length;
    },
    15000,
    'LoRAs reported by the backend',
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (modelsPath) await rm(modelsPath, { recursive: true, force: true });
});

async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(stack.url);
  await openForm(page);
  await waitFor(async () => (await page.getByTestId('model-select').inputValue()) !== '', 15000, 'a default model');
  return { page, errors };
}

const options = (page: Page) => page.getByTestId('model-listbox').getByRole('option');
const rows = (page: Page) => page.getByTestId('lora-row');
const optionIds = async (page: Page) => Promise.all((await options(page).all()).map((o) => o.getAttribute('data-model-id')));

describe('LoRAs in the image form, driven in Chromium', () => {
  it('adds LoRAs from the picker, sets a strength and a trigger word, and sends them with the job', async () => {
    const { page, errors } = await openPage({ width: 1440, height: 900 });
    expect(await page.getByTestId('model-select').inputValue()).toBe('sd_xl_base_1.0.safetensors');
    const prompt = page.getByTestId('prompt-input');
    await prompt.fill('a fox in the snow');

    // The section is collapsed at first; its summary opens it.
    const section = page.getByTestId('lora-fields');
    expect(await section.getAttribute('open')).toBeNull();
    await section.locator('summary').click();

    // The picker opens on the checkpoint's family (SDXL): the family-less LoRA needs "Any family".
    const add = page.getByTestId('lora-add-trigger');
    await add.click();
    const search = page.getByTestId('model-search');
    expect(await page.getByTestId('model-family-filter').inputValue()).toBe('sdxl');
    await waitFor(async () => (await page.getByTestId('model-count').textContent()) === '1 model', 10000, 'the SDXL LoRAs');
    expect(await optionIds(page)).toEqual([`loras/${INK}`]);
    // From the keyboard: search, Enter picks, focus returns to the add button.
    await search.fill('ink');
    await waitFor(async () => (await page.getByTestId('model-count').textContent()) === '1 model matching “ink”', 10000, 'the search result');
    await search.press('Enter');
    await page.getByTestId('model-picker').waitFor({ state: 'detached' });
    expect(await add.evaluate((el) => el === document.activeElement)).toBe(true);

    await rows(page).first().waitFor();
    const ink = rows(page).first();
    expect(await ink.getAttribute('data-lora')).toBe(INK);
    expect(await ink.textContent()).toContain('SDXL');
    await ink.getByTestId('lora-strength').fill('0.65');
    // Its trigger word goes to the end of the prompt.
    await ink.getByTestId('lora-trigger').filter({ hasText: 'inkwash' }).click();
    expect(await prompt.inputValue()).toBe('a fox in the snow, inkwash');

    // The second LoRA comes after the first, at strength 1.
    await add.click();
    await page.getByTestId('model-family-filter').selectOption('');
    await waitFor(async () => (await page.getByTestId('model-count').textContent()) === '2 models', 10000, 'every LoRA');
    await options(page).and(page.locator(`[data-model-id="loras/${DETAIL}"]`)).click();
    await waitFor(async () => (await rows(page).count()) === 2, 5000, 'the second row');
    expect(await rows(page).nth(1).getAttribute('data-lora')).toBe(DETAIL);
    expect(await rows(page).nth(1).getByTestId('lora-strength').inputValue()).toBe('1');
    expect(await section.locator('summary').textContent()).toContain('ink_wash_sdxl 0.65 · add_detail 1');

    // A strength out of range stays in the form, with the row's error, and nothing is sent.
    await rows(page).nth(1).getByTestId('lora-strength').fill('12');
    await page.getByTestId('generate-button').click();
    await waitFor(async () => (await rows(page).nth(1).textContent())?.includes('between -10 and 10'), 5000, 'the strength error');
    expect(await rows(page).nth(1).getByTestId('lora-strength').getAttribute('aria-invalid')).toBe('true');
    await rows(page).nth(1).getByTestId('lora-strength').fill('1');

    const posted = page.waitForResponse((r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST');
    await page.getByTestId('generate-button').click();
    const { id } = (await (await posted).json()) as { id: string };

    const job = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
    expect(job.request).toMatchObject({
      provider: 'comfyui',
      model: 'sd_xl_base_1.0.safetensors',
      modelFolder: 'checkpoints',
      prompt: 'a fox in the snow, inkwash',
      params: {
        loras: [
          { name: INK, strength: 0.65 },
          { name: DETAIL, strength: 1 },
        ],
      },
    });

    // The finished image's inspector lists the LoRAs it was made with, in order.
    const tile = page.getByTestId('asset-tile').first();
    await tile.waitFor({ timeout: 20000 });
    await tile.click();
    const listed = page.getByTestId('inspector').getByTestId('inspector-loras');
    await listed.waitFor({ timeout: 10000 });
    expect(await listed.locator('li').allTextContents()).toEqual([`${INK}0.65`, `${DETAIL}1`]);

    // The rows are part of the draft: a reload keeps them.
    await page.reload();
    await waitFor(async () => (await rows(page).count()) === 2, 10000, 'the rows after a reload');
    expect(await rows(page).first().getByTestId('lora-strength').inputValue()).toBe('0.65');

    // Removing one moves focus to the row now in its place.
    await rows(page).first().getByTestId('lora-remove').click();
    await waitFor(async () => (await rows(page).count()) === 1, 5000, 'one row left');
    expect(await rows(page).first().getByTestId('lora-remove').evaluate((el) => el === document.activeElement)).toBe(true);

    // "Use these settings" on the image brings its LoRAs back, in order, with their strengths.
    await page.getByTestId('asset-tile').first().click();
    await page.getByTestId('inspector').getByRole('button', { name: 'Use these settings' }).click();
    await waitFor(async () => (await rows(page).count()) === 2, 5000, 'the rows of the image');
    expect(await Promise.all((await rows(page).all()).map((r) => r.getAttribute('data-lora')))).toEqual([INK, DETAIL]);
    expect(await rows(page).first().getByTestId('lora-strength').inputValue()).toBe('0.65');

    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops at 8 LoRAs, hides the section for SVD and fits a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A draft saved with 8 rows (the same two LoRAs, as a reused job could have them).
    const loras = Array.from({ length: 8 }, (_, i) => ({ name: i % 2 ? DETAIL : INK, strength: '1' }));
    await page.addInitScript((draft) => localStorage.setItem('orchestrator.form', JSON.stringify({ state: { draft }, version: 1 })), {
      prompt: 'eight',
      loras,
      lorasOpen: true,
    });
    await page.goto(stack.url);
    await page.getByRole('tab', { name: 'Create' }).click();
    await waitFor(async () => (await page.getByTestId('model-select').inputValue()) !== '', 15000, 'a default model');

    await waitFor(async () => (await rows(page).count()) === 8, 10000, 'eight rows');
    const add = page.getByTestId('lora-add-trigger');
    expect(await add.isDisabled()).toBe(true);
    expect(await page.getByTestId('lora-fields').textContent()).toContain('8 LoRAs at most');
    // Nothing sticks out sideways on a 390px screen.
    const overflow = await page.getByTestId('lora-fields').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await rows(page).first().boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);

    // An SVD checkpoint takes no LoRAs: the section goes.
    await page.getByTestId('model-select-trigger').click();
    await page.getByTestId('model-search').fill('svd');
    await waitFor(async () => (await page.getByTestId('model-count').textContent())?.startsWith('1 model'), 10000, 'the SVD checkpoint');
    await page.getByTestId('model-search').press('Enter');
    await page.getByTestId('lora-fields').waitFor({ state: 'detached' });

    expect(errors).toEqual([]);
    await page.close();
  });
});
