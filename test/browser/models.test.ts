/*
 * The model picker in Chromium against the real server and a real MODELS_PATH: a library of 5,000
 * LoRAs beside 5,000 checkpoints, a few named models of each family and a FLUX UNET. The image form's
 * picker offers checkpoints and diffusion models only, so its list is the 5,000-row one here; the
 * LoRAs prove a big library elsewhere in the catalogue does not leak into it. The list must keep a
 * small DOM, page through the server as it scrolls, search on the server, work from the keyboard,
 * and switch the form to the family of the model chosen.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { LAYOUTS, safetensorsBytes, writeModel } from '../../server/src/testing/safetensors-files.js';

const BULK = 5000;
/** The named local models, besides the two checkpoints the fake backend reports. */
const NAMED: ReadonlyArray<[string, Buffer]> = [
  ['checkpoints/dreamshaper_8.safetensors', safetensorsBytes(LAYOUTS.sd15, { 'modelspec.title': 'DreamShaper 8' })],
  ['checkpoints/juggernaut_xl.safetensors', safetensorsBytes(LAYOUTS.sdxl)],
  ['checkpoints/sd3.5_large.safetensors', safetensorsBytes(LAYOUTS.sd35Large)],
  ['diffusion_models/flux1-dev.safetensors', safetensorsBytes(LAYOUTS.fluxDev)],
];
/** Bulk checkpoints + named ones + the backend's sd_xl_base_1.0 and v1-5-pruned-emaonly. */
const IMAGE_MODELS = BULK + NAMED.length + 2;

let stack: Stack;
let browser: Browser;
let modelsPath: string;

/** Writes `count` files named by `name(i)` with the same bytes, a few hundred at a time. */
async function writeMany(count: number, name: (i: number) => string, bytes: Buffer): Promise<void> {
  const dirs = new Set(Array.from({ length: count }, (_, i) => path.dirname(path.join(modelsPath, name(i)))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => writeFile(path.join(modelsPath, name(i + j)), bytes)));
  }
}

beforeAll(async () => {
  modelsPath = await mkdtemp(path.join(tmpdir(), 'orch-models-'));
  const pad = (i: number) => String(i).padStart(4, '0');
  await writeMany(BULK, (i) => `loras/style/lora_${pad(i)}.safetensors`, safetensorsBytes(LAYOUTS.sdxlLora, { 'modelspec.trigger_phrase': 'inkwash' }));
  await writeMany(BULK, (i) => `checkpoints/library/merge_${pad(i)}.safetensors`, safetensorsBytes(LAYOUTS.sdxl));
  for (const [rel, bytes] of NAMED) await writeModel(modelsPath, rel, bytes);
  stack = await startStack('browser-models', { env: { MODELS_PATH: modelsPath } });
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
const active = (page: Page) => page.getByTestId('model-listbox').locator('[role="option"][aria-selected="true"]');
const activeModel = (page: Page) => active(page).getAttribute('data-model-id');
const activePosition = async (page: Page) => Number(await active(page).getAttribute('aria-posinset'));
const countText = (page: Page) => page.getByTestId('model-count').textContent();
const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);

describe('the model picker, driven in Chromium', () => {
  it('lists 5,000+ models in a small DOM, pages, searches, works from the keyboard and switches the form to the family chosen', async () => {
    const { page, errors } = await openPage({ width: 1440, height: 900 });
    const trigger = page.getByTestId('model-select-trigger');
    const width = page.locator('#gen-width');
    expect(await page.getByTestId('model-select').inputValue()).toBe('sd_xl_base_1.0.safetensors');
    expect(await width.inputValue()).toBe('1024');

    // Open: the count covers checkpoints + diffusion models (no LoRAs), the DOM only the rows in view.
    await trigger.click();
    const search = page.getByTestId('model-search');
    await waitFor(() => isFocused(search), 5000, 'focus in the search box');
    await waitFor(async () => (await countText(page))?.startsWith(`${IMAGE_MODELS.toLocaleString('en')} models`), 15000, 'the model count');
    await options(page).first().waitFor();
    expect(await options(page).count()).toBeLessThan(60);
    expect(await options(page).first().getAttribute('aria-setsize')).toBe(String(IMAGE_MODELS));
    // The current model sorts past the first page (after library/…), so the list starts at the top.
    expect(await activePosition(page)).toBe(1);

    // Keyboard: Home, arrows, PageDown; End pages through the server to the very last model.
    await search.press('Home');
    expect(await activePosition(page)).toBe(1);
    await search.press('ArrowDown');
    await search.press('ArrowDown');
    expect(await activePosition(page)).toBe(3);
    await search.press('PageDown');
    expect(await activePosition(page)).toBeGreaterThan(5);
    await search.press('ArrowUp');
    const afterUp = await activePosition(page);
    await search.press('End');
    await waitFor(async () => (await activeModel(page)) === 'diffusion_models/flux1-dev.safetensors', 20000, 'the last model, after paging');
    expect(await activePosition(page)).toBe(IMAGE_MODELS);
    expect(afterUp).toBeGreaterThan(3);
    expect(await options(page).count()).toBeLessThan(60);

    // Esc closes and gives focus back to the trigger.
    await search.press('Escape');
    await page.getByTestId('model-picker').waitFor({ state: 'detached' });
    expect(await isFocused(trigger)).toBe(true);

    // Search on the server, then Enter picks an SD1.5 checkpoint: the form switches to 512².
    await trigger.press('ArrowDown');
    await search.fill('dreamshaper');
    await waitFor(async () => (await countText(page)) === '1 model matching “dreamshaper”', 10000, 'the search result');
    const row = options(page).first();
    expect(await row.getAttribute('data-model-id')).toBe('checkpoints/dreamshaper_8.safetensors');
    expect(await row.textContent()).toContain('DreamShaper 8');
    expect(await row.textContent()).toContain('SD1.5');
    expect(await row.textContent()).toContain('local only');
    await search.press('Enter');
    await page.getByTestId('model-picker').waitFor({ state: 'detached' });
    expect(await isFocused(trigger)).toBe(true);
    expect(await page.getByTestId('model-select').inputValue()).toBe('dreamshaper_8.safetensors');
    expect(await trigger.textContent()).toContain('DreamShaper 8');
    expect(await width.inputValue()).toBe('512');

    // A folder chip narrows the list; picking the FLUX UNET brings guidance and its encoder pickers.
    await trigger.click();
    await page.getByTestId('model-folder-diffusion_models').click();
    await waitFor(async () => (await countText(page)) === '1 model', 10000, 'the diffusion models only');
    await options(page).first().click();
    expect(await page.getByTestId('model-select').inputValue()).toBe('flux1-dev.safetensors');
    expect(await width.inputValue()).toBe('1024');
    await page.locator('#gen-guidance').waitFor({ state: 'attached' });
    expect(await page.locator('#gen-cfg').count()).toBe(0);
    expect(await page.getByTestId('encoder-t5xxl').inputValue()).toBe('t5xxl_fp16.safetensors');
    expect(await page.getByTestId('encoder-clipL').inputValue()).toBe('clip_l.safetensors');
    expect(await page.getByTestId('vae-select').inputValue()).toBe('ae.safetensors');

    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens as a full-screen sheet on a phone', async () => {
    const { page, errors } = await openPage({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByTestId('model-select-trigger').click();
    const sheet = page.getByTestId('model-picker');
    await options(page).first().waitFor();
    expect(await sheet.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    expect(await options(page).count()).toBeLessThan(40);
    await page.getByRole('button', { name: 'Close' }).click();
    await sheet.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
